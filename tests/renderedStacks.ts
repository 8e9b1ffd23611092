import * as fs from "fs";
import * as path from "path";
import { StackConfig, parsePulumiConfig } from "../config";
import { PROJECT_ROOT, RenderedStack, renderStack } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";

export const STACKS = ["kind", "prod"] as const;
export type StackName = (typeof STACKS)[number];

/**
 * Where a jest global setup left each committed stack's render (`<stack>.json`), so the suite's
 * files and workers read it instead of each running the program again.
 */
export const SHARED_RENDERS_VARIABLE = "OBSERVABILITY_RENDERED_STACKS";

const cache = new Map<string, Promise<RenderedStack>>();
// The Pulumi runtime is process-global: renders must not overlap.
let queue: Promise<unknown> = Promise.resolve();

function renderedInThisProcess(stack: StackName): Promise<RenderedStack> {
  const result = queue.then(() => renderStack(stack));
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Each stack rendered from its committed Pulumi.<stack>.yaml: the global setup's render when there
 * is one, otherwise once per test file.
 */
export function rendered(stack: StackName): Promise<RenderedStack> {
  let result = cache.get(stack);
  if (result === undefined) {
    const shared = process.env[SHARED_RENDERS_VARIABLE];
    result =
      shared === undefined
        ? renderedInThisProcess(stack)
        : fs.promises
            .readFile(path.join(shared, `${stack}.json`), "utf8")
            .then((text) => JSON.parse(text) as RenderedStack);
    cache.set(stack, result);
  }
  return result;
}

/** Renders every committed stack into `dir` for `rendered` to read, and points it there. */
export async function shareRenders(dir: string): Promise<void> {
  for (const stack of STACKS) {
    fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(await renderedInThisProcess(stack)));
  }
  process.env[SHARED_RENDERS_VARIABLE] = dir;
}

/** The parsed config of a committed stack file, as the program sees it. */
export function stackConfig(stack: StackName): StackConfig {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return parsePulumiConfig(config, secretKeys);
}
