import { closest, keyPath } from "../../config/errors";
import { AlertRule, RuleFile } from "./prometheusTypes";
import { hasThreshold, withThreshold } from "./alertThreshold";

// The stack's own alerts as a stack file adjusts them by name: switched off
// (`<section>.alerts.disabled`), or given another `for`, severity or threshold
// (`<section>.alerts.overrides`).

/** What `<section>.alerts` says of the stack's own alerts by name. */
export interface OwnAlertChoices {
  readonly disabled: readonly string[];
  readonly overrides: Readonly<
    Record<string, { readonly for?: string; readonly severity?: string; readonly threshold?: number }>
  >;
}

/**
 * The alert that fires always, so that a dead man's switch outside the cluster learns when alerting
 * stops: switching it off would look exactly like alerting having stopped, and its route reads its
 * name, not its severity.
 */
const ALWAYS_ON = "Watchdog";

const alertRules = (files: Readonly<Record<string, RuleFile>>): AlertRule[] =>
  Object.values(files).flatMap((file) =>
    file.groups.flatMap((group) => group.rules.flatMap((rule) => ("alert" in rule ? [rule] : []))),
  );

/**
 * The stack's own rule files as `choices` adjust them: the alerts switched off left out (and a
 * group left with no rule), the overridden ones with their `for`, severity and threshold.
 */
export function withOwnAlertChoices(
  files: Readonly<Record<string, RuleFile>>,
  choices: OwnAlertChoices,
): Record<string, RuleFile> {
  const adjusted = (rule: AlertRule): AlertRule => {
    const override = choices.overrides[rule.alert];
    if (override === undefined) return rule;
    return {
      ...rule,
      ...(override.threshold === undefined ? {} : { expr: withThreshold(rule.expr, override.threshold) }),
      ...(override.for === undefined ? {} : { for: override.for }),
      labels: { ...rule.labels, ...(override.severity === undefined ? {} : { severity: override.severity }) },
    };
  };
  return Object.fromEntries(
    Object.entries(files).map(([name, file]) => [
      name,
      {
        groups: file.groups
          .map((group) => ({
            ...group,
            rules: group.rules
              .filter((rule) => !("alert" in rule && choices.disabled.includes(rule.alert)))
              .map((rule) => ("alert" in rule ? adjusted(rule) : rule)),
          }))
          .filter((group) => group.rules.length > 0),
      },
    ]),
  );
}

/**
 * Why `choices` cannot be taken (`key`: the section's `alerts`): a name the stack's own rules, as
 * this config renders them, do not hold (with the closest and the list), the Watchdog, an override
 * of an alert switched off, a severity override of an alert whose rules differ in severity, or a
 * threshold for an alert whose expression compares with no number at its top level.
 * Each problem names its key. Severities themselves are checked against the routes with the config.
 */
export function ownAlertChoiceProblems(
  key: readonly string[],
  own: Readonly<Record<string, RuleFile>>,
  choices: OwnAlertChoices,
): string[] {
  const rules = alertRules(own);
  const known = [...new Set(rules.map((rule) => rule.alert))].sort();
  const nameProblem = (name: string, where: string): string | undefined => {
    if (name === ALWAYS_ON && known.includes(name)) {
      return `${where} cannot name the Watchdog: it fires always, routed by its name, so that a dead man's switch outside the cluster learns when alerting stops`;
    }
    if (known.includes(name)) return undefined;
    const hint = closest(name, known);
    return (
      `${where} is not an alert of the stack's own rules with this config` +
      (hint === undefined ? "" : ` (did you mean ${hint}?)`) +
      `; they hold: ${known.length === 0 ? "none" : known.join(", ")}`
    );
  };
  const disabled = choices.disabled.flatMap((name, i) => {
    const problem = nameProblem(name, `${keyPath([...key, "disabled", i])} ${JSON.stringify(name)}`);
    return problem === undefined ? [] : [problem];
  });
  const overrides = Object.entries(choices.overrides).flatMap(([name, override]) => {
    const where = keyPath([...key, "overrides", name]);
    const problem = nameProblem(name, where);
    if (problem !== undefined) return [problem];
    if (choices.disabled.includes(name)) {
      return [
        `${where} overrides an alert that ${keyPath([...key, "disabled"])} switches off: drop one of the two`,
      ];
    }
    const severities = [
      ...new Set(rules.filter((rule) => rule.alert === name).map((rule) => rule.labels.severity)),
    ];
    if (override.severity !== undefined && severities.length > 1) {
      return [
        `${keyPath([...key, "overrides", name, "severity"])} cannot be set: ${name} has a rule for each of ${severities.join(" and ")}; switch it off and give your own in the section's extraRuleFiles`,
      ];
    }
    const thresholded = known.filter((alert) =>
      rules.filter((rule) => rule.alert === alert).every((rule) => hasThreshold(rule.expr)),
    );
    if (override.threshold !== undefined && !thresholded.includes(name)) {
      return [
        `${keyPath([...key, "overrides", name, "threshold"])} cannot be set: ${name}'s expression compares with no single number (expr > 0.9); switch it off and give your own in the section's extraRuleFiles. The alerts with one: ${thresholded.join(", ")}`,
      ];
    }
    return [];
  });
  return [...disabled, ...overrides];
}
