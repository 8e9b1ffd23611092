import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** What the demo reads: its own section, the image supply, the wiring graph. Mapped in index.ts. */
export interface DemoSettings extends Pick<PlatformSettings, "images"> {
  /** `demo.enabled`, the runtime image and each demo container's resources. Off by default; kind only. */
  readonly demo: StackConfig["demo"];
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
}
