import { StackConfig } from "../../config";
import { keyPath } from "../../config/errors";
import { RuleFile } from "./prometheusTypes";

/** Teams' rule files as the config loaded them (`metrics.extraRuleFiles`, `logs.extraRuleFiles`). */
type ExtraRuleFiles = StackConfig["metrics"]["extraRuleFiles"];

/** A rule file as it is deployed: the stack's own, or a team's. */
export type DeployedRuleFile = RuleFile | { readonly groups: ExtraRuleFiles[number]["groups"] };

/**
 * What keeps a team's rule files from loading cleanly beside the stack's own, on one server: a
 * file name already taken (one ConfigMap key per file), a group name already used (the rules UI
 * and API list groups by name), or an alert name already defined (Alertmanager routes, inhibits
 * and silences by alertname, so two definitions would be indistinguishable). Each problem names
 * the key and index of the extra file, and the file.
 */
export function ruleFileClashes(
  key: readonly string[],
  own: Readonly<Record<string, RuleFile>>,
  extras: ExtraRuleFiles,
): string[] {
  // Who has each name: the stack's own file names, or an extra file's path.
  const files = new Map<string, string>(Object.keys(own).map((name) => [name, `the stack's ${name}`]));
  const groups = new Map<string, string>();
  const alerts = new Map<string, string>();
  for (const [name, content] of Object.entries(own)) {
    for (const group of content.groups) {
      groups.set(group.name, `the stack's ${name}`);
      for (const rule of group.rules) {
        if ("alert" in rule) {
          alerts.set(rule.alert, `the stack's ${name}`);
        }
      }
    }
  }
  const problems: string[] = [];
  extras.forEach((extra, i) => {
    const where = `${keyPath([...key, i])} (${extra.file})`;
    const taken = (what: string, value: string, owner: string) =>
      problems.push(`${where} must not reuse the ${what} ${value}: ${owner} has it already`);
    const fileOwner = files.get(extra.name);
    if (fileOwner !== undefined) {
      taken("file name", extra.name, fileOwner);
      return; // the same file listed twice would otherwise clash with itself on every name
    }
    files.set(extra.name, extra.file);
    for (const group of extra.groups) {
      const groupOwner = groups.get(group.name);
      if (groupOwner !== undefined) {
        taken("group name", group.name, groupOwner);
      }
      groups.set(group.name, extra.file);
      for (const rule of group.rules) {
        const alertOwner = rule.alert === undefined ? undefined : alerts.get(rule.alert);
        // One file may define an alert twice (a warning and a critical threshold), as Prometheus allows.
        if (rule.alert !== undefined && alertOwner !== undefined && alertOwner !== extra.file) {
          taken("alert name", rule.alert, alertOwner);
        } else if (rule.alert !== undefined) {
          alerts.set(rule.alert, extra.file);
        }
      }
    }
  });
  return problems;
}
