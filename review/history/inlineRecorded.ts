// A rule's expression with the recorded series it reads replaced by the expressions that record
// them: how a backtest evaluates a rule that reads what the history does not hold as the change
// would record it (a new recording rule, or one the change rewrites).
import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { durationMs } from "../../config/durations";
import { labelMatches } from "../../config/promql/re2";

/** A recording rule of one side: what it records, its expression, its own labels and how often it runs. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly intervalSeconds: number;
}

/** Why an expression cannot be evaluated from the history: the series it needs. */
export class CannotBacktest extends Error {}

/** The metric names an expression's selectors read. */
export function selectedNames(expr: string): Set<string> {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "VectorSelector") return undefined;
      const name = node.node.getChild("Identifier");
      if (name !== null) names.add(expr.slice(name.from, name.to));
      return false;
    },
  });
  return names;
}

interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

const unquote = (literal: string): string =>
  literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1);

function matchersOf(expr: string, selector: SyntaxNode): Matcher[] {
  const list = selector.getChild("LabelMatchers");
  if (list === null) return [];
  const found: Matcher[] = [];
  for (let m = list.firstChild; m !== null; m = m.nextSibling) {
    const [label, op, value] = [m.getChild("LabelName"), m.getChild("MatchOp"), m.getChild("StringLiteral")];
    if (label === null || op === null || value === null) continue;
    found.push({
      label: expr.slice(label.from, label.to),
      op: expr.slice(op.from, op.to),
      value: unquote(expr.slice(value.from, value.to)),
    });
  }
  return found;
}

const quoted = (text: string) => JSON.stringify(text);

/** Functions that answer a scalar. */
const SCALAR_FUNCTIONS = new Set(["time", "scalar", "pi"]);

/** Whether the expression answers a scalar, which a recording rule records as a series without labels. */
function isScalar(node: SyntaxNode, expr: string): boolean {
  switch (node.name) {
    case "NumberDurationLiteral":
      return true;
    case "ParenExpr":
    case "UnaryExpr":
      return node.lastChild !== null && isScalar(node.lastChild, expr);
    case "BinaryExpr": {
      const [left, right] = [node.firstChild, node.lastChild];
      return left !== null && right !== null && isScalar(left, expr) && isScalar(right, expr);
    }
    case "FunctionCall": {
      const identifier = node.getChild("FunctionIdentifier");
      return identifier !== null && SCALAR_FUNCTIONS.has(expr.slice(identifier.from, identifier.to));
    }
    default:
      return false;
  }
}

/** What the rule records, as an expression: its own labels set on what it answers, a scalar made a series. */
function recorded(expr: string, labels: Readonly<Record<string, string>>): string {
  const root = parser.parse(expr).topNode.firstChild;
  const series = root !== null && isScalar(root, expr) ? `vector(${expr})` : `(${expr})`;
  return Object.entries(labels).reduce(
    (text, [label, value]) => `label_replace(${text}, ${quoted(label)}, ${quoted(value)}, "", "")`,
    series,
  );
}

/** Nesting deeper than this is a rule that reads itself through others. */
const MAX_DEPTH = 12;

/**
 * `expr` with every selector of a name in `names` replaced by what the rules recording that name
 * answer (each with its own labels, filtered by the selector's matchers): a range over one becomes
 * a subquery at the recording rule's interval. Throws CannotBacktest where that cannot be written:
 * a name no rule records, a matcher other than `=` on a label the rule does not set itself, an
 * offset or `@` on a replaced selector.
 */
export function inlineRecorded(
  expr: string,
  rules: readonly RecordingRule[],
  names: ReadonlySet<string>,
  depth = 0,
): string {
  if (depth > MAX_DEPTH)
    throw new CannotBacktest(`the recording rules of ${[...names].join(", ")} read each other`);
  const edits: { from: number; to: number; text: string }[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "VectorSelector") return undefined;
      const identifier = node.node.getChild("Identifier");
      const name = identifier === null ? "" : expr.slice(identifier.from, identifier.to);
      if (!names.has(name)) return false;
      const parent = node.node.parent;
      const outer = parent?.name === "MatrixSelector" ? parent.parent : parent;
      if (outer !== null && ["OffsetExpr", "StepInvariantExpr"].includes(outer.name)) {
        throw new CannotBacktest(
          `${name} is read with an offset or @, which a backtest of its rule cannot rewrite`,
        );
      }
      const recorders = rules.filter((r) => r.record === name);
      if (recorders.length === 0)
        throw new CannotBacktest(`needs ${name}, which the history lacks and no rule records`);
      const matchers = matchersOf(expr, node.node).filter((m) => m.label !== "__name__");
      const alternatives = recorders.flatMap((rule) => {
        const dynamic: Matcher[] = [];
        for (const m of matchers) {
          const own = rule.labels[m.label];
          if (own !== undefined && !own.includes("{{")) {
            if (!labelMatches(m.op, m.value, own)) return [];
          } else if (m.op === "=") {
            dynamic.push(m);
          } else {
            throw new CannotBacktest(
              `needs ${name}{${m.label}${m.op}${quoted(m.value)}}, a matcher on a label its recording rule does not set`,
            );
          }
        }
        const inner = recorded(inlineRecorded(rule.expr, rules, names, depth + 1), rule.labels);
        return [
          dynamic.reduce(
            (text, m) =>
              `(${text} and on (${m.label}) label_replace(vector(1), ${quoted(m.label)}, ${quoted(m.value)}, "", ""))`,
            inner,
          ),
        ];
      });
      const answer = alternatives.length === 0 ? "absent(vector(1))" : `(${alternatives.join(" or ")})`;
      if (parent?.name === "MatrixSelector") {
        const range = parent.getChild("NumberDurationLiteralInDurationContext") ?? parent.lastChild;
        const step = Math.min(...recorders.map((r) => r.intervalSeconds));
        edits.push({
          from: parent.from,
          to: parent.to,
          text: `${answer}[${expr.slice(range!.from, range!.to)}:${step}s]`,
        });
      } else {
        edits.push({ from: node.from, to: node.to, text: answer });
      }
      return false;
    },
  });
  return edits
    .sort((a, b) => b.from - a.from)
    .reduce((text, edit) => text.slice(0, edit.from) + edit.text + text.slice(edit.to), expr);
}

/**
 * About how many samples of each series one evaluation of `expr` reads, at each of `evaluations`:
 * a range reads its length over the interval its series are written at (`sampleSeconds` of the
 * name: a recording rule's interval, else the scrape interval), an instant selector one, a
 * subquery its inner expression at each of its steps.
 */
export function samplesRead(
  expr: string,
  evaluations: number,
  sampleSeconds: (name: string) => number,
): number {
  const seconds = (text: string) => durationMs(text) / 1000;
  const cost = (node: SyntaxNode, times: number): number => {
    switch (node.name) {
      case "MatrixSelector": {
        const selector = node.getChild("VectorSelector");
        const name = selector?.getChild("Identifier");
        const range = node.getChild("NumberDurationLiteralInDurationContext");
        if (name == null || range === null) return times;
        return (
          times *
          Math.max(
            1,
            seconds(expr.slice(range.from, range.to)) / sampleSeconds(expr.slice(name.from, name.to)),
          )
        );
      }
      case "VectorSelector":
        return times;
      case "SubqueryExpr": {
        const [range, step] = node.getChildren("NumberDurationLiteralInDurationContext");
        const inner = node.firstChild;
        if (inner === null || range === undefined) return times;
        const stepSeconds = step === undefined ? 60 : seconds(expr.slice(step.from, step.to));
        return cost(inner, times * (seconds(expr.slice(range.from, range.to)) / stepSeconds));
      }
      default: {
        let sum = 0;
        for (let child = node.firstChild; child !== null; child = child.nextSibling)
          sum += cost(child, times);
        return sum;
      }
    }
  };
  return cost(parser.parse(expr).topNode, evaluations);
}
