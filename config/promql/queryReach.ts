import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { durationMs } from "../durations";

// How far back a PromQL expression reads from the time it is evaluated at, and which metrics it
// selects: a rule can only be evaluated where that much history is kept, and a rule that reads a
// series another rule records runs where that one runs.

export interface QueryReach {
  /** The longest history it reads: a range, plus the offset and the subquery ranges around it. */
  readonly reachMs: number;
  /** The metric names its selectors name. */
  readonly metrics: ReadonlySet<string>;
}

/** The metric name of a selector: its identifier, or a `__name__="…"` matcher. */
function metricName(selector: SyntaxNode, text: string): string | undefined {
  const identifier = selector.getChild("Identifier");
  if (identifier !== null) return text.slice(identifier.from, identifier.to);
  const named = /__name__\s*=\s*"([^"]+)"/.exec(text.slice(selector.from, selector.to));
  return named?.[1];
}

/** The reach of a parsed expression: each node's, from its children's and its own durations. */
export function queryReach(expression: string): QueryReach {
  const metrics = new Set<string>();
  const reach = (node: SyntaxNode): number => {
    if (node.name === "VectorSelector") {
      const name = metricName(node, expression);
      if (name !== undefined) metrics.add(name);
    }
    let inner = 0;
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      inner = Math.max(inner, reach(child));
    }
    // selector[range], expr[range:step] and expr offset d: the first duration written in the node
    // is how much further back than its operand it reads.
    if (!["MatrixSelector", "SubqueryExpr", "OffsetExpr"].includes(node.name)) return inner;
    const own = node.getChild("NumberDurationLiteralInDurationContext");
    return inner + (own === null ? 0 : durationMs(expression.slice(own.from, own.to)));
  };
  return { reachMs: reach(parser.parse(expression).topNode), metrics };
}
