import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the Tracing component reads, and what it takes from Metrics: mapped once, in index.ts. */
export interface TracingSettings extends PlatformSettings {
  /** Sampling, tail sampling, span-metric buckets, collector tiers, retention. Defaults per profile (everything kept by one collector on kind; 10 %, tail sampling and 2 + 2 collectors on eks). */
  readonly tracing: StackConfig["tracing"];
  /** NodePort (kind: OTLP/HTTP and Zipkin from the host) or Ingress (eks: no ingest from outside). */
  readonly exposure: StackConfig["exposure"];
  /** `metrics.slo`: every latency objective must be a span-metric bucket; the apps' histograms get them too. */
  readonly slo: StackConfig["metrics"]["slo"];
  /** Every Prometheus replica's remote-write endpoint: span metrics and the service graph go to each. */
  readonly prometheusWriteUrls: readonly string[];
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
}
