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
