import type { z } from "zod";
import { SideBySide, same } from "../profiles";
import type { metricsSection } from "./section";

type Metrics = z.input<typeof metricsSection>;

/** Where docs/runbooks.md is published; override per stack with your own copy. */
const runbookBaseUrl = "https://runbooks.example.com/observability";

/** Thresholds of the reference review's alert list, and of the platform alerts (the mixins' own). */
const alerts: Metrics["alerts"] = {
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
 * (tests/kit/expositions, docs/operations.md): the largest app pod, Spring Boot with percentile
 * histograms on ten URI templates, has 1,534 samples, a node's cAdvisor about 27 a pod (some 3,000
 * at 110 pods), node-exporter 523. kube-state-metrics grows with the cluster's objects (about 70 a
 * pod: some 100,000 on 50 nodes of 30 pods) and the API server with its resource types; their limit
 * doubles that and stays below the 500,000 series a prod replica is sized for. The widest series,
 * an Istio sidecar's, has 35 labels: its name, 26 of its own and the 8 the scrape adds.
 */
const scrapeLimits: Metrics["scrapeLimits"] = {
  sampleLimit: 20000,
  clusterWideSampleLimit: 200000,
  labelLimit: 64,
};

/**
 * 99.5 % of requests succeed; 95 % are faster than 500 ms (a Micrometer SLO bucket, le="0.5"), over
 * a window no longer than the profile's Prometheus keeps, which evaluates the budget without a
 * bucket: a week on kind, two on eks. A stack with metrics.objectStorage can count a month.
 */
const slo = (window: string): Metrics["slo"] => ({
  availability: 0.995,
  latencyObjective: 0.95,
  latencyThresholdSeconds: 0.5,
  window,
});

/** The metrics section's defaults on kind and on eks. */
export const METRICS_DEFAULTS: SideBySide<Metrics> = {
  retentionTime: { kind: "7d", eks: "15d" },
  retentionSize: { kind: "4GB", eks: "40GB" },
  storageSize: { kind: "5Gi", eks: "50Gi" },
  scrapeInterval: same("15s"),
  evaluationInterval: same("15s"),
  replicas: { kind: 1, eks: 2 },
  alertmanagerReplicas: { kind: 1, eks: 3 },
  runbookBaseUrl: same(runbookBaseUrl),
  alerts: same(alerts),
  slo: { kind: slo("7d"), eks: slo("14d") },
  scrapeLimits: same(scrapeLimits),
  slos: same([]),
  openSloFiles: same([]),
  slothFiles: same([]),
  exporters: same({ postgres: [], redis: [] }),
  extraRuleFiles: same([]),
  extraScrapeConfigs: same([]),
  annotationDiscovery: same({ namespaces: [] }),
  prometheusOperatorMonitors: same({ enabled: false, namespaces: [] }),
  nodeExporter: same({ authProxy: true }),
};
