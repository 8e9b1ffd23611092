// Every SDK call outside the Pulumi SDK's typed, documented API, in one place: after an SDK upgrade,
// this is the file to check. Written against @pulumi/pulumi 3.248.0. What each is for:
//
// - `runtime.allConfig` and `runtime.isConfigSecret` (the latter in the SDK's JavaScript but not its
//   typings): the running stack's config, and which keys Pulumi holds encrypted, so that
//   config/load.ts can refuse credentials set in plain text.
// - `runtime.setAllConfig` and `runtime.setMocks`: run the program as a deployment of a stack
//   without an engine, for the render and the tests; `runtime/state`'s store, to give that
//   deployment the project root the engine would (the mocks leave the placeholder "rootDirectory").
// - `runtime.waitForRPCs` (JavaScript only): resolves once every registration has reached the mocks.
// - `MockMonitor.prototype.registerResource` (`runtime/mocks`): patched, because the mock monitor
//   hands mocks the inputs of a registration but not its resource options (`protect`,
//   `retainOnDelete`, `ignoreChanges`: what `pulumi destroy` may delete, what an update changes).
// - `specialSigKey` and `specialSecretSig` (`runtime/rpc`): the wire envelope of a secret value,
//   which the mock monitor passes on unopened.
//
// config/load.ts, which the real program runs, imports this: it imports nothing from the repo, so
// product code never depends on the render.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as runtimeState from "@pulumi/pulumi/runtime/state";

type Mocks = pulumi.runtime.Mocks;
export type MockResourceArgs = pulumi.runtime.MockResourceArgs;
export type MockResourceResult = pulumi.runtime.MockResourceResult;
export type MockCallArgs = pulumi.runtime.MockCallArgs;
export type MockCallResult = pulumi.runtime.MockCallResult;

/** Config as Pulumi hands it to programs: `namespace:key` → text (structured values as JSON). */
interface DeploymentConfig {
  readonly config: Readonly<Record<string, string>>;
  /** The `namespace:key`s Pulumi holds encrypted. */
  readonly secretKeys: readonly string[];
}

const untypedState = runtimeState as unknown as {
  getStore(): { settings: { options: { rootDirectory?: string } } };
};

const untypedRuntime = pulumi.runtime as unknown as {
  isConfigSecret(key: string): boolean;
  waitForRPCs(): Promise<void>;
};

/** The running stack's config, or the one a mock deployment was given. */
export function runningStackConfig(): DeploymentConfig {
  const config = pulumi.runtime.allConfig();
  return { config, secretKeys: Object.keys(config).filter((key) => untypedRuntime.isConfigSecret(key)) };
}

/** The options of a registration that decide what `pulumi destroy` may delete and an update changes. */
export interface RegisteredOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Input paths whose changes the engine ignores. */
  readonly ignoreChanges: readonly string[];
  /** The former types (or URNs) the resource answers to: what keeps a renamed resource's state. */
  readonly aliases: readonly string[];
  /** URNs of the resources it waits for: `dependsOn` and those whose outputs it takes. */
  readonly dependencies: readonly string[];
  /** Its parent's URN: with its type and name, what its own URN is made of. Empty for none. */
  readonly parent: string;
}

/** Mocks that are also told each registration's resource options, before `newResource`. */
export interface OptionRecordingMocks extends Mocks {
  noteOptions(type: string, name: string, options: RegisteredOptions): void;
}

function recordsOptions(mocks: Mocks): mocks is OptionRecordingMocks {
  return typeof (mocks as Partial<OptionRecordingMocks>).noteOptions === "function";
}

interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
  getAliasesList(): { getUrn(): string; hasSpec(): boolean; getSpec(): { getType(): string } | undefined }[];
}

// Patched on the first mock deployment, not on import: the real program imports this module too.
let monitorPatched = false;

function patchMockMonitor(): void {
  if (monitorPatched) {
    return;
  }
  monitorPatched = true;
  const monitor = MockMonitor.prototype as unknown as {
    registerResource: (this: MockMonitor, req: RegisterResourceRequest, callback: unknown) => Promise<void>;
  };
  const registerResource = monitor.registerResource;
  monitor.registerResource = function (this: MockMonitor, req: RegisterResourceRequest, callback: unknown) {
    if (recordsOptions(this.mocks)) {
      this.mocks.noteOptions(req.getType(), req.getName(), {
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        ignoreChanges: req.getIgnorechangesList(),
        aliases: req
          .getAliasesList()
          .map((alias) => (alias.hasSpec() ? (alias.getSpec()?.getType() ?? "") : alias.getUrn())),
        dependencies: req.getDependenciesList(),
        parent: req.getParent(),
      });
    }
    return registerResource.call(this, req, callback);
  };
}

interface MockDeployment extends DeploymentConfig {
  readonly project: string;
  readonly stack: string;
  /** The folder of the project's Pulumi.yaml, as the engine tells a program. */
  readonly rootDirectory: string;
}

/**
 * Makes this process a deployment (not a preview) of `deployment` whose registrations go to
 * `mocks` instead of an engine. The runtime is process-global: one deployment at a time.
 */
export async function startMockDeployment(mocks: Mocks, deployment: MockDeployment): Promise<void> {
  patchMockMonitor();
  pulumi.runtime.setAllConfig(deployment.config, [...deployment.secretKeys]);
  // "organization" is the name the local backend gives every stack's organization.
  await pulumi.runtime.setMocks(mocks, deployment.project, deployment.stack, false, "organization");
  untypedState.getStore().settings.options.rootDirectory = deployment.rootDirectory;
}

/** The folder of the running project's Pulumi.yaml: where the paths in its config start. */
export function projectRootDirectory(): string {
  return pulumi.getRootDirectory();
}

/** Resolves once every resource the program has registered so far has reached the mocks. */
export function waitForRegistrations(): Promise<void> {
  return untypedRuntime.waitForRPCs();
}

/** Whether `value` is the envelope of a value the SDK marked secret; the value is its `value`. */
export function isSecretEnvelope(value: Readonly<Record<string, unknown>>): boolean {
  return value[specialSigKey] === specialSecretSig;
}
