import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the Logs component reads, and what it takes from Metrics: mapped once, in index.ts. */
export interface LogsSettings extends PlatformSettings {
  /** Retention, storage, collection mode, masking, tenant, limits and log alerts. Defaults per profile (api mode on kind, node mode and tenant `platform` on eks). */
  readonly logs: StackConfig["logs"];
  /** Where the ruler sends log alerts: the Alertmanager of Metrics. */
  readonly alertmanagerUrl: string;
  /** `metrics.runbookBaseUrl`: log alerts link to the same runbooks as metric alerts. */
  readonly runbookBaseUrl: string;
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
}
