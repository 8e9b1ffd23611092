import { StackConfig } from "../../config";
import { outageSpans } from "../../config/traceQueue";
import { goMemoryLimitMiB } from "../common/goMemoryLimit";
import { workloadAddress } from "../common/workloadSpec";
import { COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO } from "./names";
import { TracingSettings } from "./settings";
import { collectorTiered } from "./collectorTiers";

// The OpenTelemetry Collector (contrib 0.130) configuration, as typed data. Component names are
// the ones that version registers.

const RETRY = {
  enabled: true,
  initial_interval: "5s",
  max_interval: "30s",
  max_elapsed_time: "300s",
} as const;

/**
 * Retries of the exporters with a persistent queue never give up: the queue, not a deadline, is what
 * bounds an outage, and what does not fit in it is refused and counted.
 */
const UNTIL_DELIVERED = { ...RETRY, max_elapsed_time: "0s" } as const;

/** Where the collector's persistent sending queues live: the pod's own volume. */
export const QUEUE_DIR = "/var/lib/otelcol/queue";

/** The file_storage extension the persistent sending queues are written through. */
export const QUEUE_STORAGE = "file_storage/queue";

/**
 * A sending queue on the pod's volume. A receiver acknowledges a request once the queue has
 * written it, and a request leaves the file only once exported, so a killed collector restarts
 * with everything it acknowledged. The queue counts requests (the only unit a v0.128 persistent
 * queue has), each at least one span: as many as the outage's spans, so within the stated minutes
 * the count never binds before the volume, which is sized for them.
 */
function persistentQueue(tracing: StackConfig["tracing"]) {
  return {
    enabled: true,
    num_consumers: 4,
    // Explicit: the loadbalancing exporter's default queue has no sizer, which storage refuses.
    sizer: "requests",
    queue_size: outageSpans(tracing.queue),
    storage: QUEUE_STORAGE,
  };
}

/** Request-duration buckets shared by span metrics and the service graph, as collector durations. */
function latencyBuckets(tracing: StackConfig["tracing"]): string[] {
  return tracing.latencyBucketsSeconds.map((s) => (s < 1 ? `${+(s * 1000).toFixed(3)}ms` : `${s}s`));
}

interface TailSamplingPolicy {
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
function tailSamplingPolicies(tracing: StackConfig["tracing"]): TailSamplingPolicy[] {
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
function remoteWriteExporters(config: TracingSettings): Record<string, object> {
  const urls = config.prometheusWriteUrls;
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

/** The label on trace-derived metrics that names the collector pod which computed them. */
const COLLECTOR_POD_LABEL = "collector_pod";

const EXTENSIONS = {
  health_check: { endpoint: `0.0.0.0:${COLLECTOR.ports.health.port}` },
  // Without fsync a write survives the process (SIGKILL, OOM kill, container restart) but not a
  // node that loses power before the kernel writes it back: fsync per request costs 4x the time.
  [QUEUE_STORAGE]: { directory: QUEUE_DIR, fsync: false },
};

/** The spike the limiter expects within one check (1 s), as a share of its hard limit: its README's starting point. */
const SPIKE_SHARE = 0.2;

/**
 * The memory_limiter in agreement with the runtime: its hard limit is the GOMEMLIMIT the container
 * gets (both from the configured memory limit, so a resource edit moves both), and it refuses data
 * from the soft limit (hard minus the spike) on. It measures the heap, which is part of what
 * GOMEMLIMIT counts, so it pushes back on the receivers while the runtime still has room, not
 * after it has had to collect hard to stay under the limit.
 */
function memoryLimiter(containerLimit: string) {
  const limitMiB = goMemoryLimitMiB(containerLimit);
  return {
    memory_limiter: {
      check_interval: "1s",
      limit_mib: limitMiB,
      spike_limit_mib: Math.floor(limitMiB * SPIKE_SHARE),
    },
  };
}

const OTLP_GRPC = { grpc: { endpoint: `0.0.0.0:${COLLECTOR.ports["otlp-grpc"].port}` } };

function serviceSettings(pipelines: Record<string, object>) {
  return {
    extensions: Object.keys(EXTENSIONS),
    telemetry: {
      metrics: {
        level: "normal",
        readers: [
          { pull: { exporter: { prometheus: { host: "0.0.0.0", port: COLLECTOR.ports.metrics.port } } } },
        ],
      },
    },
    pipelines,
  };
}

/** Where spans come in: OTLP and Zipkin, tagged with the sending pod's Kubernetes metadata. */
function ingest() {
  return {
    receivers: {
      otlp: {
        protocols: { ...OTLP_GRPC, http: { endpoint: `0.0.0.0:${COLLECTOR.ports["otlp-http"].port}` } },
      },
      zipkin: { endpoint: `0.0.0.0:${COLLECTOR.ports.zipkin.port}` },
    },
    processors: {
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
    },
  };
}

/** Span metrics and the service graph, computed from every span, with the latency `buckets`. */
function metricConnectors(buckets: readonly string[]) {
  return {
    spanmetrics: {
      namespace: "traces.spanmetrics",
      histogram: { unit: "s", explicit: { buckets } },
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
      latency_histogram_buckets: buckets,
      store: { ttl: "10s", max_items: 10000 },
      metrics_flush_interval: "15s",
    },
  };
}

/**
 * What needs whole traces: span metrics and the service graph from every span (RED metrics count
 * all requests), then `traces/sampled`, which tail-samples when enabled and writes to Tempo. The
 * connectors' output goes to Prometheus by remote write, labelled with the collector pod so that
 * replicas never write the same series.
 */
function aggregation(config: TracingSettings) {
  const tempo = workloadAddress(TEMPO, config.namespaces.observability, "otlp-grpc");
  const tail = config.tracing.tailSampling.enabled;
  const remoteWrite = remoteWriteExporters(config);
  // Without a Prometheus to write to, no span metrics and no service graph are computed.
  const metrics = Object.keys(remoteWrite).length > 0;
  const buckets = latencyBuckets(config.tracing);
  return {
    processors: {
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
      ...(metrics
        ? {
            "attributes/collector-pod": {
              actions: [{ key: COLLECTOR_POD_LABEL, value: "${env:POD_NAME}", action: "upsert" }],
            },
            // Only on the metrics the connectors compute: on a span's path it would acknowledge spans
            // it holds in memory. The persistent queue cannot batch in v0.128 (it measures only requests).
            batch: { send_batch_size: 1024, timeout: "5s" },
          }
        : {}),
    },
    connectors: {
      ...(metrics ? metricConnectors(buckets) : {}),
      forward: {},
    },
    exporters: {
      "otlp/tempo": {
        endpoint: tempo,
        tls: { insecure: true },
        sending_queue: persistentQueue(config.tracing),
        retry_on_failure: UNTIL_DELIVERED,
      },
      ...remoteWrite,
    },
    pipelines: (receivers: string[], processors: string[]) => ({
      traces: {
        receivers,
        processors,
        exporters: [...(metrics ? ["spanmetrics", "servicegraph"] : []), "forward"],
      },
      "traces/sampled": {
        receivers: ["forward"],
        processors: ["memory_limiter", ...(tail ? ["tail_sampling"] : [])],
        exporters: ["otlp/tempo"],
      },
      ...(metrics
        ? {
            metrics: {
              receivers: ["spanmetrics", "servicegraph"],
              processors: ["memory_limiter", "attributes/collector-pod", "batch"],
              exporters: Object.keys(remoteWrite),
            },
          }
        : {}),
    }),
  };
}

/**
 * The collector the apps send to. Untiered, it does everything; tiered, it is the gateway and
 * routes every span by trace ID to the aggregators' headless Service.
 */
export function collectorConfig(config: TracingSettings) {
  const input = ingest();
  if (!collectorTiered(config.tracing)) {
    const rest = aggregation(config);
    return {
      extensions: EXTENSIONS,
      receivers: input.receivers,
      processors: {
        ...memoryLimiter(config.resources.otelCollector.limits.memory),
        ...input.processors,
        ...rest.processors,
      },
      connectors: rest.connectors,
      exporters: rest.exporters,
      service: serviceSettings(rest.pipelines(["otlp", "zipkin"], ["memory_limiter", "k8sattributes"])),
    };
  }
  const aggregators = `${COLLECTOR_AGGREGATOR.name}.${config.namespaces.observability}.svc.cluster.local`;
  return {
    extensions: EXTENSIONS,
    receivers: input.receivers,
    processors: { ...memoryLimiter(config.resources.otelCollector.limits.memory), ...input.processors },
    exporters: {
      loadbalancing: {
        routing_key: "traceID",
        // The queue and retry are the load balancer's own, so a request leaves the persistent queue
        // only once every aggregator it routes to has it. The per-aggregator exporters send at once:
        // a queue of theirs would be in memory (it cannot persist: they share one config).
        sending_queue: persistentQueue(config.tracing),
        retry_on_failure: UNTIL_DELIVERED,
        protocol: {
          otlp: {
            tls: { insecure: true },
            sending_queue: { enabled: false },
            retry_on_failure: { enabled: false },
          },
        },
        // Every ready aggregator pod, re-resolved every 5 s, so a rollout reshuffles few traces. The
        // port is a string in this resolver's schema.
        resolver: {
          dns: { hostname: aggregators, port: String(COLLECTOR.ports["otlp-grpc"].port), interval: "5s" },
        },
      },
    },
    service: serviceSettings({
      traces: {
        receivers: ["otlp", "zipkin"],
        processors: ["memory_limiter", "k8sattributes"],
        exporters: ["loadbalancing"],
      },
    }),
  };
}

/** The aggregator tier: OTLP from the gateways only, then everything that needs whole traces. */
export function aggregatorConfig(config: TracingSettings) {
  const rest = aggregation(config);
  return {
    extensions: EXTENSIONS,
    receivers: { otlp: { protocols: OTLP_GRPC } },
    processors: {
      ...memoryLimiter(config.resources.otelCollectorAggregator.limits.memory),
      ...rest.processors,
    },
    connectors: rest.connectors,
    exporters: rest.exporters,
    service: serviceSettings(rest.pipelines(["otlp"], ["memory_limiter"])),
  };
}
