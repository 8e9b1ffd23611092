import { StackConfig } from "../../config";
import type { Flow } from "../wiring/graph";

/**
 * What the metrics stack reads of the stack config: the keys of `config/schema.ts`, with each
 * profile's defaults in `config/defaults.ts`. Selected once, in index.ts.
 */
export type MetricsSettings = Pick<
  StackConfig,
  | "profile"
  | "cluster"
  | "namespaces"
  | "apps"
  | "metrics"
  | "alerting"
  | "storage"
  | "exposure"
  | "images"
  | "resources"
> & {
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
};
