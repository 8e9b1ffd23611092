import type * as pulumi from "@pulumi/pulumi";
import type { Secret } from "./fields";
import type { ParsedStackConfig } from "./shape";

type Loaded<T> =
  T extends pulumi.Output<unknown>
    ? T
    : T extends Secret
      ? pulumi.Output<string>
      : T extends readonly (infer E)[]
        ? readonly Loaded<E>[]
        : T extends object
          ? { readonly [K in keyof T]: Loaded<T[K]> }
          : T;

/** The validated, defaulted, frozen stack config every component reads; credentials are secrets. */
export type StackConfig = Loaded<ParsedStackConfig>;
