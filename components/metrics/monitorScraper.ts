import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlloyBlock, expression, renderAlloy } from "../common/alloySyntax";
import { deploySingleAlloy } from "../common/alloyRun";
import { MONITOR_SCRAPER } from "./names";
import { TIER_LABEL } from "../common/scrapeJobs";
import { MetricsSettings } from "./settings";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

const READ = ["get", "list", "watch"];

/**
 * What the scraper reads, cluster-wide (a Role would need every monitored namespace to exist
 * before the stack): the monitors, and what their selectors resolve to. The Prometheus Operator's
 * own Prometheus reads the same. No Secrets: a monitor that takes credentials from a Secret is
 * not supported.
 */
export const MONITOR_SCRAPER_RULES: PolicyRule[] = [
  { apiGroups: ["monitoring.coreos.com"], resources: ["servicemonitors", "podmonitors"], verbs: READ },
  { apiGroups: [""], resources: ["services", "endpoints", "pods"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
];

/** The Alloy components' label: their metrics carry `component_id="prometheus.operator.<kind>.<label>"`. */
const LABEL = "teams";

/**
 * The scraper's Alloy configuration: every ServiceMonitor and PodMonitor in the configured
 * namespaces, scraped as the operator would configure Prometheus, their samples labelled
 * `tier="app"` and remote-written to every Prometheus replica (Prometheus' own receiver).
 */
function monitorScraperConfig(
  config: Pick<MetricsSettings, "metrics">,
  prometheusWriteUrls: readonly string[],
): string {
  const monitors = (kind: "servicemonitors" | "podmonitors"): AlloyBlock => ({
    name: `prometheus.operator.${kind}`,
    label: LABEL,
    attributes: {
      namespaces: [...config.metrics.prometheusOperatorMonitors.namespaces],
      forward_to: [expression("prometheus.remote_write.prometheus.receiver")],
    },
    blocks: [{ name: "scrape", attributes: { default_scrape_interval: config.metrics.scrapeInterval } }],
  });
  return renderAlloy([
    monitors("servicemonitors"),
    monitors("podmonitors"),
    {
      name: "prometheus.remote_write",
      label: "prometheus",
      blocks: prometheusWriteUrls.map(
        (url): AlloyBlock => ({
          name: "endpoint",
          attributes: { url },
          blocks: [
            {
              name: "write_relabel_config",
              attributes: { target_label: TIER_LABEL, replacement: "app" },
            },
          ],
        }),
      ),
    },
  ]);
}

/**
 * The scraper of ServiceMonitors and PodMonitors, without the Prometheus Operator. One Alloy: a
 * second would scrape every target again (Alloy's clustering would split them, at the cost of a
 * gossip mesh). Its write-ahead log is scratch: a restart loses at most the samples not yet
 * written. Prometheus scrapes its per-monitor target counts with its own metrics.
 */
export function deployMonitorScraper(
  name: string,
  config: MetricsSettings,
  prometheusWriteUrls: readonly string[],
  opts: pulumi.CustomResourceOptions,
): void {
  deploySingleAlloy(
    name,
    {
      spec: MONITOR_SCRAPER,
      component: "metrics",
      settings: config,
      placement: "monitorScraper",
      clusterRules: MONITOR_SCRAPER_RULES,
      configMap: "monitor-scraper-config",
      configText: monitorScraperConfig(config, prometheusWriteUrls),
      resources: config.resources.monitorScraper,
    },
    opts,
  );
}
