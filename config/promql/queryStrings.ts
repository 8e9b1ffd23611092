// String literals of PromQL and LogQL as the servers read them: raw between backticks, Go-escaped
// between double or single quotes.

/** A string literal's text, or undefined if its escapes are not Go's. */
export function stringValue(literal: string): string | undefined {
  if (literal.startsWith("`")) {
    return literal.slice(1, -1);
  }
  const inner = literal.slice(1, -1);
  const quoted = literal.startsWith("'") ? inner.replace(/\\'/g, "'").replace(/"/g, '\\"') : inner;
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return undefined;
  }
}
