import { PLACED_WORKLOADS, PlacedWorkloadName } from "../../config/components";
import type { PulumiConfig } from "../../config";
import { Json } from "../kit/json";

/** The node pool a platform team dedicates to the stack: a label, a taint, a priority class. */
export const POOL_LABEL = "observability.example.com/pool";
export const POOL = "observability";
export const POOL_TAINT = { key: "dedicated", value: "observability", effect: "NoSchedule" } as const;
export const PRIORITY_CLASS = "observability-critical";
export const MIRROR = "registry.example.com/mirror";
/** What `docker login registry.example.com` writes to ~/.docker/config.json for a robot account. */
export const REGISTRY_CREDENTIALS = JSON.stringify({
  auths: {
    "registry.example.com": { auth: Buffer.from("robot$observability:s3cr3t-token").toString("base64") },
  },
});
/** A digest-pinned override, so that the mirror is shown to keep a digest as well as a tag. */
export const GRAFANA_BY_DIGEST = `docker.io/grafana/grafana:12.1.1@sha256:${"4f".repeat(32)}`;

/** The label each workload's own override selects, beside the pool's: the merge rule made visible. */
export const workloadLabel = (workload: PlacedWorkloadName) => `observability.example.com/${workload}`;

/** The pods' `app.kubernetes.io/name` → their key in `placement`. */
export function workloadOfPod(name: string): PlacedWorkloadName {
  const byName: Record<string, PlacedWorkloadName> = {
    "kube-state-metrics": "kubeStateMetrics",
    "node-exporter": "nodeExporter",
    "otel-collector": "otelCollector",
    "otel-collector-aggregator": "otelCollectorAggregator",
    "monitor-scraper": "monitorScraper",
    "event-collector": "eventCollector",
    "thanos-query": "thanosQuery",
    "thanos-store": "thanosStore",
    "thanos-compactor": "thanosCompactor",
    "thanos-ruler": "thanosRuler",
    "loki-canary": "lokiCanary",
  };
  if (name.startsWith("postgres-exporter-")) return "postgresExporter";
  if (name.startsWith("redis-exporter-")) return "redisExporter";
  const workload = PLACED_WORKLOADS.find((w) => w === (byName[name] ?? name));
  if (workload === undefined) {
    throw new Error(`no placement key for pod ${name}`);
  }
  return workload;
}

/** Prometheus kept off Loki's nodes (both hold much in memory), on top of the stack's spread of its replicas. */
export const PROMETHEUS_ANTI_AFFINITY = {
  preferredDuringSchedulingIgnoredDuringExecution: [
    {
      weight: 100,
      podAffinityTerm: {
        labelSelector: { matchLabels: { "app.kubernetes.io/name": "loki" } },
        topologyKey: "kubernetes.io/hostname",
      },
    },
  ],
};

/**
 * A stack file with placement for every workload, a registry mirror and its credentials, one
 * exporter of each kind and the mesh on (so that every workload the program can run is rendered),
 * as the stack file holds it: YAML integers stay numbers.
 */
export function withPlacementEverywhere(config: PulumiConfig): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const parsed = (key: string): Json => JSON.parse(config[`observability:${key}`] ?? "{}") as Json;
  const placement: Json = {
    default: {
      nodeSelector: { [POOL_LABEL]: POOL },
      tolerations: [
        { key: POOL_TAINT.key, operator: "Equal", value: POOL_TAINT.value, effect: POOL_TAINT.effect },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }],
              },
            ],
          },
        },
      },
      priorityClassName: PRIORITY_CLASS,
    },
    ...Object.fromEntries(
      PLACED_WORKLOADS.map((w) => [w, { nodeSelector: { [workloadLabel(w)]: "allowed" } }]),
    ),
  };
  placement.prometheus.affinity = { podAntiAffinity: PROMETHEUS_ANTI_AFFINITY };
  return {
    config: {
      ...config,
      "observability:placement": JSON.stringify(placement),
      "observability:images": JSON.stringify({
        ...parsed("images"),
        registry: MIRROR,
        registryCredentials: REGISTRY_CREDENTIALS,
        grafana: GRAFANA_BY_DIGEST,
      }),
      "observability:metrics": JSON.stringify({
        ...parsed("metrics"),
        exporters: {
          postgres: [
            { name: "tickets", dsn: "postgresql://exporter:pw@tickets-db.tiketi-spring.svc:5432/tickets" },
          ],
          redis: [{ name: "queue", address: "queue-redis.tiketi-spring.svc:6379" }],
        },
        // The monitor scraper runs only with monitors to scrape.
        prometheusOperatorMonitors: { enabled: true, namespaces: ["cert-manager"] },
      }),
      // Kiali runs only with a mesh.
      "observability:mesh": JSON.stringify({ istio: { enabled: true, namespaces: ["tiketi-spring"] } }),
    },
    // The DSN and the registry credentials are credentials: the stack file holds both keys encrypted.
    secretKeys: ["observability:metrics", "observability:images"],
  };
}
