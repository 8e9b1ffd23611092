// Any revision of the program rendered offline, as this checkout renders itself: the program of a
// checkout (this one, or one of another commit made for the purpose) under this checkout's mocks,
// with the stack file of that checkout, so that revisions compare registration by registration.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../components/common/flow";
import { waitForRegistrations } from "../runtime/pulumiSdk";
import { Registration } from "./mocks";
import { PROJECT_ROOT, recordDeployment } from "./renderStack";
import { withoutStackTraces } from "./withoutStackTraces";
import { readStackFile } from "./stackFile";

/** A revision's render of one stack file. */
export interface RevisionRender {
  readonly registrations: readonly Registration[];
  /** The stack outputs, resolved: the next revision's update reads them as its previous ones. */
  readonly outputs: Record<string, unknown>;
  /** Its wiring graph, when the revision's program can say (`components/wiring/graph.ts`). */
  readonly flows?: readonly Flow[];
  /** The config errors it refused the stack file with, instead. */
  readonly refused?: readonly string[];
}

/** A ref the repository does not have. */
export class CheckoutError extends Error {
  override readonly name = "CheckoutError";
}

/**
 * Runs `body` on a checkout of `ref` of the repository at `repository` (this one by default), made
 * for the purpose and removed after. It runs on this checkout's packages: one SDK instance runs the
 * program and the mocks.
 */
export async function withCheckout<T>(
  ref: string,
  body: (root: string) => Promise<T>,
  repository: string = PROJECT_ROOT,
): Promise<T> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "revision-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repository, stdio: "pipe" });
  try {
    git("worktree", "add", "--detach", root, ref);
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    const said = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CheckoutError(`cannot check out ${ref}: ${said ?? String(error)}`);
  }
  try {
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
    return await body(root);
  } finally {
    git("worktree", "remove", "--force", root);
  }
}

const isConfigError = (error: unknown): error is { problems: readonly string[] } =>
  error instanceof Error &&
  error.name === "ConfigError" &&
  Array.isArray((error as { problems?: unknown }).problems);

/**
 * The program of the checkout at `root` run on its own `Pulumi.<stack>.yaml`, as an update of a
 * stack whose last deployment had `previousOutputs`.
 */
export async function renderRevision(
  root: string,
  stack: string,
  previousOutputs: Record<string, unknown> = {},
): Promise<RevisionRender> {
  const { config, secretKeys } = readStackFile(stack, root);
  return renderRevisionConfig(root, stack, config, secretKeys, previousOutputs);
}

/** The program of the checkout at `root` run on the given `namespace:key` config, as an update. */
export async function renderRevisionConfig(
  root: string,
  stack: string,
  config: Record<string, string>,
  secretKeys: readonly string[],
  previousOutputs: Record<string, unknown> = {},
): Promise<RevisionRender> {
  const run = async () => {
    const mocks = await recordDeployment(stack, config, secretKeys, previousOutputs, root);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a revision's program, by path
    const main = require(path.join(root, "index.ts")) as () => Promise<unknown>;
    const exported = await main();
    const outputs = await new Promise<Record<string, unknown>>((resolve) =>
      pulumi.output(exported as object).apply((value) => resolve(value as Record<string, unknown>)),
    );
    await waitForRegistrations();
    return { registrations: mocks.registrations, outputs };
  };
  try {
    const { registrations, outputs } = await withoutStackTraces(run, isConfigError);
    return { registrations, outputs, ...flowsOf(root, config, secretKeys) };
  } catch (error) {
    if (isConfigError(error)) {
      return { registrations: [], outputs: {}, refused: [...error.problems] };
    }
    throw error;
  }
}

/** The revision's wiring graph of its stack config, if its program has the functions that make it. */
function flowsOf(
  root: string,
  config: Record<string, string>,
  secretKeys: readonly string[],
): { flows?: Flow[] } {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- the revision's own modules, by path */
    const { parsePulumiConfig } = require(path.join(root, "config", "load.ts")) as {
      parsePulumiConfig: (all: Record<string, string>, secretKeys: readonly string[]) => unknown;
    };
    const { wiringGraph } = require(path.join(root, "components", "wiring", "graph.ts")) as {
      wiringGraph: (config: unknown) => Flow[];
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { flows: wiringGraph(parsePulumiConfig(config, secretKeys)) };
  } catch {
    return {};
  }
}
