import type * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What LogsStack reads: its args, validated and defaulted. */
export interface LogsSettings extends PlatformSettings {
  /** Retention, storage, collection mode, masking, tenant, limits and log alerts. Defaults per profile (api mode on kind, node mode and tenant `platform` on eks). */
  readonly logs: StackConfig["logs"];
  /** Where the ruler sends log alerts; none without an Alertmanager. */
  readonly alertmanagerUrl?: pulumi.Input<string>;
  /** `metrics.runbookBaseUrl`: log alerts link to the same runbooks as metric alerts. Defaults to `https://runbooks.example.com/observability`. */
  readonly runbookBaseUrl: string;
  /**
   * The flows into and out of this component's workloads, which make their NetworkPolicies; a
   * workload no flow names is refused.
   */
  readonly wiring: readonly Flow[];
}
