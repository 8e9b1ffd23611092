/**
 * What promtool says an expression returned when it differs from the expectation, here an empty
 * one: `got: {alert="page", tool="sloth"} 2.52E+04, {…} …`.
 */
export function promtoolGot(output: string): { labels: Record<string, string>; value: number }[] {
  const line = /^\s*got: (.*)$/m.exec(output)?.[1] ?? "";
  return [...line.matchAll(/\{([^}]*)\} (\S+?)(?:,|$)/g)].map((m) => ({
    labels: Object.fromEntries([...m[1].matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((l) => [l[1], l[2]])),
    value: Number(m[2]),
  }));
}
