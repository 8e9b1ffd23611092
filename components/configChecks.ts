import type { StackConfig } from "../config";
import type { ConfigCheck } from "../config/load";
import { readExtraDashboards } from "./grafana/extraDashboards";
import { GrafanaStack } from "./grafanaStack";
import { LogsStack } from "./logsStack";
import { ScrapeConfig } from "./common/prometheusTypes";
import { MetricsStack, jobNameProblems, metricsScrapeJobs } from "./metricsStack";
import { TracingStack } from "./tracingStack";

/**
 * What the config phase checks against the components: teams' rule files and dashboards (read from
 * `root`, the project root) against the stack's own, and their scrape jobs' names against the
 * stack's.
 */
export function componentConfigChecks(root: string): ConfigCheck[] {
  return [
    (config) => MetricsStack.ruleFileProblems(config),
    (config) => LogsStack.ruleFileProblems({ ...config, runbookBaseUrl: config.metrics.runbookBaseUrl }),
    (config) => readExtraDashboards(config, root).problems,
    (config) =>
      jobNameProblems(
        [...otherScrapeJobs(config), ...metricsScrapeJobs(config)],
        config.metrics.extraScrapeConfigs,
      ),
  ];
}

/** The scrape jobs of the components besides Metrics: they depend only on their settings. */
export function otherScrapeJobs(config: StackConfig): ScrapeConfig[] {
  return [
    ...LogsStack.scrapeJobs(config),
    ...TracingStack.scrapeJobs(config),
    ...GrafanaStack.scrapeJobs(config),
  ];
}
