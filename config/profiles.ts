/** The defaults a stack starts from: a laptop kind cluster or EKS. */
export const PROFILES = ["kind", "eks"] as const;
export type Profile = (typeof PROFILES)[number];

/** One key's default on each profile. */
export type Both<T> = { readonly [P in Profile]: T };

/** The same default on both profiles. */
export const same = <T>(value: T): Both<T> => ({ kind: value, eks: value });

/**
 * An object's defaults key by key, each key's on both profiles side by side. An optional key may be
 * left out, or given on one profile only: it is absent from the other.
 */
export type SideBySide<T> = {
  readonly [K in keyof T as Pick<T, K> extends Required<Pick<T, K>> ? K : never]: Both<T[K]>;
} & {
  readonly [K in keyof T as Pick<T, K> extends Required<Pick<T, K>> ? never : K]?: Partial<
    Both<Exclude<T[K], undefined>>
  >;
};

/** The object `defaults` gives on `profile`, its keys in their order. */
export function onProfile<T>(defaults: SideBySide<T>, profile: Profile): T {
  return Object.fromEntries(
    Object.entries(defaults as Record<string, Partial<Both<unknown>>>).flatMap(([key, both]) =>
      profile in both ? [[key, both[profile]]] : [],
    ),
  ) as T;
}
