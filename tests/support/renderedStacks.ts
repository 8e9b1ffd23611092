import { StackConfig } from "../../config";
import { parsePulumiConfig } from "../../config/load";
import { PROJECT_ROOT, RenderedStack, renderStack } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { keptReleases } from "../../render/upgradeRecords";
import { renderUpgraded } from "../../render/upgradeEdits";
import { STACKS, StackName } from "../kit/stacks";
import { shareRender, sharedRender } from "./sharedRenders";

/** Each stack rendered from its committed Pulumi.<stack>.yaml, once per test run (tests/unit/globalSetup.ts). */
export function rendered(stack: StackName): Promise<RenderedStack> {
  return sharedRender(stack, () => renderStack(stack));
}

/**
 * The newest release's stack files kept in tests/support/upgrades, with the edits its upgrade note asks
 * for, as this program renders them (they must render).
 */
export function renderedLatestRelease(stack: StackName): Promise<RenderedStack> {
  const release = keptReleases().at(-1) ?? "";
  return sharedRender(`release-${release}-${stack}`, () => renderUpgraded(stack, release));
}

/** Renders every committed stack, and the newest release's, into `dir` for `rendered`. */
export async function shareCommittedStacks(dir: string): Promise<void> {
  const release = keptReleases().at(-1) ?? "";
  for (const stack of STACKS) {
    await shareRender(dir, stack, () => renderStack(stack));
    await shareRender(dir, `release-${release}-${stack}`, () => renderUpgraded(stack, release));
  }
}

/** The parsed config of a committed stack file, as the program sees it. */
export function stackConfig(stack: StackName): StackConfig {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return parsePulumiConfig(config, secretKeys);
}
