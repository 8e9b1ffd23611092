import { matchesKeyPattern } from "./keyPattern";

/**
 * Stack-config keys whose meaning or shape changed between releases of this program, with what a
 * stack file of the earlier release must do. A config error on such a key ends with the change, so
 * an upgrade that breaks a stack file says how to fix it. `*` stands for any list index.
 */
export interface KeyChange {
  readonly path: readonly string[];
  /** The release (package.json version) that made the change. */
  readonly release: string;
  readonly how: string;
}

export const KEY_CHANGES: readonly KeyChange[] = [];

/** The change behind a problem at `path`, phrased to follow the problem. */
export function migrationHint(path: readonly (string | number)[]): string | undefined {
  const change = KEY_CHANGES.find((c) => matchesKeyPattern(c.path, path));
  return change === undefined ? undefined : `changed in ${change.release}: ${change.how}`;
}
