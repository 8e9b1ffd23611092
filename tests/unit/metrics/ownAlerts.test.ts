// The stack's own alerts adjusted by name (metrics.alerts / logs.alerts: disabled, overrides), on a
// rule file where one alert has a rule per severity, as an SLO's page and ticket alerts may.
import { ownAlertChoiceProblems, withOwnAlertChoices } from "../../../components/common/ownAlerts";
import { RuleFile } from "../../../components/common/prometheusTypes";

const rule = (alert: string, severity: string, forDuration?: string) => ({
  alert,
  expr: "vector(1)",
  ...(forDuration === undefined ? {} : { for: forDuration }),
  labels: { severity },
  annotations: { summary: alert, description: alert, runbook_url: `https://runbooks.example.com#${alert}` },
});

const own: Record<string, RuleFile> = {
  "slo.yaml": {
    groups: [
      {
        name: "burn",
        rules: [rule("CheckoutBudgetBurn", "critical", "2m"), rule("CheckoutBudgetBurn", "warning")],
      },
      { name: "only", rules: [rule("Lonely", "warning")] },
      { name: "records", rules: [{ record: "slo:sli_error:ratio_rate5m", expr: "vector(0)" }] },
    ],
  },
  "self-monitoring.yaml": { groups: [{ name: "self", rules: [rule("Watchdog", "none")] }] },
};

test("an override changes every rule of its name; a switched-off alert's group goes when it is left empty", () => {
  const adjusted = withOwnAlertChoices(own, {
    disabled: ["Lonely"],
    overrides: { CheckoutBudgetBurn: { for: "10m" } },
  });
  expect(adjusted["slo.yaml"].groups.map((g) => g.name)).toEqual(["burn", "records"]);
  expect(adjusted["slo.yaml"].groups[0].rules.map((r) => ("for" in r ? r.for : undefined))).toEqual([
    "10m",
    "10m",
  ]);
  expect(adjusted["self-monitoring.yaml"]).toEqual(own["self-monitoring.yaml"]);
});

test("a severity override of an alert with a rule per severity is refused, as is the Watchdog and an alert switched off", () => {
  expect(
    ownAlertChoiceProblems(["metrics", "alerts"], own, {
      disabled: ["Watchdog", "Lonely"],
      overrides: { CheckoutBudgetBurn: { severity: "critical" }, Lonely: { for: "1m" } },
    }),
  ).toEqual([
    `observability:metrics.alerts.disabled[0] "Watchdog" cannot name the Watchdog: it fires always, routed by its name, so that a dead man's switch outside the cluster learns when alerting stops`,
    "observability:metrics.alerts.overrides.CheckoutBudgetBurn.severity cannot be set: CheckoutBudgetBurn has a rule for each of critical and warning; switch it off and give your own in the section's extraRuleFiles",
    "observability:metrics.alerts.overrides.Lonely overrides an alert that observability:metrics.alerts.disabled switches off: drop one of the two",
  ]);
  expect(
    ownAlertChoiceProblems(["metrics", "alerts"], own, {
      disabled: [],
      overrides: { CheckoutBudgetBurn: { for: "5m" } },
    }),
  ).toEqual([]);
});

test("a threshold override sets the one number the alert compares with, wherever it sits in the expression", () => {
  const withExpr = (alert: string, expr: string) => ({ ...rule(alert, "warning"), expr });
  const files: Record<string, RuleFile> = {
    "platform.yaml": {
      groups: [
        {
          name: "g",
          rules: [
            withExpr("Plain", "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05"),
            withExpr(
              "Joined",
              "(throttled:ratio_rate5m > 0.25) * on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info)",
            ),
            withExpr("Two", "errors > 1 or latency > 2"),
            withExpr("Equality", 'kube_node_status_condition{condition="Ready", status="true"} == 0'),
          ],
        },
      ],
    },
  };
  const adjusted = withOwnAlertChoices(files, {
    disabled: [],
    overrides: { Plain: { threshold: 0.1 }, Joined: { threshold: 0.5 } },
  });
  expect(adjusted["platform.yaml"].groups[0].rules.slice(0, 2).map((r) => r.expr)).toEqual([
    "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.1",
    "(throttled:ratio_rate5m > 0.5) * on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info)",
  ]);
  const refused = (name: string) =>
    `observability:metrics.alerts.overrides.${name}.threshold cannot be set: ${name}'s expression compares with no single number (expr > 0.9); switch it off and give your own in the section's extraRuleFiles. The alerts with one: Joined, Plain`;
  expect(
    ownAlertChoiceProblems(["metrics", "alerts"], files, {
      disabled: [],
      overrides: { Two: { threshold: 3 }, Equality: { threshold: 1 } },
    }),
  ).toEqual([refused("Two"), refused("Equality")]);
});
