import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config";
import * as path from "path";
import main = require("../index");
import { KubeObject, kubeObjects, kubePatches, kubeReads } from "./manifest";
import { ClusterObject, RecordingMocks, Registration } from "./mocks";
import { startMockDeployment, waitForRegistrations } from "../runtime/pulumiSdk";
import { readStackFile } from "./stackFile";
import { withoutStackTraces } from "./withoutStackTraces";

/** This repository: its stack files, and where their paths start. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface RenderedStack {
  readonly stack: string;
  /** Every resource registered, Kubernetes or not, in registration order. */
  readonly registrations: readonly Registration[];
  /** The Kubernetes objects, in manifest order. */
  readonly objects: readonly KubeObject[];
  /** Server-side apply patches of objects that exist before them, applied after the objects. */
  readonly patches: readonly KubeObject[];
  /** Objects that must exist already: the program reads them. */
  readonly reads: readonly { kind: string; name: string }[];
  /** The stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** The outputs the program marks secret: the engine stores them encrypted, the CLI shows `[secret]`. */
  readonly secretOutputs: readonly string[];
}

// Pulumi.yaml's `name`: the program's stack reference and every URN carry it.
export const PROJECT = "observability";

/** Runs the program under mocks with `Pulumi.<stack>.yaml` from the project root. */
export async function renderStack(stack: string, projectDir: string = PROJECT_ROOT): Promise<RenderedStack> {
  const { config, secretKeys } = readStackFile(stack, projectDir);
  return renderWithConfig(stack, config, secretKeys);
}

/**
 * Makes this process a mock deployment of `stack` with the given `namespace:key` config, recording
 * what the program registers from now on. A stack reference sees `previousOutputs`; the program's
 * project root is `rootDirectory`; given `cluster`, the program's reads find those objects only.
 */
export async function recordDeployment(
  stack: string,
  config: Readonly<Record<string, string>>,
  secretKeys: readonly string[] = [],
  previousOutputs: Record<string, unknown> = {},
  rootDirectory: string = PROJECT_ROOT,
  cluster?: readonly ClusterObject[],
): Promise<RecordingMocks> {
  const mocks = new RecordingMocks(previousOutputs, cluster);
  await startMockDeployment(mocks, { project: PROJECT, stack, config, secretKeys, rootDirectory });
  return mocks;
}

/**
 * Runs the program under mocks with the given `namespace:key` config. `previousOutputs` are the
 * stack's outputs from its last deployment, as an update sees them (none: the first deployment).
 */
export async function renderWithConfig(
  stack: string,
  config: Record<string, string>,
  secretKeys: readonly string[] = [],
  previousOutputs: Record<string, unknown> = {},
): Promise<RenderedStack> {
  const run = async () => {
    const mocks = await recordDeployment(stack, config, secretKeys, previousOutputs);
    // The program is async (it reads its previous outputs first); a config error rejects here.
    const exported = await main();
    const outputs = await new Promise<Record<string, unknown>>((resolve) =>
      pulumi.output(exported).apply((value) => resolve(value as Record<string, unknown>)),
    );
    const secret = await Promise.all(
      Object.entries(exported).map(async ([name, value]) =>
        (await pulumi.isSecret(pulumi.output(value))) ? [name] : [],
      ),
    );
    await waitForRegistrations();
    return { mocks, outputs, secretOutputs: secret.flat() };
  };
  const { mocks, outputs, secretOutputs } = await withoutStackTraces(
    run,
    (error) => error instanceof ConfigError,
  );
  return {
    stack,
    registrations: mocks.registrations,
    objects: kubeObjects(mocks.registrations),
    patches: kubePatches(mocks.registrations),
    reads: kubeReads(mocks.registrations),
    outputs,
    secretOutputs,
  };
}
