import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import main = require("../index");
import { KubeObject, kubeObjects, kubePatches, kubeReads } from "./manifest";
import { RecordingMocks, Registration } from "./mocks";
import { readStackFile } from "./stackFile";

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
}

// Exported by the SDK's JavaScript but not its typings: resolves once every registration is done.
const runtimeRpcs = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };

/** Runs the program under mocks with `Pulumi.<stack>.yaml` from the project root. */
export async function renderStack(stack: string, projectDir: string = PROJECT_ROOT): Promise<RenderedStack> {
  const { config, secretKeys } = readStackFile(stack, projectDir);
  return renderWithConfig(stack, config, secretKeys);
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
  const mocks = new RecordingMocks(previousOutputs);
  pulumi.runtime.setAllConfig(config, [...secretKeys]);
  // "organization" is the name the local backend gives every stack's organization.
  await pulumi.runtime.setMocks(mocks, "observability", stack, false, "organization");
  // The program is async (it reads its previous outputs first); a config error rejects here.
  const exported = await main();
  const outputs = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi.output(exported).apply((value) => resolve(value as Record<string, unknown>)),
  );
  await runtimeRpcs.waitForRPCs();
  return {
    stack,
    registrations: mocks.registrations,
    objects: kubeObjects(mocks.registrations),
    patches: kubePatches(mocks.registrations),
    reads: kubeReads(mocks.registrations),
    outputs,
  };
}
