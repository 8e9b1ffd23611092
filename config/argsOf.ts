// What a program gives for the stack config: ArgsOf, which every component's args are made of, and
// the objects it gives whole by their names. It imports nothing of the repository, so that the
// fields and sections that name those objects can use it.
import type * as pulumi from "@pulumi/pulumi";

/** The key by which an args object says a program gives it whole, as its interface names it (see GivenWhole). */
export declare const givenWhole: unique symbol;

/**
 * An object of the args a program gives whole, by its name (a workload's placement, a container's
 * resources): `ArgsOf` keeps it rather than spelling it out with every key optional.
 * @hidden
 */
export interface GivenWhole {
  /** @hidden */
  readonly [givenWhole]?: never;
}

/**
 * What a program gives for a value of the stack config: an object with every key optional (each
 * defaulting as in the stack config), a list or a value whole.
 */
export type ArgsOf<T> = T extends pulumi.Output<unknown> | Promise<unknown>
  ? T
  : T extends readonly (infer E)[]
    ? readonly E[]
    : typeof givenWhole extends keyof T
      ? T
      : T extends object
        ? { readonly [K in keyof T]?: ArgsOf<T[K]> }
        : T;
