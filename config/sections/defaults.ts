import type { z } from "zod";
import { SideBySide, same } from "../profiles";
import type { appsSection } from "./apps";
import type { clusterSection } from "./cluster";
import type { demoSection } from "./demo";
import type { exposureSection } from "./exposure";
import type { grafanaSection } from "./grafana";
import type { imagesSection } from "./images";
import type { logsSection } from "./logs";
import type { meshSection } from "./mesh";
import type { namespacesSection } from "./namespaces";
import type { placementSection } from "./placement";
import { resources } from "./resourceDefaults";
import type { storageSection } from "./storage";
import type { tracingSection } from "./tracing";

// The defaults of the sections in this folder, each key's on kind and on eks side by side.

export const CLUSTER_DEFAULTS: SideBySide<z.input<typeof clusterSection>> = {
  name: same("observability"),
  env: { kind: "dev", eks: "prod" },
  region: { kind: "local", eks: "us-east-1" },
  kubeContext: { kind: "kind-observability", eks: "observability-prod" },
  // kind: a laptop pulls each image once, in a minute or two; a pod that is not ready by then will
  // not be. eks: the provider's own default: a StatefulSet rolls one pod at a time, each waiting for
  // a new node.
  rolloutTimeoutMinutes: { kind: 5, eks: 10 },
};

export const NAMESPACES_DEFAULTS: SideBySide<z.input<typeof namespacesSection>> = {
  observability: same("observability"),
  node: same("observability-node"),
};

export const APPS_DEFAULTS: SideBySide<z.input<typeof appsSection>> = {
  namespaces: same([]),
  // A laptop cluster is the stack's own: it creates the namespaces the apps deploy into. Production
  // app namespaces belong to their teams: the stack requires them to exist.
  createNamespaces: { kind: true, eks: false },
  defaults: same({ metricsPath: "/metrics", scrapeInterval: "15s" }),
  services: same([]),
};

export const LOGS_DEFAULTS: SideBySide<z.input<typeof logsSection>> = {
  retention: { kind: "168h", eks: "720h" },
  storageSize: { kind: "5Gi", eks: "20Gi" },
  // On eks one per zone: losing a pod, a node or a zone leaves a write majority of every line's copies.
  replicas: { kind: 1, eks: 3 },
  replicationFactor: { kind: 1, eks: 3 },
  collectionMode: {
    // The API needs no host access and no root; a laptop's log volume is no load for it.
    kind: "api",
    // Files on each node scale with the cluster; the API server is not a log pipe.
    eks: "node",
  },
  clusterEvents: same(true),
  maskIpAddresses: { kind: false, eks: true },
  dropPatterns: same(["GET /actuator/health", "kube-probe/"]),
  // One named tenant: the header is wired everywhere, so per-team tenants need no rewiring.
  tenant: { eks: "platform" },
  ingestionRateMb: { kind: 4, eks: 16 },
  ingestionBurstMb: { kind: 8, eks: 32 },
  alerts: same({ errorLinesPer5m: 100, silentFor: "15m", disabled: [], overrides: {} }),
  extraRuleFiles: same([]),
};

/** Span-metric duration buckets (seconds); they contain every default latency threshold. */
const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const TRACING_DEFAULTS: SideBySide<z.input<typeof tracingSection>> = {
  samplingProbability: { kind: 1, eks: 0.1 },
  tailSampling: {
    kind: { enabled: false, latencyThresholdMs: 1000 },
    eks: { enabled: true, latencyThresholdMs: 1000 },
  },
  latencyBucketsSeconds: same(latencyBucketsSeconds),
  collectorReplicas: { kind: 1, eks: 2 },
  aggregatorReplicas: { kind: 1, eks: 2 },
  retention: { kind: "72h", eks: "336h" },
  storageSize: { kind: "5Gi", eks: "20Gi" },
  // The rated load on each (docs/measured/bench-load-short.md); 15 minutes on kind take 220Mi, 30 on
  // eks 4.3Gi.
  queue: {
    kind: { outageMinutes: 15, spansPerSecond: 100, storageSize: "256Mi" },
    eks: { outageMinutes: 30, spansPerSecond: 1000, storageSize: "5Gi" },
  },
};

export const GRAFANA_DEFAULTS: SideBySide<z.input<typeof grafanaSection>> = {
  adminUser: same("admin"),
  credentialsRotation: same("1"),
  storageSize: { kind: "1Gi", eks: "10Gi" },
  dashboardsFolder: same("Observability"),
  replicas: { kind: 1, eks: 2 },
  extraDatasources: same([]),
  extraDashboards: same([]),
  teams: same([]),
  folderPermissions: same([]),
};

/**
 * Seed parity with the reference platform's kind overlay; Kiali's is its port 20001 in the NodePort
 * range.
 */
const seedNodePorts = {
  grafana: 30006,
  prometheus: 30090,
  zipkin: 30411,
  otlpHttp: 30318,
  kiali: 30201,
};

export const EXPOSURE_DEFAULTS: SideBySide<z.input<typeof exposureSection>> = {
  mode: { kind: "nodePort", eks: "ingress" },
  nodePorts: same(seedNodePorts),
  // kind's default podSubnet, which kind/cluster.yaml sets.
  podCidrs: { kind: ["10.244.0.0/16"], eks: [] },
};

export const STORAGE_DEFAULTS: SideBySide<z.input<typeof storageSection>> = {
  // kind's `standard` class (local-path) cannot expand volumes. The gp3 class docs/production.md
  // asks for sets allowVolumeExpansion (the preflight checks it).
  className: { kind: "standard", eks: "gp3" },
  allowVolumeExpansion: { kind: false, eks: true },
};

/** Image versions the stack is built and tested against; override per stack with `images.<component>`. */
export const IMAGES_DEFAULTS: SideBySide<z.input<typeof imagesSection>> = {
  prometheus: same("quay.io/prometheus/prometheus:v3.5.0"),
  alertmanager: same("quay.io/prometheus/alertmanager:v0.28.1"),
  kubeStateMetrics: same("registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0"),
  nodeExporter: same("quay.io/prometheus/node-exporter:v1.9.1"),
  loki: same("docker.io/grafana/loki:3.7.8"),
  // The same release as Loki: the canary ships with it.
  lokiCanary: same("docker.io/grafana/loki-canary:3.7.8"),
  alloy: same("docker.io/grafana/alloy:v1.19.0"),
  otelCollector: same("docker.io/otel/opentelemetry-collector-contrib:0.130.1"),
  tempo: same("docker.io/grafana/tempo:2.8.2"),
  grafana: same("docker.io/grafana/grafana:12.1.1"),
  configReloader: same("quay.io/prometheus-operator/prometheus-config-reloader:v0.85.0"),
  kubeRbacProxy: same("quay.io/brancz/kube-rbac-proxy:v0.19.1"),
  thanosSidecar: same("quay.io/thanos/thanos:v0.42.4"),
  thanosQuery: same("quay.io/thanos/thanos:v0.42.4"),
  thanosStore: same("quay.io/thanos/thanos:v0.42.4"),
  thanosCompactor: same("quay.io/thanos/thanos:v0.42.4"),
  thanosRuler: same("quay.io/thanos/thanos:v0.42.4"),
  postgresExporter: same("quay.io/prometheuscommunity/postgres-exporter:v0.17.1"),
  redisExporter: same("docker.io/oliver006/redis_exporter:v1.74.0"),
  // kiali/helm-charts kiali-server 2.29.0 deploys this tag.
  kiali: same("quay.io/kiali/kiali:v2.29.0"),
  // Public registries, pulled anonymously: no mirror, no pull Secrets.
  pullSecrets: same([]),
  acceptDowngrade: same([]),
};

export const PLACEMENT_DEFAULTS: SideBySide<z.input<typeof placementSection>> = {
  // The stack's own rules only (replicas spread over nodes and zones, node agents tolerate every
  // taint): node pools, taints and priority classes are the cluster's, so placement is opt-in.
  default: same({}),
};

/**
 * Off unless a stack file turns it on (Pulumi.kind.yaml does). Node's official image runs the demo
 * services; each is a small Node.js process (about 45 MiB resident). eks refuses it (demoOnlyOnKind
 * in config/sections/checks.ts); it is there so that both profiles have every key.
 */
export const DEMO_DEFAULTS: SideBySide<z.input<typeof demoSection>> = {
  enabled: same(false),
  image: same("docker.io/library/node:22.20.0-alpine3.22"),
  resources: same(resources("10m", "48Mi", "100m", "128Mi")),
};

/** Off unless a stack file turns it on: the stack then observes an Istio mesh that is already installed. */
export const MESH_DEFAULTS: SideBySide<z.input<typeof meshSection>> = {
  istio: same({ enabled: false, namespaces: [], istiodNamespace: "istio-system", kiali: true }),
};
