import type { StackConfig } from "../config";
import { undeliveredCriticalProblems } from "../config/alerting/criticalAlerts";
import { ConfigCheck, LoadedStackConfig, loadConfig } from "../config/load";
import { ALL_BACKENDS } from "./grafana/datasources";
import { readExtraDashboards } from "./grafana/extraDashboards";
import { GrafanaStack } from "./grafanaStack";
import { KialiStack } from "./kialiStack";
import { LogsStack } from "./logsStack";
import { ScrapeConfig } from "./common/prometheusTypes";
import { MetricsStack, jobNameProblems, metricsScrapeJobs } from "./metricsStack";
import { TracingStack } from "./tracingStack";

/**
 * What the config phase checks against the components: teams' rule files and dashboards (read from
 * the project root) against the stack's own, their scrape jobs' names against the stack's, and that
 * a production stack delivers its critical alerts.
 */
export const COMPONENT_CONFIG_CHECKS: readonly ConfigCheck[] = [
  (config) => MetricsStack.ruleFileProblems({ ...config, grafanaUrl: GrafanaStack.publicUrl(config) }),
  (config) => LogsStack.ruleFileProblems({ ...config, runbookBaseUrl: config.metrics.runbookBaseUrl }),
  (config, root) => readExtraDashboards(config, ALL_BACKENDS, root).problems,
  undeliveredCriticalProblems,
  (config) =>
    jobNameProblems(
      [...otherScrapeJobs(config), ...metricsScrapeJobs(config)],
      config.metrics.extraScrapeConfigs,
    ),
];

/**
 * The running Pulumi stack's `observability:` config, validated with every check of every
 * component before anything is registered: one error lists every problem, each with its key.
 */
export function loadStackConfig(): Promise<LoadedStackConfig> {
  return loadConfig(COMPONENT_CONFIG_CHECKS);
}

/** The scrape jobs of the components besides MetricsStack: they depend only on their settings. */
export function otherScrapeJobs(config: StackConfig): ScrapeConfig[] {
  return [
    ...LogsStack.scrapeJobs(config),
    ...TracingStack.scrapeJobs(config),
    ...GrafanaStack.scrapeJobs(config),
    ...KialiStack.scrapeJobs(config),
  ];
}
