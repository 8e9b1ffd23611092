import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What DemoStack reads: its args, validated and defaulted. */
export interface DemoSettings extends Pick<PlatformSettings, "images" | "cluster"> {
  /** `demo.enabled`, the runtime image and each demo container's resources. Off by default; kind only. */
  readonly demo: StackConfig["demo"];
  /** The ConfigMap a TracingStack writes into each app namespace, which the demo pods read. */
  readonly tracingConfigMap: string;
  /**
   * The flows into and out of this component's workloads, which make their NetworkPolicies; a
   * workload no flow names is refused.
   */
  readonly wiring: readonly Flow[];
}
