import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What MetricsStack reads: its args, validated and defaulted. */
export interface MetricsSettings extends PlatformSettings {
  /** Retention, storage, replicas, exporters, alert thresholds and SLOs. Defaults per profile (1 Prometheus and 1 Alertmanager on kind, 2 and 3 on eks). */
  readonly metrics: StackConfig["metrics"];
  /** Receivers and routing. Defaults to none but the Watchdog's. */
  readonly alerting: StackConfig["alerting"];
  /** NodePort (kind) or Ingress (eks): Prometheus gets a NodePort on kind. */
  readonly exposure: StackConfig["exposure"];
  /** `istio`: the sidecars and istiod it scrapes, and the mesh's RED and SLO signals. Off by default. */
  readonly mesh: StackConfig["mesh"];
  /** Where people open Grafana, for the links in alerts and notifications; none without a Grafana. */
  readonly grafanaUrl?: string;
  /**
   * The flows into and out of this component's workloads, which make their NetworkPolicies; a
   * workload no flow names is refused.
   */
  readonly wiring: readonly Flow[];
}
