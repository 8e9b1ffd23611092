// The edge of the config phase: the one file of config/ that uses the Pulumi SDK at run time. It
// reads the running stack's config, wraps the credentials as Pulumi secrets and reads what the last
// deployment recorded; everything else in config/ works on plain values.
import * as pulumi from "@pulumi/pulumi";
import { projectRootDirectory, runningStackConfig } from "../runtime/pulumiSdk";
import type { ConfigArgs } from "./componentArgs";
import type { DataServerImage } from "./dataServers";
import { DEPLOYED_IMAGES_OUTPUT, imageDowngradeProblems } from "./deployedImages";
import { DEPLOYED_VOLUMES_OUTPUT, DeployedVolumes, volumeChangeProblems } from "./deployedVolumes";
import {
  DEPLOYED_METRICS_HISTORY_OUTPUT,
  DeployedMetricsHistory,
  metricsHistoryProblems,
} from "./deployedMetricsHistory";
import { ConfigError, valueAt } from "./errors";
import { asSecrets, loaded } from "./loaded";
import { PulumiConfig } from "./pulumiConfig";
import { secretFormatChecks } from "./secretFormats";
import type { StackConfig } from "./stackConfig";
import { ownKeys, validatePulumiConfig, validateStackConfig } from "./validate";

/**
 * A check that needs more than the schema sees (the files the config names, the components' own
 * rules, dashboards and scrape jobs): the problems of a config the schema accepted. `root` is the
 * project root the config's paths start from.
 */
export type ConfigCheck = (config: StackConfig, root: string) => readonly string[];

/** The running stack's config: validated, and as the stack file gives it. */
export interface LoadedStackConfig {
  /** Validated over the profile's defaults, shaped and frozen; credentials are secrets. */
  readonly config: StackConfig;
  /**
   * The `observability:` keys as the stack file gives them (credentials as secrets): what the
   * components take as args, each validating its own sections again.
   */
  readonly args: ConfigArgs;
}

/**
 * The config phase: reads the running stack's config (or the mocks'), validates it, then runs
 * `checks`, compares the volumes with the last deployment's and the secrets with their formats.
 * Returns a config that is valid in every respect, or throws one ConfigError listing every problem,
 * before any resource is registered.
 */
export async function loadConfig(checks: readonly ConfigCheck[]): Promise<LoadedStackConfig> {
  const { config, secretKeys } = runningStackConfig();
  const root = projectRootDirectory();
  const stack = await checkStackConfig(
    loaded(validatePulumiConfig(config, secretKeys, root)),
    checks.map((check) => (valid: StackConfig) => check(valid, root)),
    await readPreviousDeployment(),
  );
  const own = ownKeys(config, secretKeys);
  return { config: stack, args: asSecrets(own.raw) as ConfigArgs };
}

/** What the stack's last deployment recorded of itself; none before the first. */
export interface PreviousDeployment {
  readonly volumes?: DeployedVolumes;
  readonly metricsHistory?: DeployedMetricsHistory;
  readonly images?: Readonly<Partial<Record<DataServerImage, string>>>;
}

/**
 * The checks of the config phase past the schema: `checks`, volume and metrics-history changes
 * against `previous` (the last deployment's record, if any) and the secrets' formats, as one
 * ConfigError.
 */
export async function checkStackConfig(
  config: StackConfig,
  checks: readonly ((config: StackConfig) => readonly string[])[],
  previous: PreviousDeployment | undefined,
): Promise<StackConfig> {
  const problems = [
    ...checks.flatMap((check) => check(config)),
    ...volumeChangeProblems(config, previous?.volumes),
    ...metricsHistoryProblems(config, previous?.metricsHistory, previous?.volumes !== undefined),
    ...imageDowngradeProblems(config, previous?.images),
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
 * What this stack's last deployment recorded, read from its own outputs through a stack reference
 * (nothing before the first deployment). It is read, and awaited, before any resource is registered.
 */
async function readPreviousDeployment(): Promise<PreviousDeployment> {
  const self = new pulumi.StackReference("previous-deployment", {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const [volumes, metricsHistory, images] = await Promise.all(
    [DEPLOYED_VOLUMES_OUTPUT, DEPLOYED_METRICS_HISTORY_OUTPUT, DEPLOYED_IMAGES_OUTPUT].map(
      async (output) => (await self.getOutputDetails(output)).value as unknown,
    ),
  );
  return {
    ...(volumes === undefined ? {} : { volumes: volumes as DeployedVolumes }),
    ...(metricsHistory === undefined ? {} : { metricsHistory: metricsHistory as DeployedMetricsHistory }),
    ...(images === undefined ? {} : { images: images as PreviousDeployment["images"] }),
  };
}
