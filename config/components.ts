/** Every workload the stack can run; image and resource overrides are keyed by these names. */
export const COMPONENTS = [
  "prometheus",
  "alertmanager",
  "kubeStateMetrics",
  "nodeExporter",
  "loki",
  "alloy",
  "lokiCanary",
  "otelCollector",
  "tempo",
  "grafana",
  "configReloader",
  "kubeRbacProxy",
  "thanosSidecar",
  "thanosQuery",
  "thanosStore",
  "thanosCompactor",
  "thanosRuler",
  "postgresExporter",
  "redisExporter",
  "kiali",
] as const;

export type ComponentName = (typeof COMPONENTS)[number];

/**
 * Every workload, for resource overrides: the components, plus the collector's aggregator tier
 * (same image), and the ServiceMonitor/PodMonitor scraper and the cluster's event collector (both
 * the `alloy` image).
 */
export const WORKLOADS = [
  ...COMPONENTS,
  "otelCollectorAggregator",
  "monitorScraper",
  "eventCollector",
] as const;

export type WorkloadName = (typeof WORKLOADS)[number];

/** Containers that run in other workloads' pods, placed with them. */
const SIDECARS = ["configReloader", "kubeRbacProxy", "thanosSidecar"] as const;
type Sidecar = (typeof SIDECARS)[number];

/**
 * Workloads that own pods, for placement: every workload but the sidecars (the config reloader
 * beside Prometheus and Alertmanager, the authenticating proxy beside node-exporter, the Thanos
 * sidecar beside Prometheus), which run wherever
 * the pods they serve are placed.
 */
export const PLACED_WORKLOADS = WORKLOADS.filter(
  (w): w is Exclude<WorkloadName, Sidecar> => !(SIDECARS as readonly string[]).includes(w),
);

export type PlacedWorkloadName = (typeof PLACED_WORKLOADS)[number];
