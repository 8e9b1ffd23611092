import { StackConfig } from "../config";
import { parsePulumiConfig } from "../config/load";
import { PROJECT_ROOT, RenderedStack, renderStack } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { STACKS, StackName } from "../testkit/stacks";
import { shareRender, sharedRender } from "./support/sharedRenders";

/** Each stack rendered from its committed Pulumi.<stack>.yaml, once per test run (tests/globalSetup.ts). */
export function rendered(stack: StackName): Promise<RenderedStack> {
  return sharedRender(stack, () => renderStack(stack));
}

/** Renders every committed stack into `dir` for `rendered`. */
export async function shareCommittedStacks(dir: string): Promise<void> {
  for (const stack of STACKS) {
    await shareRender(dir, stack, () => renderStack(stack));
  }
}

/** The parsed config of a committed stack file, as the program sees it. */
export function stackConfig(stack: StackName): StackConfig {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return parsePulumiConfig(config, secretKeys);
}
