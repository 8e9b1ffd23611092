/** A log stream's labels, or an entry's labels once structured metadata and parsers added theirs. */
export type Labels = Readonly<Record<string, string>>;

/** One key per label set: the labels sorted by name, as Loki orders a stream's labels. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

/** The labels sorted by name. */
export function sortedLabels(labels: Labels): Labels {
  return Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

const PAIR = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;

/**
 * A stream's labels as a push carries them in protobuf: `{name="value", ...}`, values quoted with
 * Go's escapes (\", \\, \n). Anything else is refused, as Loki refuses the push.
 */
export function parseLabelString(text: string): Labels {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") || !trimmed.endsWith("}")) {
    throw new Error(`labels ${JSON.stringify(text)} are not in {name="value"} form`);
  }
  const inner = trimmed.slice(1, -1);
  const labels: Record<string, string> = {};
  PAIR.lastIndex = 0;
  while (PAIR.lastIndex < inner.length) {
    const match = PAIR.exec(inner);
    if (match === null) {
      throw new Error(`labels ${JSON.stringify(text)} are not in {name="value"} form`);
    }
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}
