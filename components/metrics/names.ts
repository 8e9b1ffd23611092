import { gossipPorts } from "../common/gossip";
import { workloadSpec } from "../common/workloadSpec";

// Names and ports of the metrics workloads: one source for containers, Services, targets and wiring.
// The Thanos sidecar's ports are the Prometheus pod's too: Thanos Query reads each replica through them.
export const PROMETHEUS = workloadSpec("prometheus", {
  http: { port: 9090, scrape: true },
  "sidecar-grpc": { port: 10901, containerOnly: true },
  "sidecar-http": { port: 10902, containerOnly: true },
});
export const PROMETHEUS_PEERS_SERVICE = "prometheus-peers";
/** The external label Amazon Managed Prometheus deduplicates HA replicas by (with `cluster`). */
export const REPLICA_LABEL = "__replica__";
/** The external label that tells the replicas apart, by which Thanos Query deduplicates them. */
export const THANOS_REPLICA_LABEL = "prometheus_replica";
/** Thanos Query: one view of every Prometheus replica, deduplicated, that answers while one is down. */
export const THANOS_QUERY = workloadSpec("thanos-query", {
  http: { port: 10902, scrape: true },
  grpc: { port: 10901, containerOnly: true },
});
/** The store gateways: the bucket's blocks over the StoreAPI, for Thanos Query (metrics.objectStorage). */
export const THANOS_STORE = workloadSpec("thanos-store", {
  http: { port: 10902, scrape: true },
  grpc: { port: 10901, containerOnly: true },
});
/** The one compactor of this cluster's blocks in the bucket (metrics.objectStorage). */
export const THANOS_COMPACTOR = workloadSpec("thanos-compactor", { http: { port: 10902, scrape: true } });
/**
 * Thanos Ruler: the rules that read further back than Prometheus keeps, evaluated over Thanos Query
 * (metrics.objectStorage); what they record is written into every Prometheus replica.
 */
export const THANOS_RULER = workloadSpec("thanos-ruler", {
  http: { port: 10902, scrape: true },
  grpc: { port: 10901, containerOnly: true },
});
/** The label that tells the ruler replicas' series apart, by which Thanos Query deduplicates them. */
export const RULER_REPLICA_LABEL = "rule_replica";
/** The scrape job of each replica's own sidecar, whose shipper reports the uploads. */
export const THANOS_SIDECAR_JOB = "thanos-sidecar";
/** Where the Thanos processes read the bucket's client config and keep their working data. */
export const THANOS_PATHS = {
  objstoreDir: "/etc/thanos/objstore",
  objstoreFile: "/etc/thanos/objstore/objstore.yaml",
  /** The hub's TLS material for other clusters' stores. */
  tlsDir: "/etc/thanos/tls",
  /** The ruler's rule files. */
  rulesDir: "/etc/thanos/rules",
  data: "/var/thanos",
} as const;
/** The environment variable holding the pod's name, which `__replica__` expands. */
export const POD_NAME_ENV = "POD_NAME";
export const ALERTMANAGER = workloadSpec("alertmanager", {
  http: { port: 9093, scrape: true },
  ...gossipPorts(9094),
});
export const ALERTMANAGER_PEERS_SERVICE = "alertmanager-peers";
export const KUBE_STATE_METRICS = workloadSpec("kube-state-metrics", {
  "http-metrics": { port: 8080, scrape: true },
  telemetry: { port: 8081 },
});
/** Its `metrics` port serves plain HTTP, or HTTPS from its authenticating proxy (metrics.nodeExporter.authProxy). */
export const NODE_EXPORTER = workloadSpec("node-exporter", { metrics: { port: 9100, scrape: true } });
/** Grafana Alloy scraping ServiceMonitors and PodMonitors into Prometheus (metrics.prometheusOperatorMonitors). */
export const MONITOR_SCRAPER = workloadSpec("monitor-scraper", { http: { port: 12345, scrape: true } });
/** The reload sidecar beside Prometheus and Alertmanager. */
export const CONFIG_RELOADER = workloadSpec("config-reloader", { reloader: { port: 8080 } });

/** Where the Prometheus pod reads its config and rules. */
export const PROMETHEUS_PATHS = {
  configDir: "/etc/prometheus",
  configFile: "/etc/prometheus/prometheus.yml",
  rulesDir: "/etc/prometheus/rules",
  /** Credentials and CA certificates of the extra scrape jobs, from a Secret. */
  secretsDir: "/etc/prometheus/secrets",
  data: "/prometheus",
} as const;

/** Where the Alertmanager pod reads its config and receiver credentials. */
export const ALERTMANAGER_PATHS = {
  configDir: "/etc/alertmanager",
  configFile: "/etc/alertmanager/alertmanager.yml",
  /** A key of the config ConfigMap, so the reloader that watches the config sees template edits. */
  templatesFile: "/etc/alertmanager/notifications.tmpl",
  secretsDir: "/etc/alertmanager/secrets",
  data: "/alertmanager",
} as const;

export const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/** The cluster CA, mounted beside the token: it signs the API server's serving certificate. */
export const SERVICE_ACCOUNT_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

/** The scrape jobs of the cluster's own components, which the platform rules select by name. */
export const PLATFORM_JOBS = {
  kubelet: "kubelet",
  cadvisor: "cadvisor",
  apiserver: "apiserver",
  coredns: "coredns",
} as const;

/** The port CoreDNS serves its metrics on, in kind and in the EKS add-on alike. */
export const COREDNS_METRICS_PORT = 9153;
