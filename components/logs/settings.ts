import { StackConfig } from "../../config";
import type { Flow } from "../wiring/graph";

/**
 * What the logs stack reads of the stack config: the keys of `config/schema.ts`, with each
 * profile's defaults in `config/defaults.ts`. Selected once, in index.ts.
 */
export type LogsSettings = Pick<
  StackConfig,
  "profile" | "cluster" | "namespaces" | "apps" | "logs" | "storage" | "images" | "resources"
> & {
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
  /** Where the ruler sends log alerts: the metrics stack's Alertmanager. */
  readonly alertmanagerUrl: string;
  /** `metrics.runbookBaseUrl`: log alerts link to the same runbooks as metric alerts. */
  readonly runbookBaseUrl: string;
};
