import { parser } from "@prometheus-io/lezer-promql";
import type { ClusterChoice } from "../../common/peer";
import { DashboardSpec, PanelSpec, Query, VariableSpec } from "./model";

export type { ClusterChoice };

const VARIABLE = "cluster";

/**
 * Grafana's own variables are not PromQL: each is read as a duration of the same length, so the
 * grammar finds the selectors and their offsets stay those of the text.
 */
const GRAFANA_VARIABLES = /\$__[a-z_]+|\$\{__[a-z_]+\}/g;

/** `expr` with `matcher` added to every vector selector it has. */
export function withMatcher(expr: string, matcher: string): string {
  const parsable = expr.replace(GRAFANA_VARIABLES, (variable) => `${"0".repeat(variable.length - 1)}s`);
  const insertions: { readonly at: number; readonly text: string }[] = [];
  parser.parse(parsable).iterate({
    enter: (node) => {
      if (node.name !== "VectorSelector") {
        return;
      }
      const matchers = node.node.getChild("LabelMatchers");
      if (matchers === null) {
        insertions.push({ at: node.to, text: `{${matcher}}` });
        return;
      }
      const inside = parsable.slice(matchers.from + 1, matchers.to - 1).trim();
      insertions.push({ at: matchers.to - 1, text: inside === "" ? matcher : `, ${matcher}` });
    },
  });
  return insertions
    .sort((a, b) => b.at - a.at)
    .reduce((text, { at, text: added }) => text.slice(0, at) + added + text.slice(at), expr);
}

/** A variable's query with the matcher in the selector of `label_values` and the expression of `query_result`. */
function variableQuery(query: string, matcher: string): string {
  const labelValues = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/s.exec(query);
  if (labelValues !== null) {
    return `label_values(${withMatcher(labelValues[1], matcher)}, ${labelValues[2]})`;
  }
  const result = /^query_result\((.+)\)$/s.exec(query);
  if (result !== null) {
    return `query_result(${withMatcher(result[1], matcher)})`;
  }
  throw new Error(`variable query ${query} is neither label_values(…) nor query_result(…)`);
}

const picked = (query: Query, matcher: string): Query =>
  query.kind === "prometheus" ? { ...query, expr: withMatcher(query.expr, matcher) } : query;

/**
 * A dashboard over several clusters' series: a `cluster` picker first (this cluster selected),
 * and every Prometheus query and variable keeps the picked cluster's series only. A dashboard
 * without a Prometheus query is left as it is: its Loki and Tempo are this cluster's alone.
 */
export function withClusterPicker(spec: Omit<DashboardSpec, "uid" | "title">, choice: ClusterChoice) {
  const readsPrometheus = spec.panels.some((p) => (p.queries ?? []).some((q) => q.kind === "prometheus"));
  if (!readsPrometheus) {
    return spec;
  }
  const matcher = `${choice.label}="$${VARIABLE}"`;
  const picker: VariableSpec = {
    name: VARIABLE,
    label: "Cluster",
    query: `label_values(up, ${choice.label})`,
    multi: false,
    includeAll: false,
    current: choice.current,
  };
  return {
    ...spec,
    variables: [
      picker,
      ...(spec.variables ?? []).map((v) => ({ ...v, query: variableQuery(v.query, matcher) })),
    ],
    panels: spec.panels.map(
      (panel): PanelSpec =>
        panel.queries === undefined
          ? panel
          : { ...panel, queries: panel.queries.map((q) => picked(q, matcher)) },
    ),
  };
}
