import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the Logs component reads, and what it takes from Metrics: mapped once, in index.ts. */
export interface LogsSettings extends PlatformSettings {
  /** Retention, storage, collection mode, masking, tenant, limits and log alerts. Defaults per profile (api mode on kind, node mode and tenant `platform` on eks). */
  readonly logs: StackConfig["logs"];
  /** Where the ruler sends log alerts: `Metrics.alertmanagerUrl`. No default. */
  readonly alertmanagerUrl: string;
  /** `metrics.runbookBaseUrl`: log alerts link to the same runbooks as metric alerts. Defaults to `https://runbooks.example.com/observability`. */
  readonly runbookBaseUrl: string;
  /**
   * The stack's flows (`wiringGraph`, built once in index.ts): those into and out of this
   * component's workloads make their NetworkPolicies, and a workload no flow names is refused.
   * No default.
   */
  readonly wiring: readonly Flow[];
}
