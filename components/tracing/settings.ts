import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the Tracing component reads, and what it takes from Metrics: mapped once, in index.ts. */
export interface TracingSettings extends PlatformSettings {
  /** Sampling, tail sampling, span-metric buckets, collector tiers, retention. Defaults per profile (everything kept by one collector on kind; 10 %, tail sampling and 2 + 2 collectors on eks). */
  readonly tracing: StackConfig["tracing"];
  /** NodePort (kind: OTLP/HTTP and Zipkin from the host) or Ingress (eks: no ingest from outside). */
  readonly exposure: StackConfig["exposure"];
  /** `metrics.slo`: every latency objective must be a span-metric bucket; the apps' histograms get them too. Defaults to 99.5 % available, 95 % within 0.5 s. */
  readonly slo: StackConfig["metrics"]["slo"];
  /** Every Prometheus replica's remote-write endpoint (`Metrics.prometheusWriteUrls`): span metrics and the service graph go to each. No default. */
  readonly prometheusWriteUrls: readonly string[];
  /**
   * The stack's flows (`wiringGraph`, built once in index.ts): those into and out of this
   * component's workloads make their NetworkPolicies, and a workload no flow names is refused.
   * No default.
   */
  readonly wiring: readonly Flow[];
}
