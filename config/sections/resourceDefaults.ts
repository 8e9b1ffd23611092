import type { z } from "zod";
import { SideBySide } from "../profiles";
import type { resourcesSection } from "./resources";

type Resources = z.input<typeof resourcesSection>[keyof z.input<typeof resourcesSection>];

/**
 * Ephemeral storage (requested, limit) for the container's logs and scratch directories. The
 * kubelet keeps up to 50Mi of a container's logs (5 files of 10Mi); `small` adds room for a little
 * scratch, `scratch` for a process that writes temporary files (/tmp), `plugins` for Grafana's
 * plugins and logs when its data path is scratch (with a shared database).
 */
const EPHEMERAL = {
  small: ["32Mi", "128Mi"],
  scratch: ["64Mi", "512Mi"],
  plugins: ["128Mi", "1Gi"],
} as const;

export const resources = (
  requestCpu: string,
  requestMemory: string,
  limitCpu: string,
  limitMemory: string,
  ephemeral: readonly [string, string] = EPHEMERAL.small,
): Resources => ({
  requests: { cpu: requestCpu, memory: requestMemory, ephemeralStorage: ephemeral[0] },
  limits: { cpu: limitCpu, memory: limitMemory, ephemeralStorage: ephemeral[1] },
});

/** Each workload's resources on kind and on eks. */
export const RESOURCES_DEFAULTS: SideBySide<z.input<typeof resourcesSection>> = {
  // Measured by `npm run bench:load` (docs/operations.md, "Footprint"): on kind, requests near steady
  // RSS at the rated load; on eks, limits keep the headroom a short run cannot show: the head growing
  // to its 2 h compaction, dashboard and rule queries.
  prometheus: {
    kind: resources("100m", "192Mi", "500m", "512Mi"),
    eks: resources("500m", "1Gi", "2", "4Gi"),
  },
  alertmanager: {
    kind: resources("10m", "48Mi", "100m", "128Mi"),
    eks: resources("50m", "48Mi", "200m", "256Mi"),
  },
  kubeStateMetrics: {
    kind: resources("10m", "32Mi", "100m", "128Mi"),
    eks: resources("50m", "128Mi", "200m", "256Mi"),
  },
  nodeExporter: {
    kind: resources("10m", "24Mi", "100m", "64Mi"),
    eks: resources("50m", "64Mi", "200m", "128Mi"),
  },
  loki: {
    kind: resources("100m", "160Mi", "500m", "512Mi", EPHEMERAL.scratch),
    eks: resources("500m", "512Mi", "2", "2Gi", EPHEMERAL.scratch),
  },
  alloy: {
    // Alloy's steady use at the rated load is close to this request; a tighter limit holds its Go
    // heap at its GOMEMLIMIT.
    kind: resources("50m", "192Mi", "200m", "384Mi", EPHEMERAL.scratch),
    // Its start-up catch-up over the rated pods' files needs more than half a core: less would throttle it.
    eks: resources("100m", "256Mi", "1", "512Mi", EPHEMERAL.scratch),
  },
  lokiCanary: {
    // Measured: 35 MiB resident at its peak (tests/servers/canary.test.ts).
    kind: resources("5m", "40Mi", "50m", "64Mi"),
    eks: resources("10m", "40Mi", "100m", "64Mi"),
  },
  // On eks the gateway only routes; the aggregators hold traces until the sampling decision.
  otelCollector: {
    kind: resources("50m", "96Mi", "300m", "384Mi"),
    eks: resources("100m", "96Mi", "500m", "256Mi"),
  },
  otelCollectorAggregator: {
    kind: resources("50m", "128Mi", "300m", "384Mi"),
    eks: resources("250m", "256Mi", "1", "1Gi"),
  },
  tempo: {
    kind: resources("50m", "128Mi", "300m", "512Mi", EPHEMERAL.scratch),
    eks: resources("250m", "1Gi", "1", "2Gi", EPHEMERAL.scratch),
  },
  grafana: {
    kind: resources("50m", "128Mi", "300m", "384Mi", EPHEMERAL.plugins),
    eks: resources("100m", "256Mi", "500m", "512Mi", EPHEMERAL.plugins),
  },
  configReloader: {
    kind: resources("5m", "16Mi", "50m", "32Mi"),
    eks: resources("10m", "32Mi", "100m", "64Mi"),
  },
  // kube-prometheus' sizing for the same proxy in front of node-exporter: one scrape of each
  // Prometheus replica every interval, each a TokenReview and a SubjectAccessReview it caches.
  kubeRbacProxy: {
    kind: resources("10m", "20Mi", "50m", "48Mi"),
    eks: resources("10m", "20Mi", "100m", "64Mi"),
  },
  thanosSidecar: {
    // Only with more than one Prometheus replica: kind runs one, and queries it directly.
    kind: resources("10m", "32Mi", "100m", "128Mi"),
    eks: resources("50m", "80Mi", "500m", "256Mi"),
  },
  // Sized on eks by every dashboard's queries over a month of the rated load's blocks (npm run
  // bench:thanos, docs/measured/thanos-footprint.md). The dashboards read recorded series, and
  // the store gateway answering them one after another stays within its request and under one
  // core. Its limit keeps room for its index cache and chunk pool (a quarter of it each) and for
  // an Explore query up to the per-request limits of thanosStoreWorkload.ts. Thanos Query keeps
  // the limit it was given when the latency panels read raw buckets (748 MiB then): Explore may.
  thanosQuery: {
    kind: resources("10m", "64Mi", "200m", "256Mi"),
    eks: resources("100m", "128Mi", "1", "1Gi"),
  },
  thanosStore: {
    // Only with metrics.objectStorage, which kind refuses.
    kind: resources("50m", "256Mi", "500m", "1Gi"),
    eks: resources("250m", "256Mi", "1", "1Gi"),
  },
  thanosCompactor: {
    kind: resources("50m", "256Mi", "1", "1Gi"),
    eks: resources("100m", "512Mi", "1", "2Gi"),
  },
  // Its remote-write queue's write-ahead log is scratch.
  thanosRuler: {
    kind: resources("10m", "64Mi", "200m", "256Mi", EPHEMERAL.scratch),
    eks: resources("50m", "128Mi", "500m", "512Mi", EPHEMERAL.scratch),
  },
  postgresExporter: {
    kind: resources("10m", "32Mi", "100m", "64Mi"),
    eks: resources("20m", "64Mi", "200m", "128Mi"),
  },
  redisExporter: {
    kind: resources("10m", "16Mi", "100m", "64Mi"),
    eks: resources("20m", "32Mi", "200m", "64Mi"),
  },
  monitorScraper: {
    kind: resources("20m", "64Mi", "200m", "256Mi", EPHEMERAL.scratch),
    eks: resources("50m", "128Mi", "500m", "512Mi", EPHEMERAL.scratch),
  },
  eventCollector: {
    // Measured: 80 MB resident with its informer synced (tests/cluster/clusterEvents.test.ts).
    kind: resources("10m", "96Mi", "100m", "256Mi", EPHEMERAL.scratch),
    // The informer holds the last hour's events, which grow with the cluster.
    eks: resources("20m", "128Mi", "200m", "384Mi", EPHEMERAL.scratch),
  },
  // Only with mesh.istio on. Kiali's chart requests 10m and 64Mi with a 1Gi memory limit; its
  // caches grow with the objects of the meshed namespaces. Not measured here (no Kiali binary).
  kiali: {
    kind: resources("10m", "96Mi", "500m", "384Mi"),
    eks: resources("50m", "256Mi", "1", "1Gi"),
  },
};
