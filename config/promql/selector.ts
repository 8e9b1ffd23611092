import { parser } from "@prometheus-io/lezer-promql";
import { queryParseProblem } from "./queryGrammar";

/** A PromQL instant-vector selector taken apart: its metric name and its label matchers' text. */
export interface SelectorParts {
  readonly metric: string;
  /** The matchers between the braces, e.g. `outcome="failed", region="eu"`; "" when there are none. */
  readonly matchers: string;
}

/**
 * Why `text` is not a selector of one metric such as `payments_total{outcome="failed"}` (no function,
 * no range, no operator: the SLO engine wraps it in `rate()` over each window), or undefined.
 */
export function selectorProblem(text: string): string | undefined {
  const parseProblem = queryParseProblem("PromQL", text);
  if (parseProblem !== undefined) {
    return parseProblem;
  }
  return selectorParts(text) === undefined
    ? 'must be a selector of one metric, such as payments_total{outcome="failed"}: no function, range or operator'
    : undefined;
}

/** The parts of a selector that parses (see selectorProblem), or undefined for any other expression. */
export function selectorParts(text: string): SelectorParts | undefined {
  const root = parser.parse(text.trim()).topNode.firstChild;
  if (root === null || root.name !== "VectorSelector" || root.nextSibling !== null) {
    return undefined;
  }
  const source = text.trim();
  const name = root.getChild("Identifier");
  const matchers = root.getChild("LabelMatchers");
  if (name === null) {
    return undefined;
  }
  return {
    metric: source.slice(name.from, name.to),
    matchers: matchers === null ? "" : source.slice(matchers.from + 1, matchers.to - 1).trim(),
  };
}
