// Where Alertmanager sends an alert, read from the rendered alertmanager.yml, told in words. A rule
// fixes only some of its alert's labels (its own and `alertname`); the others come from the series
// it fires on, so a route that matches on one of those is told as a condition ("payments-oncall if
// namespace="payments", otherwise critical"). Severities are the rules' own: a rule without one
// sends an alert without one. The stack's routes hang one level under the root.

import { labelMatches } from "../config/promql/re2";

type Json = Readonly<Record<string, unknown>>;

interface Route {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly continue?: boolean;
}

/** Alertmanager's matcher with a quoted value: `namespace="payments"`, `team=~"a|b"`. */
const MATCHER = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"$/;

/** Labels only rules set, by convention: a rule that does not set one leaves it out, whatever the series. */
const RULES_LABELS = ["severity", "sloth_severity"];

/** Whether the matcher holds for `labels`, or undefined when the label is not one the rule fixes. */
function holds(matcher: string, labels: Readonly<Record<string, string>>): boolean | undefined {
  const [, name, op, quoted] = MATCHER.exec(matcher) ?? [];
  if (name === undefined || !(name in labels || RULES_LABELS.includes(name))) return undefined;
  const value = quoted.replace(/\\([n"\\])/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped));
  // Alertmanager reads a label an alert does not have as empty.
  return labelMatches(op, value, labels[name] ?? "");
}

/** The labels a rule fixes on its alert: its own (its group's included) and `alertname`; a templated value is the series'. */
export function fixedLabels(alert: string, labels: Json | undefined): Record<string, string> {
  const fixed = Object.entries(labels ?? {})
    .map(([name, value]) => [name, String(value)] as const)
    .filter(([, value]) => !value.includes("{{"));
  return { ...Object.fromEntries(fixed), alertname: alert };
}

/**
 * The receivers an alert with these fixed labels reaches under `alertmanagerYml`'s routes, in
 * words: `critical`, `payments-oncall and warning` (a route with continue), or with conditions on
 * the labels the series decide.
 */
export function alertReceivers(alertmanagerYml: Json, labels: Readonly<Record<string, string>>): string {
  const root = (alertmanagerYml.route ?? {}) as Json & { routes?: Route[] };
  const silent = ((alertmanagerYml.receivers ?? []) as Json[]).some(
    (r) => r.name === root.receiver && Object.keys(r).length === 1,
  );
  const routes = root.routes ?? [];
  const from = (first: number): string => {
    for (const [i, route] of routes.entries()) {
      if (i < first) continue;
      const verdicts = (route.matchers ?? []).map((m) => [m, holds(m, labels)] as const);
      if (verdicts.some(([, verdict]) => verdict === false)) continue;
      const open = verdicts.filter(([, verdict]) => verdict === undefined).map(([m]) => m);
      if (open.length === 0)
        return route.continue === true ? `${route.receiver} and ${from(i + 1)}` : route.receiver;
      const taken = `${route.receiver} if ${open.join(", ")}`;
      return route.continue === true ? `${taken}; ${from(i + 1)}` : `${taken}, otherwise ${from(i + 1)}`;
    }
    return `${String(root.receiver)} (the root route's${silent ? ", which notifies no one" : ""})`;
  };
  return from(0);
}
