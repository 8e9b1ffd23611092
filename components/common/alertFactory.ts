import { AlertRule } from "./prometheusTypes";

type Severity = AlertRule["labels"]["severity"];

/** A threshold configured in percent, as the ratio PromQL compares with. */
export const ratio = (percent: number): string => String(percent / 100);

/** Builds alerts that share a runbook base URL: `<base>#<runbook section, by default the alert's name, in lowercase>`. */
export function alertFactory(runbookBaseUrl: string) {
  return (
    alert: string,
    severity: Severity,
    expr: string,
    forDuration: string | undefined,
    summary: string,
    description: string,
    runbook = alert,
  ): AlertRule => ({
    alert,
    expr,
    ...(forDuration === undefined ? {} : { for: forDuration }),
    labels: { severity },
    annotations: { summary, description, runbook_url: `${runbookBaseUrl}#${runbook.toLowerCase()}` },
  });
}
