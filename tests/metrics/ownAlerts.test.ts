// The stack's own alerts adjusted by name (metrics.alerts / logs.alerts: disabled, overrides), on a
// rule file where one alert has a rule per severity, as an SLO's page and ticket alerts may.
import { ownAlertChoiceProblems, withOwnAlertChoices } from "../../components/common/ownAlerts";
import { RuleFile } from "../../components/common/prometheusTypes";

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
