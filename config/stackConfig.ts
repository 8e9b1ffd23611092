import type * as pulumi from "@pulumi/pulumi";
import type { Secret } from "./fields";
import type { ParsedStackConfig } from "./shape";

/** Whether a credential is anywhere in `T`, which Loaded makes a Pulumi secret. */
type HoldsSecret<T> = T extends Secret
  ? true
  : T extends pulumi.Output<unknown>
    ? false
    : T extends readonly (infer E)[]
      ? HoldsSecret<E>
      : T extends object
        ? true extends { [K in keyof T]-?: HoldsSecret<T[K]> }[keyof T]
          ? true
          : false
        : false;

/** The config as components read it: each credential a Pulumi secret, anything without one as it is. */
type Loaded<T> =
  T extends pulumi.Output<unknown>
    ? T
    : T extends Secret
      ? pulumi.Output<string>
      : HoldsSecret<T> extends false
        ? T
        : T extends readonly (infer E)[]
          ? readonly Loaded<E>[]
          : T extends object
            ? { readonly [K in keyof T]: Loaded<T[K]> }
            : T;

/**
 * The validated, defaulted, frozen stack config every component reads; credentials are secrets.
 * docs/configuration.md documents every key.
 */
export interface StackConfig extends Loaded<ParsedStackConfig> {}
