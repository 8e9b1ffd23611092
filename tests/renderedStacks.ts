import { StackConfig, parsePulumiConfig } from "../config";
import { PROJECT_ROOT, RenderedStack, renderStack } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";

export const STACKS = ["kind", "prod"] as const;
export type StackName = (typeof STACKS)[number];

const cache = new Map<string, Promise<RenderedStack>>();
// The Pulumi runtime is process-global: renders must not overlap.
let queue: Promise<unknown> = Promise.resolve();

/** Each stack is rendered once per test file, from its committed Pulumi.<stack>.yaml. */
export function rendered(stack: StackName): Promise<RenderedStack> {
  let result = cache.get(stack);
  if (result === undefined) {
    result = queue.then(() => renderStack(stack));
    queue = result.catch(() => undefined);
    cache.set(stack, result);
  }
  return result;
}

/** The parsed config of a committed stack file, as the program sees it. */
export function stackConfig(stack: StackName): StackConfig {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return parsePulumiConfig(config, secretKeys);
}
