/** Every workload the stack can run; image and resource overrides are keyed by these names. */
export const COMPONENTS = [
  "prometheus",
  "alertmanager",
  "kubeStateMetrics",
  "nodeExporter",
  "loki",
  "alloy",
  "otelCollector",
  "tempo",
  "grafana",
  "configReloader",
  "postgresExporter",
  "redisExporter",
] as const;

export type ComponentName = (typeof COMPONENTS)[number];

/**
 * Every workload, for resource overrides: the components, plus the collector's aggregator tier
 * (same image) and the ServiceMonitor/PodMonitor scraper (the `alloy` image).
 */
export const WORKLOADS = [...COMPONENTS, "otelCollectorAggregator", "monitorScraper"] as const;

export type WorkloadName = (typeof WORKLOADS)[number];

/**
 * Workloads that own pods, for placement: every workload but the config reloader, a sidecar that
 * runs wherever the Prometheus and Alertmanager pods it serves are placed.
 */
export const PLACED_WORKLOADS = WORKLOADS.filter(
  (w): w is Exclude<WorkloadName, "configReloader"> => w !== "configReloader",
);

export type PlacedWorkloadName = (typeof PLACED_WORKLOADS)[number];
