// The edge of the config phase: the one file of config/ that uses the Pulumi SDK at run time. It
// reads the running stack's config, wraps the credentials as Pulumi secrets and reads what the last
// deployment recorded; everything else in config/ works on plain values.
import * as pulumi from "@pulumi/pulumi";
import { runningStackConfig } from "../sdk/pulumiSdk";
import { DEPLOYED_VOLUMES_OUTPUT, DeployedVolumes, volumeChangeProblems } from "./deployedVolumes";
import { ConfigError, SECRET_PATHS, valueAt } from "./errors";
import { concretePaths } from "./keyPattern";
import { PulumiConfig } from "./pulumiConfig";
import { ParsedStackConfig } from "./shape";
import { secretFormatChecks } from "./secretFormats";
import type { StackConfig } from "./stackConfig";
import { validatePulumiConfig, validateStackConfig } from "./validate";

/**
 * A check that needs more than the schema sees (the files the config names, the components' own
 * rules, dashboards and scrape jobs): the problems of a config the schema accepted.
 */
export type ConfigCheck = (config: StackConfig) => readonly string[];

/**
 * The config phase: reads the running stack's config (or the mocks'), validates it, then runs
 * `checks`, compares the volumes with the last deployment's and the secrets with their formats.
 * Returns a config that is valid in every respect, or throws one ConfigError listing every problem,
 * before any resource is registered.
 */
export async function loadStackConfig(checks: readonly ConfigCheck[]): Promise<StackConfig> {
  const { config, secretKeys } = runningStackConfig();
  return checkStackConfig(parsePulumiConfig(config, secretKeys), checks, await readDeployedVolumes());
}

/**
 * The checks of the config phase past the schema: `checks`, volume changes against `previous` (the
 * last deployment's volumes, if any) and the secrets' formats, as one ConfigError.
 */
export async function checkStackConfig(
  config: StackConfig,
  checks: readonly ConfigCheck[],
  previous: DeployedVolumes | undefined,
): Promise<StackConfig> {
  const problems = [
    ...checks.flatMap((check) => check(config)),
    ...volumeChangeProblems(config, previous),
    ...(await secretFormatProblems(config)),
  ];
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}

/** Validates config as Pulumi hands it to programs (see validatePulumiConfig). */
export function parsePulumiConfig(all: PulumiConfig, secretKeys: readonly string[]): StackConfig {
  return loaded(validatePulumiConfig(all, secretKeys));
}

/** Validates raw stack config, top-level keys without the namespace (see validateStackConfig). */
export function parseStackConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
  otherProblems: readonly string[] = [],
): StackConfig {
  return loaded(validateStackConfig(raw, secretKeys, otherProblems));
}

/** Wraps every credential as a Pulumi secret and freezes the rest. */
function loaded(config: ParsedStackConfig): StackConfig {
  for (const path of SECRET_PATHS.flatMap((pattern) => concretePaths(config, pattern))) {
    const parent = valueAt(config, path.slice(0, -1)) as Record<string | number, unknown>;
    const key = path[path.length - 1];
    parent[key] = pulumi.secret(parent[key] as string);
  }
  return deepFreeze(config) as unknown as StackConfig;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}

/**
 * Every secret of `config` whose decrypted value does not have its format, each as
 * "<key> must be …; its value is not shown". Resolves once the secrets are known.
 */
export function secretFormatProblems(config: StackConfig): Promise<string[]> {
  const checks = secretFormatChecks(config).map(({ path, problemOf }) =>
    pulumi.output(valueAt(config, path) as pulumi.Input<string>).apply(problemOf),
  );
  return new Promise((resolve) =>
    pulumi.all(checks).apply((problems) => resolve(problems.filter((p) => p !== undefined))),
  );
}

/**
 * The volumes of this stack's last deployment, read from its own outputs through a stack
 * reference (undefined before the first deployment). It is read, and awaited, before any
 * resource is registered.
 */
async function readDeployedVolumes(): Promise<DeployedVolumes | undefined> {
  const self = new pulumi.StackReference("previous-deployment", {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const details = await self.getOutputDetails(DEPLOYED_VOLUMES_OUTPUT);
  return details.value as DeployedVolumes | undefined;
}
