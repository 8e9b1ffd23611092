import { httpRecordingRules, selfMonitoringRules, serviceAlertRules } from "./alertRules";
import { ruleQueryProblems } from "../../config/ruleFiles";
import { externalUrls } from "./externalUrls";
import { meshRuleGroups } from "./meshRules";
import { dashboardRecordingRules } from "./dashboardRecordingRules";
import { monitorRules } from "./monitorRules";
import { thanosRules } from "./thanosRules";
import { platformRuleGroups } from "./platformRules";
import { scrapeLimitRules } from "./scrapeLimitAlerts";
import { RuleFile } from "../common/prometheusTypes";
import { DeployedRuleFile, ruleFileClashes } from "../common/ruleClashes";
import { ownAlertChoiceProblems, withOwnAlertChoices } from "../common/ownAlerts";
import { sloRules } from "./sloRules";
import { configuredSloRules } from "./configuredSlos";
import { MetricsSettings } from "./settings";
import { PlacedRules, placeRules, thanosRulerRuns } from "./ruleEvaluators";

type RuleSettings = Pick<
  MetricsSettings,
  "metrics" | "apps" | "alerting" | "exposure" | "namespaces" | "grafanaUrl" | "mesh"
>;

/** The stack's own rule files, by file name, before `metrics.alerts` switches any alert off or overrides it. */
function allOwnRuleFiles(config: RuleSettings): Record<string, RuleFile> {
  const { alerts, slo, runbookBaseUrl } = config.metrics;
  const mesh = config.mesh.istio.enabled;
  return {
    "services.yaml": {
      groups: [
        httpRecordingRules(mesh),
        dashboardRecordingRules(),
        ...serviceAlertRules(alerts, runbookBaseUrl),
      ],
    },
    "slo.yaml": {
      groups: [
        ...sloRules(config.apps.services, slo, runbookBaseUrl, mesh),
        ...configuredSloRules(config.metrics.slos, runbookBaseUrl),
      ],
    },
    "self-monitoring.yaml": {
      groups: [selfMonitoringRules(runbookBaseUrl), scrapeLimitRules(alerts, runbookBaseUrl)],
    },
    "platform.yaml": { groups: platformRuleGroups(alerts, runbookBaseUrl, externalUrls(config).grafana) },
    ...(config.metrics.prometheusOperatorMonitors.enabled
      ? { "monitors.yaml": { groups: [monitorRules(runbookBaseUrl)] } }
      : {}),
    ...(config.metrics.objectStorage === undefined
      ? {}
      : { "thanos.yaml": { groups: [thanosRules(runbookBaseUrl)] } }),
    ...(mesh ? { "mesh.yaml": { groups: meshRuleGroups(runbookBaseUrl) } } : {}),
  };
}

/** The stack's own rule files, by file name. */
const ownRuleFiles = (config: RuleSettings): Record<string, RuleFile> =>
  withOwnAlertChoices(allOwnRuleFiles(config), config.metrics.alerts);

/** Every rule file Prometheus loads, by file name: the stack's own, then `metrics.extraRuleFiles`. */
export function ruleFiles(config: RuleSettings): Record<string, DeployedRuleFile> {
  return {
    ...ownRuleFiles(config),
    ...Object.fromEntries(
      config.metrics.extraRuleFiles.map((extra) => [extra.name, { groups: extra.groups }]),
    ),
  };
}

/** Every rule file, split between Prometheus and Thanos Ruler by how far back each rule reads (ruleEvaluators.ts). */
export function placedRuleFiles(config: RuleSettings): PlacedRules {
  return placeRules(ruleFiles(config), config.metrics.retentionTime, thanosRulerRuns(config.metrics));
}

/**
 * Why the rule files would not load: an expression of the stack's own rules that Prometheus would not
 * parse (they embed thresholds and names from the config), a `metrics.extraRuleFiles` entry that
 * clashes with them (an alert switched off leaves its name free for a team's own), or a name of
 * `metrics.alerts.disabled` or `.overrides` that cannot be taken. Checked before anything deploys.
 */
export function extraRuleFileProblems(config: RuleSettings): string[] {
  const own = ownRuleFiles(config);
  return [
    ...Object.entries(own).flatMap(([name, file]) =>
      ruleQueryProblems("PromQL", file.groups).map((problem) => `the stack's rule file ${name}: ${problem}`),
    ),
    ...ruleFileClashes(["metrics", "extraRuleFiles"], own, config.metrics.extraRuleFiles),
    ...ownAlertChoiceProblems(["metrics", "alerts"], allOwnRuleFiles(config), config.metrics.alerts),
  ];
}
