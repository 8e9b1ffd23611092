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
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
}
