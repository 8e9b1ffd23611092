import { parser as logqlParser } from "@grafana/lezer-logql";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { promqlTypeProblem } from "./types";
import { anchoredRe2Problem, re2Problem } from "./re2";
import { stringValue } from "./queryStrings";

// PromQL and LogQL are checked with the grammars the Prometheus and Grafana projects publish for
// their own query editors, so that an expression the config accepts is one the servers parse. The
// parsers recover from errors instead of failing: an error is a node of the tree, and the first
// one is where the expression stops making sense. The grammars leave regexes as strings, which
// the servers compile with Go's regexp: those are compiled as RE2 here. A PromQL expression that
// parses is then held to what Prometheus' parser refuses besides its grammar (config/promql/types.ts).

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

/**
 * Why `expression` is not valid `language`, as "does not parse as PromQL at 1:12, at …", "has a
 * regular expression at 1:9 that …" or, in Prometheus' words, "does not parse as PromQL at 1:6:
 * expected type range vector in call to function "rate", got instant vector"; or undefined when the
 * server would take it.
 */
export function queryParseProblem(language: QueryLanguage, expression: string): string | undefined {
  const key = `${language}\n${expression}`;
  if (JUDGED.has(key)) {
    return JUDGED.get(key);
  }
  if (JUDGED.size >= JUDGED_AT_MOST) {
    JUDGED.clear();
  }
  const problem = firstParseProblem(language, expression);
  JUDGED.set(key, problem);
  return problem;
}

/**
 * What queryParseProblem answered per language and expression. A render judges each of its hundreds
 * of queries where it is used (rule, dashboard panel, SLI), and a process that renders again (a test
 * file, the review, a second stack) asks about mostly the same ones. Parsing them (the grammar, then
 * the types) is otherwise the costliest step of a render.
 */
const JUDGED = new Map<string, string | undefined>();
const JUDGED_AT_MOST = 20_000;

function firstParseProblem(language: QueryLanguage, expression: string): string | undefined {
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
  if (problem !== undefined || language !== "PromQL") {
    return problem;
  }
  const typeProblem = promqlTypeProblem(expression);
  return typeProblem === undefined
    ? undefined
    : `does not parse as PromQL at ${lineColumn(expression, typeProblem.at)}: ${typeProblem.message}`;
}

/**
 * Whether a LogQL expression that parses is a metric query (a sample expression, such as
 * count_over_time over a selector), not a log query (a selector and its pipeline): Loki's ruler
 * evaluates only the former.
 */
export function isLogqlMetricQuery(expression: string): boolean {
  return logqlParser.parse(expression).topNode.firstChild?.firstChild?.name === "MetricExpr";
}

/** Why a rule expression that parses is no rule for Loki's ruler, or undefined. */
export const LOG_QUERY_IN_RULE =
  "is a log query: Loki's ruler evaluates only metric queries (samples), such as count_over_time";

/**
 * Prometheus' words for two grammar errors its own grammar names: a call of a function the server
 * does not have (the editor's grammar knows only the server's functions, so the name is no function
 * to it), and arithmetic in a range, which Prometheus 3.5 parses only with a feature flag.
 */
function promqlGrammarError(expression: string, errorAt: number): string | undefined {
  const before = expression.slice(0, errorAt);
  const rest = expression.slice(errorAt);
  const call = /([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(before);
  if (call !== null && rest.startsWith("(")) {
    return `unknown function with name "${call[1]}"`;
  }
  if (/\[\s*[0-9a-z.]+\s*$/.test(before) && /^[-+*/%^]/.test(rest)) {
    return "experimental duration expression is not enabled";
  }
  return undefined;
}

function parseError(language: QueryLanguage, expression: string, errorAt: number): string {
  const named = language === "PromQL" ? promqlGrammarError(expression, errorAt) : undefined;
  if (named !== undefined) {
    return `does not parse as PromQL at ${lineColumn(expression, errorAt)}: ${named}`;
  }
  const rest = expression.slice(errorAt).trimEnd();
  const near =
    rest === ""
      ? "where it ends too early"
      : `at ${JSON.stringify(rest.length > QUOTED_CHARACTERS ? `${rest.slice(0, QUOTED_CHARACTERS)}…` : rest)}`;
  return `does not parse as ${language} at ${lineColumn(expression, errorAt)}, ${near}`;
}
