import { parser } from "@prometheus-io/lezer-promql";
import { selectorParts } from "../promql/selector";
import { queryParseProblem } from "../promql/queryGrammar";

// The PromQL an SLO's indicator is written in, and how the engine reads it over a window. Teams
// bring four forms: a counter's selector (`payments_total{outcome="failed"}`), a sum of one
// (`sum by (route) (http_requests_total)`), a query with Sloth's and opensloctl's window placeholder
// (`sum(rate(x_total[{{.window}}]))`, `{{.Window}}`), and any other expression, which has a value at every
// evaluation (`sum(rate(x_total[5m]))`, a gauge).

/**
 * The window placeholder as the tools write it: Sloth's `{{.window}}`, and `{{.Window}}` as
 * opensloctl's examples write it; spaces allowed inside the braces as Go templates allow.
 */
const WINDOW_PLACEHOLDER = /\{\{\s*\.[wW]indow\s*\}\}/g;

/** Sloth's own placeholder, as its generator finds it: `{{.window}}` in lower case, spaces around it. */
const SLOTH_WINDOW_PLACEHOLDER = /\{\{ *\.window *\}\}/;

/** Whether the query says where its range goes with the window placeholder. */
export const takesWindow = (query: string): boolean => query.search(WINDOW_PLACEHOLDER) >= 0;

/** Whether a Sloth query says where its range goes as Sloth requires: `{{.window}}`. */
export const takesSlothWindow = (query: string): boolean => SLOTH_WINDOW_PLACEHOLDER.test(query);

/**
 * The range a threshold's window placeholder reads back over at each evaluation, where the engine
 * samples whether its bound holds: the shortest window the engine reads.
 */
export const SAMPLE_WINDOW = "5m";

/** The query with its window placeholders replaced by `window`. */
export const atWindow = (query: string, window: string): string => query.replace(WINDOW_PLACEHOLDER, window);

/** How the engine reads a query. */
export type SliQueryForm =
  /** Has `{{.window}}`: evaluated as given over each window. */
  | { readonly form: "window" }
  /** A selector of one metric. */
  | { readonly form: "selector" }
  /** `sum [by|without (labels)] (selector)`; `grouping` is the modifier's text, e.g. `by (route)`. */
  | { readonly form: "sum"; readonly selector: string; readonly grouping: string }
  /** Any other expression; `ranged` when it reads a range itself (a rate, an increase, a subquery). */
  | { readonly form: "expression"; readonly ranged: boolean };

/** The form of a query that parses (see sliQueryProblem). */
export function sliQueryForm(query: string): SliQueryForm {
  if (takesWindow(query)) {
    return { form: "window" };
  }
  const text = query.trim();
  if (selectorParts(text) !== undefined) {
    return { form: "selector" };
  }
  const root = parser.parse(text).topNode.firstChild;
  const body = root?.getChild("FunctionCallBody");
  const operand = body?.firstChild;
  if (
    root?.name === "AggregateExpr" &&
    root.getChild("AggregateOp")?.firstChild?.name === "Sum" &&
    operand?.name === "VectorSelector" &&
    operand.nextSibling === null
  ) {
    const modifier = root.getChild("AggregateModifier");
    return {
      form: "sum",
      selector: text.slice(operand.from, operand.to),
      grouping: modifier === null ? "" : text.slice(modifier.from, modifier.to),
    };
  }
  let ranged = false;
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.name === "MatrixSelector" || node.name === "SubqueryExpr") {
        ranged = true;
      }
      return !ranged;
    },
  });
  return { form: "expression", ranged };
}

/** Why `query` is no PromQL the engine can read, or undefined: the grammar's verdict, placeholders filled. */
export function sliQueryProblem(query: string): string | undefined {
  const filled = atWindow(query, "5m");
  if (filled.includes("{{")) {
    return "must use no template but {{.window}} or {{.Window}} (where a range goes)";
  }
  return queryParseProblem("PromQL", filled);
}

/** The rate of a counter query of form selector or sum over `window`, summed as the query groups it. */
export function counterRate(query: string, window: string): string {
  const form = sliQueryForm(query);
  if (form.form === "sum") {
    return `sum${form.grouping === "" ? "" : ` ${form.grouping} `}(rate(${form.selector}[${window}]))`;
  }
  return `sum(rate(${query.trim()}[${window}]))`;
}

/** The label sets every `by (…)` of the query's aggregations groups by. */
function groupings(query: string): string[][] {
  const text = atWindow(query, "5m");
  const sets: string[][] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.name === "AggregateModifier" && node.node.getChild("By") !== null) {
        sets.push(
          (node.node.getChild("GroupingLabels")?.getChildren("LabelName") ?? []).map((l) =>
            text.slice(l.from, l.to),
          ),
        );
      }
    },
  });
  return sets;
}

/**
 * The query counted per `labels`, as an OpenSLO source's dimensions ask: a selector is summed by them;
 * any other query must group by them itself (every `by` of it), or undefined.
 */
export function summedBy(query: string, labels: readonly string[]): string | undefined {
  if (sliQueryForm(query).form === "selector") {
    return `sum by (${labels.join(", ")}) (${query.trim()})`;
  }
  const wanted = [...labels].sort().join(",");
  const sets = groupings(query);
  return sets.length > 0 && sets.every((set) => [...set].sort().join(",") === wanted) ? query : undefined;
}
