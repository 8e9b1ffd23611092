import { StackConfig } from "../../config";
import type { Flow } from "../wiring/graph";

/**
 * What the tracing stack reads of the stack config: the keys of `config/schema.ts`, with each
 * profile's defaults in `config/defaults.ts`. Selected once, in index.ts.
 */
export type TracingSettings = Pick<
  StackConfig,
  "profile" | "cluster" | "namespaces" | "apps" | "tracing" | "storage" | "exposure" | "images" | "resources"
> & {
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
  /** Every Prometheus replica's remote-write endpoint: span metrics and the service graph go to each. */
  readonly prometheusWriteUrls: readonly string[];
  /** `metrics.slo`: each latency objective must be a span-metric bucket. */
  readonly slo: StackConfig["metrics"]["slo"];
};
