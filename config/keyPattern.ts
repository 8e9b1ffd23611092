/** Whether a concrete key path matches a pattern of key names where `*` stands for any list index. */
export function matchesKeyPattern(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((segment, i) => (segment === "*" ? typeof path[i] === "number" : segment === path[i]))
  );
}
