import { StackConfig } from "../../config";
import { controlPlaneAlertRules } from "./controlPlaneAlerts";
import { nodeAlertRules } from "./nodeAlerts";
import { platformRecordingRules } from "./platformRecordingRules";
import { RuleGroup } from "../common/prometheusTypes";
import { resourceAlertRules } from "./resourceAlerts";
import { storageAlertRules } from "./storageAlerts";
import { workloadAlertRules } from "./workloadAlerts";

/** The cluster the apps run on: its USE recording rules and an alert for every failure class. */
export function platformRuleGroups(
  alerts: StackConfig["metrics"]["alerts"],
  runbookBaseUrl: string,
  grafanaUrl: string | undefined,
): RuleGroup[] {
  return [
    platformRecordingRules(),
    workloadAlertRules(alerts, runbookBaseUrl, grafanaUrl),
    resourceAlertRules(alerts, runbookBaseUrl, grafanaUrl),
    storageAlertRules(runbookBaseUrl, grafanaUrl),
    nodeAlertRules(alerts, runbookBaseUrl, grafanaUrl),
    controlPlaneAlertRules(alerts, runbookBaseUrl, grafanaUrl),
  ];
}
