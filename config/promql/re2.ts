import { RE2JS } from "re2js";

// Prometheus, Alertmanager, Loki and Alloy compile regular expressions with Go's regexp package,
// which is RE2: no lookaround or backreferences, but `(?i)`, `(?P<name>…)` and POSIX classes. A
// JavaScript RegExp both refuses valid RE2 and accepts what Go refuses, so patterns are compiled by
// a port of RE2 instead.

/** Why Go's regexp would refuse `pattern`, in RE2's own words, or undefined when it compiles. */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
  }
}

/**
 * Why Prometheus or Alertmanager would refuse `pattern`, which they compile anchored at both ends
 * (`^(?:…)$`), or undefined. The problem is told in the pattern's own terms where it has one.
 */
export function anchoredRe2Problem(pattern: string): string | undefined {
  const problem = re2Problem(`^(?:${pattern})$`);
  return problem === undefined ? undefined : (re2Problem(pattern) ?? problem);
}

/** Whether `pattern`, anchored at both ends as Prometheus and Alertmanager compile it, matches `text`. */
export function anchoredRe2Matches(pattern: string, text: string): boolean {
  return RE2JS.compile(`^(?:${pattern})$`).matches(text);
}

/** Whether `actual` meets a label matcher `op value` (`=`, `!=`, `=~`, `!~`), as Prometheus and Alertmanager match labels. */
export function labelMatches(op: string, value: string, actual: string): boolean {
  switch (op) {
    case "=":
      return actual === value;
    case "!=":
      return actual !== value;
    case "=~":
      return anchoredRe2Matches(value, actual);
    default:
      return !anchoredRe2Matches(value, actual);
  }
}
