import { parser as logqlParser } from "@grafana/lezer-logql";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";

// PromQL and LogQL are checked with the grammars the Prometheus and Grafana projects publish for
// their own query editors, so that an expression the config accepts is one the servers parse. The
// parsers recover from errors instead of failing: an error is a node of the tree, and the first
// one is where the expression stops making sense.

export type QueryLanguage = "PromQL" | "LogQL";

const PARSERS = { PromQL: promqlParser, LogQL: logqlParser } as const;

/** How much of the expression an error quotes from where it stops parsing. */
const QUOTED_CHARACTERS = 20;

/** Line and column (both from 1) of an offset into a possibly multi-line expression. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/**
 * Why `expression` is not valid `language`, as "does not parse as PromQL at 1:12, at …", or
 * undefined when it parses.
 */
export function queryParseProblem(language: QueryLanguage, expression: string): string | undefined {
  let errorAt: number | undefined;
  PARSERS[language].parse(expression).iterate({
    enter: (node) => {
      if (errorAt !== undefined) {
        return false;
      }
      if (node.type.isError) {
        errorAt = node.from;
        return false;
      }
      return undefined;
    },
  });
  if (errorAt === undefined) {
    return undefined;
  }
  const rest = expression.slice(errorAt).trimEnd();
  const near =
    rest === ""
      ? "where it ends too early"
      : `at ${JSON.stringify(rest.length > QUOTED_CHARACTERS ? `${rest.slice(0, QUOTED_CHARACTERS)}…` : rest)}`;
  return `does not parse as ${language} at ${lineColumn(expression, errorAt)}, ${near}`;
}
