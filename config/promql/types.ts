import { ensureSyntaxTree, syntaxTree } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import type { SyntaxNode } from "@lezer/common";
import { LanguageType, promQLLanguage } from "@prometheus-io/codemirror-promql";
// The linter's analysis itself: the package's lint strategy wraps it for an editor view.
import { Parser } from "@prometheus-io/codemirror-promql/dist/cjs/parser";
import { stringValue } from "./queryStrings";
import { anchoredRe2Matches } from "./re2";

// What Prometheus' parser refuses in an expression that is grammatical: function and aggregation
// arity, argument and operand types, selectors that match everything, modifiers where they cannot
// go, and what the deployed server has not enabled. The type rules are the linter's of the
// Prometheus UI's editor (@prometheus-io/codemirror-promql, which parses with its own release of the
// grammar: the deployed server's, config/promql/queryGrammar.ts, has accepted the expression first), its
// messages put in the parser's words; what that linter leaves out (the parser's grammar actions) is
// checked beside it as Prometheus 3.5's parser checks it. The stack runs Prometheus without
// --enable-feature=promql-experimental-functions, so experimental functions are refused as it
// refuses them.

/** Functions Prometheus 3.5 marks experimental. */
const EXPERIMENTAL_FUNCTIONS = new Set([
  "double_exponential_smoothing",
  "info",
  "mad_over_time",
  "sort_by_label",
  "sort_by_label_desc",
  "ts_of_last_over_time",
  "ts_of_max_over_time",
  "ts_of_min_over_time",
]);

/** Aggregations Prometheus 3.5 marks experimental. */
const EXPERIMENTAL_AGGREGATIONS = new Set(["limitk", "limit_ratio"]);

/** Aggregations that take a parameter before the vector: topk(5, x). */
const AGGREGATIONS_WITH_PARAMETER = new Set([
  "topk",
  "bottomk",
  "quantile",
  "count_values",
  "limitk",
  "limit_ratio",
]);

/** The nodes a range, an offset or an @ may follow, as Prometheus' parser has them. */
const SELECTORS = new Set(["VectorSelector", "MatrixSelector", "SubqueryExpr"]);
/** The grammar's nodes for modifiers, which Prometheus keeps as fields of the selector they follow. */
const MODIFIERS = new Set(["OffsetExpr", "StepInvariantExpr"]);

/** The linter's names of value types, as Prometheus' messages name them. */
const DOCUMENTED_TYPES: Readonly<Record<string, string>> = {
  vector: "instant vector",
  matrix: "range vector",
  scalar: "scalar",
  string: "string",
  none: "none",
};

/** A problem at an offset of the expression, in Prometheus' words. */
export interface TypeProblem {
  readonly at: number;
  readonly message: string;
}

const language = promQLLanguage(LanguageType.PromQL);

/** The editor state of an expression, its whole text parsed (an editor parses only what it shows at first). */
function parsedState(expression: string): EditorState {
  const state = EditorState.create({ doc: expression, extensions: [language] });
  if (syntaxTree(state).length === expression.length) {
    return state;
  }
  ensureSyntaxTree(state, expression.length, 10000);
  return state.update({}).state;
}

/**
 * The operand a range, offset or @ written after `node` applies to, as Prometheus' grammar binds it:
 * the editor's grammar gives `a + b offset 1m` to the whole sum, Prometheus to `b` alone, so the
 * operand is found under the right-hand sides of operators and under other modifiers. `repeated`
 * says whether a modifier of the kind `modifier` is among those, `operator` the first operator passed.
 */
function modifiedOperand(
  node: SyntaxNode | null,
  modifier: string,
): { base: SyntaxNode | null; repeated: boolean; operator: string | undefined } {
  let base = node;
  let repeated = false;
  let operator: string | undefined;
  while (base !== null) {
    if (MODIFIERS.has(base.name)) {
      repeated ||= base.name === modifier;
      base = base.firstChild;
    } else if (base.name === "BinaryExpr" || base.name === "UnaryExpr") {
      operator ??= base.name;
      base = base.lastChild;
    } else {
      break;
    }
  }
  if (base?.name === "MatrixSelector") {
    repeated ||= modifiedOperand(base.firstChild, modifier).repeated;
  }
  return { base, repeated, operator };
}

/** Prometheus' words for an operator applied to a range vector. */
const RANGE_OPERAND: Readonly<Record<string, string>> = {
  BinaryExpr: "binary expression must contain only scalar and instant vector types",
  UnaryExpr:
    'unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
};

/** Whether one label matcher of a selector matches a series without the label (its empty value). */
function matchesEmpty(matcher: SyntaxNode, text: (node: SyntaxNode) => string): boolean {
  const op = matcher.getChild("MatchOp")?.firstChild?.name;
  const literal = matcher.getChild("StringLiteral");
  const value = literal === null ? undefined : stringValue(text(literal));
  if (value === undefined) return false;
  switch (op) {
    case "EqlSingle":
      return value === "";
    case "Neq":
      return value !== "";
    case "EqlRegex":
      return anchoredRe2Matches(value, "");
    default:
      return !anchoredRe2Matches(value, "");
  }
}

/**
 * Whether a selector without a metric name has only matchers that match the empty value, which
 * would select every series: the linter counts a regex matcher as never matching it.
 */
function selectsEverything(selector: SyntaxNode, text: (node: SyntaxNode) => string): boolean {
  const list = selector.getChild("LabelMatchers");
  if (selector.getChild("Identifier") !== null || list?.getChild("QuotedLabelName") != null) return false;
  return [
    ...(list?.getChildren("UnquotedLabelMatcher") ?? []),
    ...(list?.getChildren("QuotedLabelMatcher") ?? []),
  ].every((matcher) => matchesEmpty(matcher, text));
}

/** What Prometheus' grammar actions refuse at a node, which the linter does not check. */
function grammarActionProblem(node: SyntaxNode, text: (node: SyntaxNode) => string): string | undefined {
  switch (node.name) {
    case "FunctionCall": {
      const name = node.firstChild === null ? "" : text(node.firstChild);
      return EXPERIMENTAL_FUNCTIONS.has(name) ? `function "${name}" is not enabled` : undefined;
    }
    case "AggregateExpr": {
      const op = node.getChild("AggregateOp");
      const name = op === null ? "" : text(op);
      const args = node.getChild("FunctionCallBody")?.getChildren("Expr").length ?? 0;
      const wanted = AGGREGATIONS_WITH_PARAMETER.has(name) ? 2 : 1;
      if (args === 0) return "no arguments for aggregate expression provided";
      if (EXPERIMENTAL_AGGREGATIONS.has(name))
        return `${name}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`;
      return args === wanted
        ? undefined
        : `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args}`;
    }
    case "VectorSelector":
      return selectsEverything(node, text)
        ? "vector selector must contain at least one non-empty matcher"
        : undefined;
    case "MatrixSelector": {
      const { base, operator } = modifiedOperand(node.firstChild, "");
      if (base?.name !== "VectorSelector") return "ranges only allowed for vector selectors";
      return operator === undefined ? undefined : RANGE_OPERAND[operator];
    }
    case "SubqueryExpr": {
      const { operator } = modifiedOperand(node.firstChild, "");
      return operator === undefined ? undefined : RANGE_OPERAND[operator];
    }
    case "OffsetExpr":
    case "StepInvariantExpr": {
      const { base, repeated } = modifiedOperand(node.firstChild, node.name);
      const what = node.name === "OffsetExpr" ? "offset" : "@";
      if (!SELECTORS.has(base?.name ?? "")) {
        return `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`;
      }
      if (!repeated) return undefined;
      return what === "offset"
        ? "offset may not be set multiple times"
        : "@ <timestamp> may not be set multiple times";
    }
    default:
      return undefined;
  }
}

/** A linter message in Prometheus' words, given the node it is about. */
function prometheusWording(
  message: string,
  node: SyntaxNode | null,
  text: (node: SyntaxNode) => string,
): string {
  const typed = /^expected type (\w+) in (.*), got (\w+)$/.exec(message);
  if (typed !== null) {
    return `expected type ${DOCUMENTED_TYPES[typed[1]]} in ${typed[2]}, got ${DOCUMENTED_TYPES[typed[3]]}`;
  }
  const unary =
    /^(unary expression only allowed on expressions of type scalar or instant vector, got) (\w+)$/.exec(
      message,
    );
  if (unary !== null) {
    return `${unary[1]} "${DOCUMENTED_TYPES[unary[2]]}"`;
  }
  const subquery = /^(subquery is only allowed on instant vector, got \w+) in \w+ instead$/.exec(message);
  if (subquery !== null) {
    return `${subquery[1]} instead`;
  }
  const twice = /^metric name must not be set twice: (.*) or (.*)$/.exec(message);
  if (twice !== null) {
    return `metric name must not be set twice: ${JSON.stringify(twice[1])} or ${JSON.stringify(twice[2])}`;
  }
  const operator = node?.name === "BinaryExpr" ? node.firstChild?.nextSibling : undefined;
  const op = operator === undefined || operator === null ? "" : text(operator).toLowerCase();
  if (message === "set operator not allowed in binary scalar expression") {
    return `set operator "${op}" not allowed in binary scalar expression`;
  }
  if (message === "no grouping allowed for set operations") {
    return `no grouping allowed for "${op}" operation`;
  }
  return message;
}

/**
 * The first problem Prometheus' parser finds in a grammatical PromQL expression beyond its grammar:
 * what its grammar actions refuse (functions not enabled, aggregation arity, misplaced modifiers),
 * then what its type check refuses (function arity, argument and operand types, empty selectors).
 */
export function promqlTypeProblem(expression: string): TypeProblem | undefined {
  const state = parsedState(expression);
  const tree = syntaxTree(state);
  const text = (node: SyntaxNode) => state.sliceDoc(node.from, node.to);
  let first: TypeProblem | undefined;
  tree.iterate({
    enter: (ref) => {
      const message = first === undefined ? grammarActionProblem(ref.node, text) : undefined;
      if (message !== undefined) first = { at: ref.from, message };
      return first === undefined;
    },
  });
  if (first !== undefined) {
    return first;
  }
  const linter = new Parser(state);
  linter.analyze();
  const [diagnostic] = linter.getDiagnostics().filter((d) => d.severity === "error");
  if (diagnostic === undefined) {
    return undefined;
  }
  let node: SyntaxNode | null = tree.resolveInner(diagnostic.from, 1);
  while (node !== null && !(node.from === diagnostic.from && node.to === diagnostic.to)) {
    node = node.parent;
  }
  return { at: diagnostic.from, message: prometheusWording(diagnostic.message, node, text) };
}
