// What one severity gets from each input that carries one (a team's rule file, metrics.slos, an
// OpenSLO alert condition, a Sloth spec's label), with alerting.otherSeverities unset (the
// default), warning and refuse: the table docs/extending.md shows, from the config check itself
// and the receiver the rendered Alertmanager routes send the alert to.
import * as yaml from "js-yaml";
import { ConfigError } from "../../config";
import { alertmanagerConfig } from "../../components/metrics/alertmanagerConfig";
import { parseStackConfig } from "../../config/load";
import { OtherSeverities } from "../../config/alerting/severities";
import { alertReceivers, fixedLabels } from "../../review/alertReceivers";
import { Json } from "../../tests/kit/json";

/** The severities the table shows: the platform's page, a typo of it, a team's word, and any other. */
export const SEVERITIES_SHOWN = ["critical", "critcal", "page", "home"] as const;

/** What an input made of a severity: the alert's severity label and where it goes, or why it was refused. */
export type SeverityOutcome =
  | { readonly accepted: string; readonly receiver: string }
  | { readonly refused: string };

const ruleFile = (severity: string) =>
  yaml.dump({
    groups: [{ name: "team", rules: [{ alert: "TeamAlert", expr: "up == 0", labels: { severity } }] }],
  });

const slo = (severity: string) => ({
  name: "checkout",
  service: "payment-service",
  objective: 0.99,
  window: "7d",
  indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
  alerts: [{ name: "CheckoutBurn", severity, when: [{ burnRate: 14.4, window: "1h" }] }],
});

const openSlo = (severity: string) =>
  yaml.dump({
    apiVersion: "openslo/v1",
    kind: "SLO",
    metadata: { name: "checkout" },
    spec: {
      service: "payment-service",
      timeWindow: [{ duration: "7d", isRolling: true }],
      budgetingMethod: "Occurrences",
      objectives: [{ target: 0.99 }],
      indicator: {
        metadata: { name: "checkout-errors" },
        spec: {
          ratioMetric: {
            counter: true,
            bad: {
              metricSource: { type: "Prometheus", spec: { query: 'payments_total{outcome="failed"}' } },
            },
            total: { metricSource: { type: "Prometheus", spec: { query: "payments_total" } } },
          },
        },
      },
      alertPolicies: [
        {
          kind: "AlertPolicy",
          metadata: { name: "checkout-burn" },
          spec: {
            conditions: [
              {
                kind: "AlertCondition",
                metadata: { name: "fast" },
                spec: { severity, condition: { op: "gt", threshold: 14.4, lookbackWindow: "1h" } },
              },
            ],
            notificationTargets: [
              { kind: "AlertNotificationTarget", metadata: { name: "critical" }, spec: { target: "pager" } },
            ],
          },
        },
      ],
    },
  });

const sloth = (severity: string) =>
  yaml.dump({
    version: "prometheus/v1",
    service: "payment-service",
    slos: [
      {
        name: "checkout",
        objective: 99,
        sli: {
          events: {
            error_query: 'sum(rate(payments_total{outcome="failed"}[{{.window}}]))',
            total_query: "sum(rate(payments_total[{{.window}}]))",
          },
        },
        alerting: {
          name: "CheckoutBurn",
          page_alert: { labels: { severity } },
          ticket_alert: { disable: true },
        },
      },
    ],
  });

type Config = ReturnType<typeof parseStackConfig>;

/** The labels of the SLO alert a document or metrics.slos entry makes, as its rule fixes them. */
const sloAlertLabels = (config: Config): Json => {
  const [slo] = config.metrics.slos;
  const [alert] = slo.alerts ?? [];
  return fixedLabels(alert.name, { ...alert.labels, slo: slo.name, severity: alert.severity });
};

/** Each input: the config that carries `severity`, and the labels of the alert it makes. */
const INPUTS: readonly {
  readonly input: string;
  readonly metrics: (severity: string) => Record<string, unknown>;
  readonly labelsOf: (config: Config) => Json;
}[] = [
  {
    input: "team rule file (`labels.severity`)",
    metrics: (severity) => ({ extraRuleFiles: [{ name: "team.rules.yml", content: ruleFile(severity) }] }),
    labelsOf: (config) => {
      const rule = config.metrics.extraRuleFiles[0].groups[0].rules[0];
      return fixedLabels(rule.alert!, rule.labels);
    },
  },
  {
    input: "`metrics.slos[].alerts[].severity`",
    metrics: (severity) => ({ slos: [slo(severity)] }),
    labelsOf: sloAlertLabels,
  },
  {
    input: "OpenSLO `AlertCondition` `severity` (notifying `critical`)",
    metrics: (severity) => ({
      openSloFiles: [{ name: "checkout.openslo.yaml", content: openSlo(severity) }],
    }),
    labelsOf: sloAlertLabels,
  },
  {
    input: "Sloth `page_alert.labels.severity`",
    metrics: (severity) => ({
      slothFiles: [{ name: "checkout.sloth.yml", content: sloth(severity) }],
      slothWindow: "7d",
    }),
    labelsOf: sloAlertLabels,
  },
];

/** What `input` makes of `severity` under `otherSeverities`. */
function outcome(
  input: (typeof INPUTS)[number],
  severity: string,
  otherSeverities: OtherSeverities,
): SeverityOutcome {
  try {
    const config = parseStackConfig(
      { alerting: { otherSeverities }, metrics: input.metrics(severity) },
      new Set(),
    );
    const labels = input.labelsOf(config) as Record<string, string>;
    const routes = alertmanagerConfig(config.alerting, config.metrics.slos) as unknown as Json;
    return { accepted: labels.severity, receiver: alertReceivers(routes, labels) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { refused: error.problems.join("\n") };
  }
}

/** Every input's outcome for every severity shown, with otherSeverities unset (the default), warning and refuse. */
export function severityOutcomes(): {
  input: string;
  severity: string;
  byDefault: SeverityOutcome;
  underWarning: SeverityOutcome;
  underRefuse: SeverityOutcome;
}[] {
  return INPUTS.flatMap((input) =>
    SEVERITIES_SHOWN.map((severity) => ({
      input: input.input,
      severity,
      byDefault: outcome(input, severity, undefined),
      underWarning: outcome(input, severity, "warning"),
      underRefuse: outcome(input, severity, "refuse"),
    })),
  );
}

const inWords = (o: SeverityOutcome) => {
  if ("accepted" in o) {
    return `\`${o.accepted}\` → ${o.receiver}`;
  }
  const typo = /did you mean (\S+)\?/.exec(o.refused);
  if (typo !== null) return `refused: "did you mean ${typo[1]}?"`;
  return o.refused.includes("nothing says whether the alert should page")
    ? "refused: nothing says whether it pages"
    : "refused, naming the routes";
};

/** The table of docs/extending.md: a row per input, a column per severity written. */
export function severityTable(): string {
  const outcomes = severityOutcomes();
  const cell = (input: string, severity: string) => {
    const o = outcomes.find((x) => x.input === input && x.severity === severity)!;
    const byDefault = inWords(o.byDefault);
    const others = [
      ["`warning`", inWords(o.underWarning)],
      ["`refuse`", inWords(o.underRefuse)],
    ].filter(([, words]) => words !== byDefault);
    return [byDefault, ...others.map(([mode, words]) => `under ${mode}: ${words}`)].join("; ");
  };
  return [
    `| written as | ${SEVERITIES_SHOWN.map((s) => `\`${s}\``).join(" | ")} |`,
    `| --- | ${SEVERITIES_SHOWN.map(() => "---").join(" | ")} |`,
    ...INPUTS.map(({ input }) => `| ${input} | ${SEVERITIES_SHOWN.map((s) => cell(input, s)).join(" | ")} |`),
  ].join("\n");
}
