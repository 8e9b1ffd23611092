import { StackConfig } from "../../config";
import { prometheusRemoteWriteUrls } from "../metrics/prometheusConfig";
import { clusterAddress } from "../common/serviceUrl";
import { COLLECTOR, TEMPO } from "./names";

// The OpenTelemetry Collector (contrib 0.130) configuration, as typed data. Component names are
// the ones that version registers.

const RETRY = {
  enabled: true,
  initial_interval: "5s",
  max_interval: "30s",
  max_elapsed_time: "300s",
} as const;

/** Request-duration buckets shared by span metrics and the service graph. */
const LATENCY_BUCKETS = ["5ms", "10ms", "25ms", "50ms", "100ms", "250ms", "500ms", "1s", "2.5s", "5s", "10s"];

export interface TailSamplingPolicy {
  readonly name: string;
  readonly type: "status_code" | "latency" | "probabilistic";
  readonly status_code?: { readonly status_codes: readonly string[] };
  readonly latency?: { readonly threshold_ms: number };
  readonly probabilistic?: { readonly sampling_percentage: number };
}

/**
 * Keep every trace with an error, every trace slower than the threshold, and the configured share
 * of the rest. Policies are alternatives: a trace any policy samples is kept.
 */
export function tailSamplingPolicies(tracing: StackConfig["tracing"]): TailSamplingPolicy[] {
  return [
    { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
    { name: "slow", type: "latency", latency: { threshold_ms: tracing.tailSampling.latencyThresholdMs } },
    {
      name: "ordinary",
      type: "probabilistic",
      probabilistic: { sampling_percentage: +(tracing.samplingProbability * 100).toFixed(4) },
    },
  ];
}

/** The prometheusremotewrite exporter of each Prometheus replica, by component id. */
function remoteWriteExporters(config: StackConfig): Record<string, object> {
  const urls = prometheusRemoteWriteUrls(config.namespaces.observability, config.metrics.replicas);
  return Object.fromEntries(
    urls.map((endpoint, i) => [
      `prometheusremotewrite/prometheus-${i}`,
      {
        endpoint,
        // Resource attributes stay out of the labels: span metrics carry service_name already.
        resource_to_telemetry_conversion: { enabled: false },
        target_info: { enabled: false },
        remote_write_queue: { enabled: true, queue_size: 10000, num_consumers: 4 },
        retry_on_failure: RETRY,
      },
    ]),
  );
}

/**
 * Pipelines: `traces` takes every span in and feeds the span-metrics and service-graph
 * connectors before any sampling (RED metrics count all requests), then forwards to
 * `traces/sampled`, which tail-samples when the stack enables it and exports to Tempo. The
 * connectors' output goes to Prometheus by remote write. memory_limiter is first everywhere.
 */
export function collectorConfig(config: StackConfig) {
  const tempo = clusterAddress(TEMPO.name, config.namespaces.observability, TEMPO.otlpGrpcPort);
  const tail = config.tracing.tailSampling.enabled;
  const remoteWrite = remoteWriteExporters(config);
  return {
    extensions: { health_check: { endpoint: `0.0.0.0:${COLLECTOR.healthPort}` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${COLLECTOR.otlpGrpcPort}` },
          http: { endpoint: `0.0.0.0:${COLLECTOR.otlpHttpPort}` },
        },
      },
      zipkin: { endpoint: `0.0.0.0:${COLLECTOR.zipkinPort}` },
    },
    processors: {
      // Relative to the container's memory limit, so resource overrides keep it right.
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
      k8sattributes: {
        auth_type: "serviceAccount",
        passthrough: false,
        extract: {
          metadata: ["k8s.namespace.name", "k8s.pod.name", "k8s.deployment.name", "k8s.node.name"],
          labels: [{ tag_name: "app", key: "app", from: "pod" }],
        },
        pod_association: [
          { sources: [{ from: "resource_attribute", name: "k8s.pod.ip" }] },
          { sources: [{ from: "connection" }] },
        ],
      },
      ...(tail
        ? {
            tail_sampling: {
              decision_wait: "10s",
              num_traces: 50000,
              expected_new_traces_per_sec: 100,
              policies: tailSamplingPolicies(config.tracing),
            },
          }
        : {}),
      batch: { send_batch_size: 1024, timeout: "5s" },
    },
    connectors: {
      spanmetrics: {
        namespace: "traces.spanmetrics",
        histogram: { unit: "s", explicit: { buckets: LATENCY_BUCKETS } },
        dimensions: [
          { name: "http.request.method" },
          { name: "http.response.status_code" },
          { name: "http.method" },
          { name: "http.status_code" },
        ],
        exemplars: { enabled: true },
        metrics_flush_interval: "15s",
      },
      servicegraph: {
        latency_histogram_buckets: LATENCY_BUCKETS,
        store: { ttl: "10s", max_items: 10000 },
        metrics_flush_interval: "15s",
      },
      forward: {},
    },
    exporters: {
      "otlp/tempo": {
        endpoint: tempo,
        tls: { insecure: true },
        sending_queue: { enabled: true, num_consumers: 4, queue_size: 5000 },
        retry_on_failure: RETRY,
      },
      ...remoteWrite,
    },
    service: {
      extensions: ["health_check"],
      telemetry: {
        metrics: {
          level: "normal",
          readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: COLLECTOR.metricsPort } } } }],
        },
      },
      pipelines: {
        traces: {
          receivers: ["otlp", "zipkin"],
          processors: ["memory_limiter", "k8sattributes"],
          exporters: ["spanmetrics", "servicegraph", "forward"],
        },
        "traces/sampled": {
          receivers: ["forward"],
          processors: ["memory_limiter", ...(tail ? ["tail_sampling"] : []), "batch"],
          exporters: ["otlp/tempo"],
        },
        metrics: {
          receivers: ["spanmetrics", "servicegraph"],
          processors: ["memory_limiter", "batch"],
          exporters: Object.keys(remoteWrite),
        },
      },
    },
  };
}
