/** Whether a concrete key path matches a pattern of key names where `*` stands for any list index. */
export function matchesKeyPattern(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((segment, i) => (segment === "*" ? typeof path[i] === "number" : segment === path[i]))
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The key paths present in `node` that match `pattern` (`*`: every list index). */
export function concretePaths(
  node: unknown,
  pattern: readonly string[],
  prefix: (string | number)[] = [],
): (string | number)[][] {
  if (pattern.length === 0) {
    return node === undefined ? [] : [prefix];
  }
  const [head, ...rest] = pattern;
  if (head === "*") {
    return Array.isArray(node) ? node.flatMap((item, i) => concretePaths(item, rest, [...prefix, i])) : [];
  }
  return isPlainObject(node) ? concretePaths(node[head], rest, [...prefix, head]) : [];
}
