import { parser } from "@prometheus-io/lezer-promql";

// The number an alert's expression compares with (`… > 0.25`), where a stack file may set another:
// the alerts whose threshold no `metrics.alerts` key sets. An expression has one when exactly one
// of its comparisons orders a value against a number; with two (a waiting reason `== 1` or restarts
// `> 3`) which one is meant cannot be told, and none is taken.

const ORDERINGS = new Set(["Gtr", "Lss", "Gte", "Lte"]);

/** Where the threshold literal of `expr` is, or undefined when it has none or several. */
function thresholdAt(expr: string): { readonly from: number; readonly to: number } | undefined {
  const found: { from: number; to: number }[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "BinaryExpr") return;
      const operator = node.node.firstChild?.nextSibling;
      const literal = node.node.lastChild;
      if (
        operator !== null &&
        operator !== undefined &&
        ORDERINGS.has(operator.name) &&
        operator.nextSibling?.name !== "BoolModifier" &&
        literal?.name === "NumberDurationLiteral"
      ) {
        found.push({ from: literal.from, to: literal.to });
      }
    },
  });
  return found.length === 1 ? found[0] : undefined;
}

/** Whether the alert's expression has a threshold a stack file may set. */
export const hasThreshold = (expr: string): boolean => thresholdAt(expr) !== undefined;

/** The expression with its threshold set to `value`; as it is where it has none (a problem the config reports). */
export function withThreshold(expr: string, value: number): string {
  const at = thresholdAt(expr);
  return at === undefined ? expr : `${expr.slice(0, at.from)}${value}${expr.slice(at.to)}`;
}
