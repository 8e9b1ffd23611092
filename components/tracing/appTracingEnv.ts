import { clusterUrl } from "../common/serviceUrl";
import { workloadUrl } from "../common/workloadSpec";
import { COLLECTOR, ZIPKIN_SERVICE } from "./names";
import { TracingSettings } from "./settings";

function decimal(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** Every latency threshold of the SLOs, in increasing order. */
function latencyThresholds(config: Pick<TracingSettings, "slo" | "apps">): number[] {
  const all = [
    config.slo.latencyThresholdSeconds,
    ...config.apps.services.map((s) => s.slo.latencyThresholdSeconds),
  ];
  return [...new Set(all)].sort((a, b) => a - b);
}

/**
 * Spring Boot (Micrometer) settings that make `http.server.requests` a histogram with a bucket at
 * every latency threshold, so a Spring service's own metrics carry its latency SLI. Relaxed
 * binding reads a map key from an environment variable in lower case with `_` as `.`:
 * `..._PERCENTILESHISTOGRAM_HTTP_SERVER_REQUESTS` sets
 * `management.metrics.distribution.percentiles-histogram[http.server.requests]`, the meter-name
 * prefix Micrometer matches. Other frameworks ignore them.
 */
export function springMetricsEnv(config: Pick<TracingSettings, "slo" | "apps">): Record<string, string> {
  return {
    MANAGEMENT_METRICS_DISTRIBUTION_PERCENTILESHISTOGRAM_HTTP_SERVER_REQUESTS: "true",
    MANAGEMENT_METRICS_DISTRIBUTION_SLO_HTTP_SERVER_REQUESTS: latencyThresholds(config)
      .map((s) => `${+(s * 1000).toFixed(3)}ms`)
      .join(","),
  };
}

/**
 * What the apps in each app namespace read with `envFrom`. The one sampling knob:
 * without tail sampling the apps apply `tracing.samplingProbability` at the head; with it they
 * must send every trace (a trace dropped at the head can never be kept for its error) and the
 * collector keeps errors, slow traces and that share of the rest. Also the Spring Boot settings
 * of `springMetricsEnv`; the OpenTelemetry SDKs have no environment variable for histogram bucket
 * bounds (only views in code), so OpenTelemetry apps rely on their advisory buckets or span metrics.
 */
export function appTracingEnv(config: TracingSettings): Record<string, string> {
  const namespace = config.namespaces.observability;
  const headProbability = config.tracing.tailSampling.enabled ? 1 : config.tracing.samplingProbability;
  return {
    TRACING_SAMPLING_PROBABILITY: decimal(headProbability),
    ZIPKIN_ENDPOINT: `${clusterUrl(ZIPKIN_SERVICE, namespace, COLLECTOR.ports.zipkin.port)}/api/v2/spans`,
    OTEL_EXPORTER_OTLP_ENDPOINT: workloadUrl(COLLECTOR, namespace, "otlp-http"),
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: decimal(headProbability),
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${config.cluster.env},k8s.cluster.name=${config.cluster.name}`,
    ...springMetricsEnv(config),
  };
}
