import { AlertRule } from "./prometheusTypes";

type Severity = AlertRule["labels"]["severity"];

/** Builds alerts that share a runbook base URL: `<base>#<alertname in lowercase>`. */
export function alertFactory(runbookBaseUrl: string) {
  return (
    alert: string,
    severity: Severity,
    expr: string,
    forDuration: string | undefined,
    summary: string,
    description: string,
  ): AlertRule => ({
    alert,
    expr,
    ...(forDuration === undefined ? {} : { for: forDuration }),
    labels: { severity },
    annotations: { summary, description, runbook_url: `${runbookBaseUrl}#${alert.toLowerCase()}` },
  });
}
