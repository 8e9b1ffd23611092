// A stack-config edit reviewed in this checkout: the stack before and after the edit, rendered offline
// as one update of the other, the way `npm run review` compares two revisions.
import type { PulumiConfig } from "../config";
import { PROJECT_ROOT } from "../render/renderStack";
import { renderRevisionConfig } from "../render/revision";
import { Side } from "./compare";
import { pulumiConfigKeys } from "./review";

/** A stack's config as Pulumi hands it to the program: `namespace:key` → text, and which keys are secret. */
export interface StackConfig {
  readonly config: PulumiConfig;
  readonly secretKeys: readonly string[];
}

/**
 * The stack rendered with `stackConfig` by the program of the checkout at `root` (this one by
 * default), as an update of `previous` (its first deployment without one).
 */
export async function configSide(
  stack: string,
  stackConfig: StackConfig,
  previous?: Side,
  root: string = PROJECT_ROOT,
): Promise<Side> {
  return {
    render: await renderRevisionConfig(
      root,
      stack,
      { ...stackConfig.config },
      stackConfig.secretKeys,
      previous?.render.outputs ?? {},
    ),
    keys: pulumiConfigKeys(stackConfig.config, stackConfig.secretKeys),
  };
}
