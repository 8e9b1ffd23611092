import { ruleQueryProblems } from "../../config/ruleFiles";
import { alertFactory } from "../common/alertFactory";
import { RuleFile } from "../common/prometheusTypes";
import { DeployedRuleFile, ruleFileClashes } from "../common/ruleClashes";
import { ownAlertChoiceProblems, withOwnAlertChoices } from "../common/ownAlerts";
import { LogsSettings } from "./settings";

type RuleSettings = Pick<LogsSettings, "apps" | "logs" | "runbookBaseUrl">;

/** The stack's own log alerts' file: one ruler namespace of its own. */
const OWN_FILE = "rules.yaml";

/**
 * The files the ruler loads, by file name (each is a ruler namespace): the stack's log alerts,
 * then `logs.extraRuleFiles`.
 */
export function lokiRuleFiles(config: RuleSettings): Record<string, DeployedRuleFile> {
  return {
    [OWN_FILE]: ownLokiRules(config),
    ...Object.fromEntries(config.logs.extraRuleFiles.map((extra) => [extra.name, { groups: extra.groups }])),
  };
}

/**
 * Why the ruler would not load its files: an expression of the stack's log alerts that is not LogQL
 * (they embed namespaces and durations from the config), a `logs.extraRuleFiles` entry that
 * clashes with them, or a name of `logs.alerts.disabled` or `.overrides` that cannot be taken. Checked before anything
 * deploys.
 */
export function extraLokiRuleFileProblems(config: RuleSettings): string[] {
  const own = ownLokiRules(config);
  return [
    ...ruleQueryProblems("LogQL", own.groups).map(
      (problem) => `the stack's Loki rule file ${OWN_FILE}: ${problem}`,
    ),
    ...ruleFileClashes(["logs", "extraRuleFiles"], { [OWN_FILE]: own }, config.logs.extraRuleFiles),
    ...ownAlertChoiceProblems(["logs", "alerts"], { [OWN_FILE]: lokiRules(config) }, config.logs.alerts),
  ];
}

/** The stack's log alerts as `logs.alerts` switches them off or overrides them. */
const ownLokiRules = (config: RuleSettings): RuleFile =>
  withOwnAlertChoices({ [OWN_FILE]: lokiRules(config) }, config.logs.alerts)[OWN_FILE];

/**
 * Log-based alerts the Loki ruler evaluates (LogQL) and sends to Alertmanager, labelled like the
 * metric alerts so the same routes and inhibitions apply.
 */
function lokiRules(config: RuleSettings): RuleFile {
  if (config.apps.namespaces.length === 0) {
    return { groups: [] }; // LogQL needs a selector that matches something
  }
  const alert = alertFactory(config.runbookBaseUrl);
  const apps = `namespace=~"${config.apps.namespaces.join("|")}"`;
  const { errorLinesPer5m, silentFor } = config.logs.alerts;
  const linesBy = (range: string, offset = "") =>
    `sum by (namespace, app) (count_over_time({${apps}}[${range}]${offset}))`;
  // `service` as the metric alerts name it (the pods' `app` label), so a service's critical alert
  // inhibits its log warnings.
  const asService = (expr: string) => `label_replace(${expr}, "service", "$1", "app", "(.*)")`;
  return {
    groups: [
      {
        name: "logs",
        rules: [
          {
            ...alert(
              "LogErrorBurst",
              "warning",
              `${asService(`sum by (namespace, app) (count_over_time({${apps}, level="error"}[5m]))`)} > ${errorLinesPer5m}`,
              undefined,
              "{{ $labels.app }} logged more than " + `${errorLinesPer5m} ERROR lines in 5 minutes`,
              "{{ $value }} ERROR lines from {{ $labels.app }} in {{ $labels.namespace }}; open its logs in Grafana and follow a traceId.",
            ),
            labels: { severity: "warning", source: "logs" },
          },
          {
            ...alert(
              "LogsStopped",
              "warning",
              `${asService(`(${linesBy("1h", ` offset ${silentFor}`)} > 0) unless (${linesBy(silentFor)} > 0)`)}`,
              undefined,
              `{{ $labels.app }} has logged nothing for ${silentFor}`,
              `{{ $labels.app }} in {{ $labels.namespace }} logged in the hour before and nothing in the last ${silentFor}: it stopped, hangs, or its logs are not collected.`,
            ),
            labels: { severity: "warning", source: "logs" },
          },
        ],
      },
    ],
  };
}
