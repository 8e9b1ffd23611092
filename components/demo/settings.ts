import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the demo reads: its own section, the image supply, the wiring graph. Mapped in index.ts. */
export interface DemoSettings extends Pick<PlatformSettings, "images"> {
  /** `demo.enabled`, the runtime image and each demo container's resources. Off by default; kind only. */
  readonly demo: StackConfig["demo"];
  /**
   * The stack's flows (`wiringGraph`, built once in index.ts): those into and out of this
   * component's workloads make their NetworkPolicies, and a workload no flow names is refused.
   * No default.
   */
  readonly wiring: readonly Flow[];
}
