import { httpRecordingRules, selfMonitoringRules, serviceAlertRules } from "./alertRules";
import { externalUrls } from "./externalUrls";
import { monitorRules } from "./monitorRules";
import { platformRuleGroups } from "./platformRules";
import { RuleFile } from "./prometheusTypes";
import { DeployedRuleFile, ruleFileClashes } from "./ruleClashes";
import { sloRules } from "./sloRules";
import { MetricsSettings } from "./settings";

type RuleSettings = Pick<MetricsSettings, "metrics" | "apps" | "alerting" | "exposure" | "namespaces">;

/** The stack's own rule files, by file name. */
function ownRuleFiles(config: RuleSettings): Record<string, RuleFile> {
  const { alerts, slo, runbookBaseUrl } = config.metrics;
  return {
    "services.yaml": { groups: [httpRecordingRules(), ...serviceAlertRules(alerts, runbookBaseUrl)] },
    "slo.yaml": { groups: sloRules(config.apps.services, slo, runbookBaseUrl) },
    "self-monitoring.yaml": { groups: [selfMonitoringRules(runbookBaseUrl)] },
    "platform.yaml": { groups: platformRuleGroups(alerts, runbookBaseUrl, externalUrls(config).grafana) },
    ...(config.metrics.prometheusOperatorMonitors.enabled
      ? { "monitors.yaml": { groups: [monitorRules(runbookBaseUrl)] } }
      : {}),
  };
}

/** Every rule file Prometheus loads, by file name: the stack's own, then `metrics.extraRuleFiles`. */
export function ruleFiles(config: RuleSettings): Record<string, DeployedRuleFile> {
  return {
    ...ownRuleFiles(config),
    ...Object.fromEntries(
      config.metrics.extraRuleFiles.map((extra) => [extra.name, { groups: extra.groups }]),
    ),
  };
}

/** Why `metrics.extraRuleFiles` cannot load beside the stack's own rules: checked before anything deploys. */
export function extraRuleFileProblems(config: RuleSettings): string[] {
  return ruleFileClashes(["metrics", "extraRuleFiles"], ownRuleFiles(config), config.metrics.extraRuleFiles);
}
