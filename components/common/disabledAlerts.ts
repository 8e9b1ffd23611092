import { closest, keyPath } from "../../config/errors";
import { RuleFile } from "./prometheusTypes";

/**
 * The alert that fires always, so that a dead man's switch outside the cluster learns when alerting
 * stops: switching it off would look exactly like alerting having stopped.
 */
const ALWAYS_ON = "Watchdog";

const alertNames = (files: Readonly<Record<string, RuleFile>>): string[] => [
  ...new Set(
    Object.values(files).flatMap((file) =>
      file.groups.flatMap((group) => group.rules.flatMap((rule) => ("alert" in rule ? [rule.alert] : []))),
    ),
  ),
];

/** The stack's own rule files without the alerts named in `disabled`; a group left with no rule goes too. */
export function withoutDisabledAlerts(
  files: Readonly<Record<string, RuleFile>>,
  disabled: readonly string[],
): Record<string, RuleFile> {
  if (disabled.length === 0) return { ...files };
  return Object.fromEntries(
    Object.entries(files).map(([name, file]) => [
      name,
      {
        groups: file.groups
          .map((group) => ({
            ...group,
            rules: group.rules.filter((rule) => !("alert" in rule && disabled.includes(rule.alert))),
          }))
          .filter((group) => group.rules.length > 0),
      },
    ]),
  );
}

/**
 * Why a name of `key` (a list of alert names) cannot be switched off: the stack's own rules, as this
 * config renders them, hold no alert of that name, or it is the Watchdog. Each problem names the key,
 * its index and the alerts there are.
 */
export function disabledAlertProblems(
  key: readonly string[],
  own: Readonly<Record<string, RuleFile>>,
  disabled: readonly string[],
): string[] {
  const known = alertNames(own).sort();
  return disabled.flatMap((name, i) => {
    const where = `${keyPath([...key, i])} ${JSON.stringify(name)}`;
    if (name === ALWAYS_ON && known.includes(name)) {
      return [
        `${where} cannot be switched off: the Watchdog fires always so that a dead man's switch outside the cluster learns when alerting stops`,
      ];
    }
    if (known.includes(name)) return [];
    const hint = closest(name, known);
    return [
      `${where} is not an alert of the stack's own rules with this config` +
        (hint === undefined ? "" : ` (did you mean ${hint}?)`) +
        `; they hold: ${known.length === 0 ? "none" : known.join(", ")}`,
    ];
  });
}
