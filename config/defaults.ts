import { WorkloadName } from "./components";
import { StackConfigInput } from "./schema";

export type Profile = StackConfigInput["profile"];

type Resources = StackConfigInput["resources"][WorkloadName];

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

const resources = (
  requestCpu: string,
  requestMemory: string,
  limitCpu: string,
  limitMemory: string,
  ephemeral: readonly [string, string] = EPHEMERAL.small,
): Resources => ({
  requests: { cpu: requestCpu, memory: requestMemory, ephemeralStorage: ephemeral[0] },
  limits: { cpu: limitCpu, memory: limitMemory, ephemeralStorage: ephemeral[1] },
});

/** Image versions the stack is built and tested against; override per stack with `images.<component>`. */
const images: StackConfigInput["images"] = {
  prometheus: "quay.io/prometheus/prometheus:v3.5.0",
  alertmanager: "quay.io/prometheus/alertmanager:v0.28.1",
  kubeStateMetrics: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0",
  nodeExporter: "quay.io/prometheus/node-exporter:v1.9.1",
  loki: "docker.io/grafana/loki:3.7.8",
  // The same release as Loki: the canary ships with it.
  lokiCanary: "docker.io/grafana/loki-canary:3.7.8",
  alloy: "docker.io/grafana/alloy:v1.19.0",
  otelCollector: "docker.io/otel/opentelemetry-collector-contrib:0.130.1",
  tempo: "docker.io/grafana/tempo:2.8.2",
  grafana: "docker.io/grafana/grafana:12.1.1",
  configReloader: "quay.io/prometheus-operator/prometheus-config-reloader:v0.85.0",
  thanosSidecar: "quay.io/thanos/thanos:v0.42.4",
  thanosQuery: "quay.io/thanos/thanos:v0.42.4",
  thanosStore: "quay.io/thanos/thanos:v0.42.4",
  thanosCompactor: "quay.io/thanos/thanos:v0.42.4",
  thanosRuler: "quay.io/thanos/thanos:v0.42.4",
  postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
  redisExporter: "docker.io/oliver006/redis_exporter:v1.74.0",
  // kiali/helm-charts kiali-server 2.29.0 deploys this tag.
  kiali: "quay.io/kiali/kiali:v2.29.0",
  // Public registries, pulled anonymously: no mirror, no pull Secrets.
  pullSecrets: [],
  acceptDowngrade: [],
};

/**
 * Off unless a stack file turns it on (Pulumi.kind.yaml does). Node's official image runs the demo
 * services; each is a small Node.js process (about 45 MiB resident).
 */
const demo: StackConfigInput["demo"] = {
  enabled: false,
  image: "docker.io/library/node:22.20.0-alpine3.22",
  resources: resources("10m", "48Mi", "100m", "128Mi"),
};

/** Where docs/runbooks.md is published; override per stack with your own copy. */
const runbookBaseUrl = "https://runbooks.example.com/observability";

/** Thresholds of the reference review's alert list, and of the platform alerts (the mixins' own). */
const alerts: StackConfigInput["metrics"]["alerts"] = {
  errorRatePercent: 5,
  latencyP99Seconds: 2,
  restartsPer15m: 5,
  memoryPercentOfLimit: 85,
  cpuPercentOfLimit: 80,
  diskPercent: 85,
  retryPercent: 10,
  cpuThrottlingPercent: 25,
  quotaPercent: 90,
  nodeMemoryPercent: 90,
  nodeFileDescriptorPercent: 90,
  diskQueueDepth: 10,
  apiServerTerminatedPercent: 20,
  sampleLimitPercent: 80,
  disabled: [],
  overrides: {},
};

/**
 * Per-target limits, far above what any target the stack scrapes has at the rated load
 * (testkit/expositions, docs/operations.md): the largest app pod, Spring Boot with percentile
 * histograms on ten URI templates, has 1,534 samples, a node's cAdvisor about 27 a pod (some 3,000
 * at 110 pods), node-exporter 523. kube-state-metrics grows with the cluster's objects (about 70 a
 * pod: some 100,000 on 50 nodes of 30 pods) and the API server with its resource types; their limit
 * doubles that and stays below the 500,000 series a prod replica is sized for. The widest series,
 * an Istio sidecar's, has 35 labels: its name, 26 of its own and the 8 the scrape adds.
 */
const scrapeLimits: StackConfigInput["metrics"]["scrapeLimits"] = {
  sampleLimit: 20000,
  clusterWideSampleLimit: 200000,
  labelLimit: 64,
};

/**
 * 99.5 % of requests succeed; 95 % are faster than 500 ms (a Micrometer SLO bucket, le="0.5"), over
 * a window no longer than the profile's Prometheus keeps, which evaluates the budget without a
 * bucket: a week on kind, two on eks. A stack with metrics.objectStorage can count a month.
 */
const slo = (window: string): StackConfigInput["metrics"]["slo"] => ({
  availability: 0.995,
  latencyObjective: 0.95,
  latencyThresholdSeconds: 0.5,
  window,
});

/** Span-metric duration buckets (seconds); they contain every default latency threshold. */
const latencyBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Seed parity with the reference platform's kind overlay; Kiali's is its port 20001 in the NodePort range. */
const seedNodePorts: StackConfigInput["exposure"]["nodePorts"] = {
  grafana: 30006,
  prometheus: 30090,
  zipkin: 30411,
  otlpHttp: 30318,
  kiali: 30201,
};

/** Off unless a stack file turns it on: the stack then observes an Istio mesh that is already installed. */
const mesh: StackConfigInput["mesh"] = {
  istio: { enabled: false, namespaces: [], istiodNamespace: "istio-system", kiali: true },
};

/**
 * What each profile starts from. A stack file only states where it differs; objects merge
 * key by key, arrays and scalars replace.
 */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, StackConfigInput>> = {
  // Sized for a laptop: the whole stack requests under 1 CPU and 2 GiB.
  kind: {
    profile: "kind",
    // A laptop pulls each image once, in a minute or two; a pod that is not ready by then will not be.
    cluster: {
      name: "observability",
      env: "dev",
      region: "local",
      kubeContext: "kind-observability",
      rolloutTimeoutMinutes: 5,
    },
    namespaces: { observability: "observability", node: "observability-node" },
    // A laptop cluster is the stack's own: it creates the namespaces the apps deploy into.
    apps: {
      namespaces: [],
      createNamespaces: true,
      defaults: { metricsPath: "/metrics", scrapeInterval: "15s" },
      services: [],
    },
    metrics: {
      retentionTime: "7d",
      retentionSize: "4GB",
      storageSize: "5Gi",
      scrapeInterval: "15s",
      evaluationInterval: "15s",
      replicas: 1,
      alertmanagerReplicas: 1,
      runbookBaseUrl,
      alerts,
      slo: slo("7d"),
      scrapeLimits,
      slos: [],
      openSloFiles: [],
      slothFiles: [],
      exporters: { postgres: [], redis: [] },
      extraRuleFiles: [],
      extraScrapeConfigs: [],
      annotationDiscovery: { namespaces: [] },
      prometheusOperatorMonitors: { enabled: false, namespaces: [] },
    },
    logs: {
      retention: "168h",
      storageSize: "5Gi",
      replicas: 1,
      replicationFactor: 1,
      // The API needs no host access and no root; a laptop's log volume is no load for it.
      collectionMode: "api",
      clusterEvents: true,
      maskIpAddresses: false,
      dropPatterns: ["GET /actuator/health", "kube-probe/"],
      ingestionRateMb: 4,
      ingestionBurstMb: 8,
      alerts: { errorLinesPer5m: 100, silentFor: "15m", disabled: [], overrides: {} },
      extraRuleFiles: [],
    },
    tracing: {
      samplingProbability: 1,
      tailSampling: { enabled: false, latencyThresholdMs: 1000 },
      latencyBucketsSeconds,
      collectorReplicas: 1,
      aggregatorReplicas: 1,
      retention: "72h",
      storageSize: "5Gi",
      // The rated load on kind (docs/measured/bench-load-short.md); 15 minutes take 220Mi.
      queue: { outageMinutes: 15, spansPerSecond: 100, storageSize: "256Mi" },
    },
    grafana: {
      adminUser: "admin",
      credentialsRotation: "1",
      storageSize: "1Gi",
      dashboardsFolder: "Observability",
      replicas: 1,
      extraDatasources: [],
      extraDashboards: [],
      teams: [],
      folderPermissions: [],
    },
    alerting: {
      groupWait: "30s",
      receivers: [],
      routes: [],
      timeIntervals: [],
      externalUrls: {},
    },
    // kind's default podSubnet, which kind/cluster.yaml sets.
    exposure: { mode: "nodePort", nodePorts: seedNodePorts, podCidrs: ["10.244.0.0/16"] },
    // kind's `standard` class (local-path) cannot expand volumes.
    storage: { className: "standard", allowVolumeExpansion: false },
    images,
    // The stack's own rules only (replicas spread over nodes and zones, node agents tolerate every
    // taint): node pools, taints and priority classes are the cluster's, so placement is opt-in.
    placement: { default: {} },
    resources: {
      // Measured by `npm run bench:load` (docs/operations.md, "Footprint"): requests near steady RSS at the rated load.
      prometheus: resources("100m", "192Mi", "500m", "512Mi"),
      alertmanager: resources("10m", "48Mi", "100m", "128Mi"),
      kubeStateMetrics: resources("10m", "32Mi", "100m", "128Mi"),
      nodeExporter: resources("10m", "24Mi", "100m", "64Mi"),
      loki: resources("100m", "160Mi", "500m", "512Mi", EPHEMERAL.scratch),
      // Alloy's steady use at the rated load is close to this request; a tighter limit holds its Go
      // heap at its GOMEMLIMIT.
      alloy: resources("50m", "192Mi", "200m", "384Mi", EPHEMERAL.scratch),
      // Measured: 35 MiB resident at its peak (tests/components/canary.test.ts).
      lokiCanary: resources("5m", "40Mi", "50m", "64Mi"),
      otelCollector: resources("50m", "96Mi", "300m", "384Mi"),
      otelCollectorAggregator: resources("50m", "128Mi", "300m", "384Mi"),
      tempo: resources("50m", "128Mi", "300m", "512Mi", EPHEMERAL.scratch),
      grafana: resources("50m", "128Mi", "300m", "384Mi", EPHEMERAL.plugins),
      configReloader: resources("5m", "16Mi", "50m", "32Mi"),
      // Only with more than one Prometheus replica: kind runs one, and queries it directly.
      thanosSidecar: resources("10m", "32Mi", "100m", "128Mi"),
      thanosQuery: resources("10m", "64Mi", "200m", "256Mi"),
      // Only with metrics.objectStorage, which kind refuses.
      thanosStore: resources("50m", "256Mi", "500m", "1Gi"),
      thanosCompactor: resources("50m", "256Mi", "1", "1Gi"),
      thanosRuler: resources("10m", "64Mi", "200m", "256Mi", EPHEMERAL.scratch),
      postgresExporter: resources("10m", "32Mi", "100m", "64Mi"),
      redisExporter: resources("10m", "16Mi", "100m", "64Mi"),
      monitorScraper: resources("20m", "64Mi", "200m", "256Mi", EPHEMERAL.scratch),
      // Measured: 80 MB resident with its informer synced (tests/cluster/clusterEvents.test.ts).
      eventCollector: resources("10m", "96Mi", "100m", "256Mi", EPHEMERAL.scratch),
      // Only with mesh.istio on. Kiali's chart requests 10m and 64Mi with a 1Gi memory limit; its
      // caches grow with the objects of the meshed namespaces. Not measured here (no Kiali binary).
      kiali: resources("10m", "96Mi", "500m", "384Mi"),
    },
    demo,
    mesh,
  },
  // Sized for a small production cluster; docs/operations.md's sizing note says which keys to raise.
  eks: {
    profile: "eks",
    // The provider's own default: a StatefulSet rolls one pod at a time, each waiting for a new node.
    cluster: {
      name: "observability",
      env: "prod",
      region: "us-east-1",
      kubeContext: "observability-prod",
      rolloutTimeoutMinutes: 10,
    },
    namespaces: { observability: "observability", node: "observability-node" },
    // Production app namespaces belong to their teams: the stack requires them to exist.
    apps: {
      namespaces: [],
      createNamespaces: false,
      defaults: { metricsPath: "/metrics", scrapeInterval: "15s" },
      services: [],
    },
    metrics: {
      retentionTime: "15d",
      retentionSize: "40GB",
      storageSize: "50Gi",
      scrapeInterval: "15s",
      evaluationInterval: "15s",
      replicas: 2,
      alertmanagerReplicas: 3,
      // Grafana reads prometheus-0 alone (or AMP with remote write); set 1 to fail over.
      runbookBaseUrl,
      alerts,
      slo: slo("14d"),
      scrapeLimits,
      slos: [],
      openSloFiles: [],
      slothFiles: [],
      exporters: { postgres: [], redis: [] },
      extraRuleFiles: [],
      extraScrapeConfigs: [],
      annotationDiscovery: { namespaces: [] },
      prometheusOperatorMonitors: { enabled: false, namespaces: [] },
    },
    logs: {
      retention: "720h",
      storageSize: "20Gi",
      // One per zone: losing a pod, a node or a zone leaves a write majority of every line's copies.
      replicas: 3,
      replicationFactor: 3,
      // Files on each node scale with the cluster; the API server is not a log pipe.
      collectionMode: "node",
      clusterEvents: true,
      maskIpAddresses: true,
      dropPatterns: ["GET /actuator/health", "kube-probe/"],
      // One named tenant: the header is wired everywhere, so per-team tenants need no rewiring.
      tenant: "platform",
      ingestionRateMb: 16,
      ingestionBurstMb: 32,
      alerts: { errorLinesPer5m: 100, silentFor: "15m", disabled: [], overrides: {} },
      extraRuleFiles: [],
    },
    tracing: {
      samplingProbability: 0.1,
      tailSampling: { enabled: true, latencyThresholdMs: 1000 },
      latencyBucketsSeconds,
      collectorReplicas: 2,
      aggregatorReplicas: 2,
      retention: "336h",
      storageSize: "20Gi",
      // The rated load in prod (docs/measured/bench-load-short.md); 30 minutes take 4.3Gi.
      queue: { outageMinutes: 30, spansPerSecond: 1000, storageSize: "5Gi" },
    },
    grafana: {
      adminUser: "admin",
      credentialsRotation: "1",
      storageSize: "10Gi",
      dashboardsFolder: "Observability",
      replicas: 2,
      extraDatasources: [],
      extraDashboards: [],
      teams: [],
      folderPermissions: [],
    },
    alerting: {
      groupWait: "30s",
      receivers: [],
      routes: [],
      timeIntervals: [],
      externalUrls: {},
    },
    exposure: { mode: "ingress", nodePorts: seedNodePorts, podCidrs: [] },
    // The gp3 class docs/production.md asks for sets allowVolumeExpansion (the preflight checks it).
    storage: { className: "gp3", allowVolumeExpansion: true },
    images,
    // The stack's own rules only (replicas spread over nodes and zones, node agents tolerate every
    // taint): node pools, taints and priority classes are the cluster's, so placement is opt-in.
    placement: { default: {} },
    resources: {
      // Measured by `npm run bench:load` (docs/operations.md, "Footprint"). Limits keep the headroom a short run
      // cannot show: the head growing to its 2 h compaction, dashboard and rule queries.
      prometheus: resources("500m", "1Gi", "2", "4Gi"),
      alertmanager: resources("50m", "48Mi", "200m", "256Mi"),
      kubeStateMetrics: resources("50m", "128Mi", "200m", "256Mi"),
      nodeExporter: resources("50m", "64Mi", "200m", "128Mi"),
      loki: resources("500m", "512Mi", "2", "2Gi", EPHEMERAL.scratch),
      // Its start-up catch-up over the rated pods' files needs more than half a core: less would throttle it.
      alloy: resources("100m", "256Mi", "1", "512Mi", EPHEMERAL.scratch),
      lokiCanary: resources("10m", "40Mi", "100m", "64Mi"),
      // The gateway only routes; the aggregators hold traces until the sampling decision.
      otelCollector: resources("100m", "96Mi", "500m", "256Mi"),
      otelCollectorAggregator: resources("250m", "256Mi", "1", "1Gi"),
      tempo: resources("250m", "1Gi", "1", "2Gi", EPHEMERAL.scratch),
      grafana: resources("100m", "256Mi", "500m", "512Mi", EPHEMERAL.plugins),
      configReloader: resources("10m", "32Mi", "100m", "64Mi"),
      thanosSidecar: resources("50m", "80Mi", "500m", "256Mi"),
      // Sized by every dashboard's queries over a month of the rated load's blocks (npm run
      // bench:thanos, docs/measured/thanos-footprint.md). The dashboards read recorded series, and
      // the store gateway answering them one after another stays within its request and under one
      // core. Its limit keeps room for its index cache and chunk pool (a quarter of it each) and for
      // an Explore query up to the per-request limits of thanosStoreWorkload.ts. Thanos Query keeps
      // the limit it was given when the latency panels read raw buckets (748 MiB then): Explore may.
      thanosQuery: resources("100m", "128Mi", "1", "1Gi"),
      thanosStore: resources("250m", "256Mi", "1", "1Gi"),
      thanosCompactor: resources("100m", "512Mi", "1", "2Gi"),
      // Its remote-write queue's write-ahead log is scratch.
      thanosRuler: resources("50m", "128Mi", "500m", "512Mi", EPHEMERAL.scratch),
      postgresExporter: resources("20m", "64Mi", "200m", "128Mi"),
      redisExporter: resources("20m", "32Mi", "200m", "64Mi"),
      monitorScraper: resources("50m", "128Mi", "500m", "512Mi", EPHEMERAL.scratch),
      // The informer holds the last hour's events, which grow with the cluster.
      eventCollector: resources("20m", "128Mi", "200m", "384Mi", EPHEMERAL.scratch),
      kiali: resources("50m", "256Mi", "1", "1Gi"),
    },
    // Refused on eks (config/schema.ts); present so that both profiles have every key.
    demo,
    mesh,
  },
};
