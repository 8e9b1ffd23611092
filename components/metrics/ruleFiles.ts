import { httpRecordingRules, selfMonitoringRules, serviceAlertRules } from "./alertRules";
import { monitorRules } from "./monitorRules";
import { RuleFile } from "./prometheusTypes";
import { sloRules } from "./sloRules";
import { MetricsSettings } from "./settings";

/** Every rule file Prometheus loads, by file name. */
export function ruleFiles(config: MetricsSettings): Record<string, RuleFile> {
  const { alerts, slo, runbookBaseUrl } = config.metrics;
  return {
    "services.yaml": { groups: [httpRecordingRules(), ...serviceAlertRules(alerts, runbookBaseUrl)] },
    "slo.yaml": { groups: sloRules(config.apps.services, slo, runbookBaseUrl) },
    "self-monitoring.yaml": { groups: [selfMonitoringRules(runbookBaseUrl)] },
    ...(config.metrics.prometheusOperatorMonitors.enabled
      ? { "monitors.yaml": { groups: [monitorRules(runbookBaseUrl)] } }
      : {}),
  };
}
