import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the Metrics component reads: mapped once, in index.ts. */
export interface MetricsSettings extends PlatformSettings {
  /** Retention, storage, replicas, exporters, alert thresholds and SLOs. Defaults per profile (1 Prometheus and 1 Alertmanager on kind, 2 and 3 on eks). */
  readonly metrics: StackConfig["metrics"];
  /** Receivers and routing. Defaults to none but the Watchdog's. */
  readonly alerting: StackConfig["alerting"];
  /** NodePort (kind) or Ingress (eks): Prometheus gets a NodePort on kind. */
  readonly exposure: StackConfig["exposure"];
  /**
   * The stack's flows (`wiringGraph`, built once in index.ts): those into and out of this
   * component's workloads make their NetworkPolicies, and a workload no flow names is refused.
   * No default.
   */
  readonly wiring: readonly Flow[];
}
