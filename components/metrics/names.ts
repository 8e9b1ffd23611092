/** Names and ports of the metrics workloads: one source for Services, targets and wiring. */
export const PROMETHEUS = { name: "prometheus", port: 9090, peersService: "prometheus-peers" } as const;
export const ALERTMANAGER = {
  name: "alertmanager",
  port: 9093,
  clusterPort: 9094,
  peersService: "alertmanager-peers",
} as const;
export const KUBE_STATE_METRICS = { name: "kube-state-metrics", port: 8080, telemetryPort: 8081 } as const;
export const NODE_EXPORTER = { name: "node-exporter", port: 9100 } as const;
export const CONFIG_RELOADER = { port: 8080 } as const;

/** Where the Prometheus pod reads its config and rules. */
export const PROMETHEUS_PATHS = {
  configDir: "/etc/prometheus",
  configFile: "/etc/prometheus/prometheus.yml",
  rulesDir: "/etc/prometheus/rules",
  data: "/prometheus",
} as const;

/** Where the Alertmanager pod reads its config and receiver credentials. */
export const ALERTMANAGER_PATHS = {
  configDir: "/etc/alertmanager",
  configFile: "/etc/alertmanager/alertmanager.yml",
  secretsDir: "/etc/alertmanager/secrets",
  data: "/alertmanager",
} as const;

export const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
