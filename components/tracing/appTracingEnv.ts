import { StackConfig } from "../../config";
import { clusterUrl } from "../common/serviceUrl";
import { COLLECTOR, ZIPKIN_SERVICE } from "./names";

function decimal(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/**
 * What the apps in each app namespace read with `envFrom`. The one sampling knob:
 * without tail sampling the apps apply `tracing.samplingProbability` at the head; with it they
 * must send every trace (a trace dropped at the head can never be kept for its error) and the
 * collector keeps errors, slow traces and that share of the rest.
 */
export function appTracingEnv(config: StackConfig): Record<string, string> {
  const namespace = config.namespaces.observability;
  const headProbability = config.tracing.tailSampling.enabled ? 1 : config.tracing.samplingProbability;
  return {
    TRACING_SAMPLING_PROBABILITY: decimal(headProbability),
    ZIPKIN_ENDPOINT: `${clusterUrl(ZIPKIN_SERVICE, namespace, COLLECTOR.zipkinPort)}/api/v2/spans`,
    OTEL_EXPORTER_OTLP_ENDPOINT: clusterUrl(COLLECTOR.name, namespace, COLLECTOR.otlpHttpPort),
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: decimal(headProbability),
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${config.cluster.env},k8s.cluster.name=${config.cluster.name}`,
  };
}
