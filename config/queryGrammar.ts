import { parser as logqlParser } from "@grafana/lezer-logql";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { anchoredRe2Problem, re2Problem } from "./re2";

// PromQL and LogQL are checked with the grammars the Prometheus and Grafana projects publish for
// their own query editors, so that an expression the config accepts is one the servers parse. The
// parsers recover from errors instead of failing: an error is a node of the tree, and the first
// one is where the expression stops making sense. The grammars leave regexes as strings, which
// the servers compile with Go's regexp: those are compiled as RE2 here.

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
 * Regex operators by the node the grammars give them: label matchers, which the servers anchor at
 * both ends, and LogQL's line filter and regexp parser, which they do not. A PromQL matcher's
 * operator is wrapped in a MatchOp node, a LogQL line filter's in a Filter node.
 */
const ANCHORED_REGEX_OPERATORS = new Set(["EqlRegex", "NeqRegex", "Re", "Nre"]);
const UNANCHORED_REGEX_OPERATORS = new Set(["PipeMatch", "Regexp"]);
const OPERATOR_WRAPPERS = new Set(["MatchOp", "Filter"]);

/** A string literal's text: raw between backticks, Go-escaped between quotes (undefined if it is not). */
function stringValue(literal: string): string | undefined {
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

/**
 * Why `expression` is not valid `language`, as "does not parse as PromQL at 1:12, at …" or "has a
 * regular expression at 1:9 that …", or undefined when the server would take it.
 */
export function queryParseProblem(language: QueryLanguage, expression: string): string | undefined {
  let problem: string | undefined;
  PARSERS[language].parse(expression).iterate({
    enter: (node) => {
      if (problem !== undefined) {
        return false;
      }
      if (node.type.isError) {
        problem = parseError(language, expression, node.from);
        return false;
      }
      const previous = node.node.prevSibling;
      const operator =
        previous !== null && OPERATOR_WRAPPERS.has(previous.name) ? previous.firstChild : previous;
      if (operator === null || !["StringLiteral", "String"].includes(node.name)) {
        return undefined;
      }
      const anchored = ANCHORED_REGEX_OPERATORS.has(operator.name);
      const pattern =
        anchored || UNANCHORED_REGEX_OPERATORS.has(operator.name)
          ? stringValue(expression.slice(node.from, node.to))
          : undefined;
      const refused =
        pattern === undefined ? undefined : anchored ? anchoredRe2Problem(pattern) : re2Problem(pattern);
      if (refused !== undefined) {
        problem = `has a regular expression at ${lineColumn(expression, node.from)} that is not RE2, as ${language === "PromQL" ? "Prometheus" : "Loki"} compiles it (no lookaround or backreferences): ${refused}`;
      }
      return undefined;
    },
  });
  return problem;
}

function parseError(language: QueryLanguage, expression: string, errorAt: number): string {
  const rest = expression.slice(errorAt).trimEnd();
  const near =
    rest === ""
      ? "where it ends too early"
      : `at ${JSON.stringify(rest.length > QUOTED_CHARACTERS ? `${rest.slice(0, QUOTED_CHARACTERS)}…` : rest)}`;
  return `does not parse as ${language} at ${lineColumn(expression, errorAt)}, ${near}`;
}
