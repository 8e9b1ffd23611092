import type * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What TracingStack reads: its args, validated and defaulted. */
export interface TracingSettings extends PlatformSettings {
  /** Sampling, tail sampling, span-metric buckets, collector tiers, retention. Defaults per profile (everything kept by one collector on kind; 10 %, tail sampling and 2 + 2 collectors on eks). */
  readonly tracing: StackConfig["tracing"];
  /** NodePort (kind: OTLP/HTTP and Zipkin from the host) or Ingress (eks: no ingest from outside). */
  readonly exposure: StackConfig["exposure"];
  /** `metrics.slo`: every latency objective must be a span-metric bucket; the apps' histograms get them too. Defaults to 99.5 % available, 95 % within 0.5 s. */
  readonly slo: StackConfig["metrics"]["slo"];
  /** Every Prometheus replica's remote-write endpoint: span metrics and the service graph go to each; none are computed without one. */
  readonly prometheusWriteUrls: readonly pulumi.Input<string>[];
  /**
   * The flows into and out of this component's workloads, which make their NetworkPolicies; a
   * workload no flow names is refused.
   */
  readonly wiring: readonly Flow[];
}
