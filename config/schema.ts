import { z } from "zod";
import { Identity, strict } from "./fields";
import type { Issue } from "./issue";
import { PROFILES } from "./profiles";
import { alertSeveritiesRouted, sloReceiversKnown } from "./alerting/checks";
import { alertingSection } from "./alerting/section";
import {
  latencyThresholdsAreSpanBuckets,
  objectStorageBucketOwnedAlone,
  objectStorageOnEksWithoutRemoteWrite,
  remoteWriteOnlyOnEks,
  retentionHoldsBlocksUntilUploaded,
  scrapeTimeoutsWithinInterval,
  teamScrapesSkipStackNamespaces,
  windowsWithinReach,
} from "./metrics/checks";
import { metricsSection } from "./metrics/section";
import {
  appNamespacesNotTheStacks,
  demoNamespaceNotAnApp,
  demoOnlyOnKind,
  eksExposedThroughAuthenticatedIngress,
  grafanaReplicasShareADatabase,
  kialiExposedOnlyWithMesh,
  lokiBucketOnEks,
  lokiReplicasKeepChunksInS3,
  meshNamespacesNotTheStacks,
  observabilityAndNodeNamespacesDiffer,
  pullSecretsNotTheCreatedOne,
  s3OnlyOnEks,
  tempoBucketOnEks,
} from "./sections/checks";
import { clusterSection } from "./sections/cluster";
import { namespacesSection } from "./sections/namespaces";
import { appsSection } from "./sections/apps";
import { logsSection } from "./sections/logs";
import { tracingSection } from "./sections/tracing";
import { grafanaSection } from "./sections/grafana";
import { exposureSection } from "./sections/exposure";
import { storageSection } from "./sections/storage";
import { imagesSection } from "./sections/images";
import { resourcesSection } from "./sections/resources";
import { placementSection } from "./sections/placement";
import { demoSection } from "./sections/demo";
import { meshSection } from "./sections/mesh";
import { demoSloNamesFree, sloNamesUnique } from "./slo/checks";

/** The sections of the stack config: top-level keys, each validated by its own schema. */
const sections = {
  profile: z.enum(PROFILES).describe("Which defaults the stack starts from: a laptop kind cluster or EKS."),
  cluster: clusterSection,
  namespaces: namespacesSection,
  apps: appsSection,
  metrics: metricsSection,
  logs: logsSection,
  tracing: tracingSection,
  grafana: grafanaSection,
  alerting: alertingSection,
  exposure: exposureSection,
  storage: storageSection,
  images: imagesSection,
  resources: resourcesSection,
  placement: placementSection,
  demo: demoSection,
  mesh: meshSection,
};

export type Section = keyof typeof sections;
export const SECTIONS = Object.keys(sections) as Section[];

/**
 * What a caller reads of the config: a section, or one key of a section (`tracing.latencyBucketsSeconds`).
 * A component that reads a key of another component's section is held to no rule of that section.
 */
export type ConfigRead = Section | `${Section}.${string}`;

/** The sections some of whose keys `reads` names. */
export const sectionsRead = (reads: readonly ConfigRead[]): Section[] => [
  ...new Set(reads.map((read) => read.split(".")[0] as Section)),
];

/** Whether reading `reads` covers `path`: the path's section, or the path itself or one above it. */
const covers = (reads: readonly ConfigRead[], path: string): boolean =>
  reads.some((read) => path === read || path.startsWith(`${read}.`));

type Sections = z.output<z.ZodObject<typeof sections>>;

/**
 * A rule across keys of several sections. `reads` are the sections (or keys) it looks at: a
 * component is held to the rules whose every read it reads.
 */
interface CrossCheck {
  readonly reads: readonly ConfigRead[];
  readonly check: (value: Sections, issue: Issue) => void;
}

/**
 * Each rule across keys, in the order their problems are reported; each lives in the folder of what it
 * checks.
 */
const CROSS_CHECKS: readonly CrossCheck[] = [
  { reads: ["namespaces"], check: observabilityAndNodeNamespacesDiffer },
  { reads: ["namespaces", "apps"], check: appNamespacesNotTheStacks },
  { reads: ["namespaces", "metrics"], check: teamScrapesSkipStackNamespaces },
  { reads: ["metrics.extraScrapeConfigs", "metrics.scrapeInterval"], check: scrapeTimeoutsWithinInterval },
  { reads: ["metrics.slos", "metrics.openSloFiles", "metrics.slothFiles"], check: sloNamesUnique },
  { reads: ["metrics.slos", "metrics.openSloFiles", "alerting.receivers"], check: sloReceiversKnown },
  {
    reads: [
      "alerting.routes",
      "alerting.otherSeverities",
      "metrics.extraRuleFiles",
      "logs.extraRuleFiles",
      "metrics.slos",
      "metrics.openSloFiles",
      "metrics.slothFiles",
      "metrics.alerts.overrides",
      "logs.alerts.overrides",
    ],
    check: alertSeveritiesRouted,
  },
  { reads: ["metrics.slo", "tracing.latencyBucketsSeconds", "apps"], check: latencyThresholdsAreSpanBuckets },
  {
    reads: ["demo.enabled", "metrics.slos", "metrics.openSloFiles", "metrics.slothFiles"],
    check: demoSloNamesFree,
  },
  { reads: ["namespaces", "mesh"], check: meshNamespacesNotTheStacks },
  { reads: ["exposure", "mesh"], check: kialiExposedOnlyWithMesh },
  { reads: ["images"], check: pullSecretsNotTheCreatedOne },
  { reads: ["grafana"], check: grafanaReplicasShareADatabase },
  { reads: ["logs", "storage"], check: lokiReplicasKeepChunksInS3 },
  { reads: ["demo.enabled", "apps"], check: demoNamespaceNotAnApp },
  { reads: ["profile", "demo.enabled"], check: demoOnlyOnKind },
  { reads: ["profile", "storage", "logs"], check: lokiBucketOnEks },
  { reads: ["profile", "storage", "tracing"], check: tempoBucketOnEks },
  { reads: ["profile", "storage"], check: s3OnlyOnEks },
  { reads: ["profile", "exposure"], check: eksExposedThroughAuthenticatedIngress },
  { reads: ["profile", "metrics.remoteWrite"], check: remoteWriteOnlyOnEks },
  {
    reads: ["profile", "metrics.objectStorage", "metrics.remoteWrite"],
    check: objectStorageOnEksWithoutRemoteWrite,
  },
  {
    reads: [
      "metrics.slo",
      "metrics.slos",
      "metrics.openSloFiles",
      "metrics.slothFiles",
      "metrics.slothWindow",
      "metrics.extraRuleFiles",
      "metrics.retentionTime",
      "metrics.objectStorage",
    ],
    check: windowsWithinReach,
  },
  { reads: ["metrics.objectStorage", "metrics.retentionTime"], check: retentionHoldsBlocksUntilUploaded },
  { reads: ["metrics.objectStorage", "storage"], check: objectStorageBucketOwnedAlone },
];

/**
 * The schema of the sections `reads` names: each section's own rules, and the cross-section rules
 * among what it reads. Every key is required here: the profile's defaults (config/defaults.ts) fill what the
 * config leaves out before this schema sees it.
 */
/** The schema of every section, by name (see Identity). */
export interface SectionsSchema extends Identity<ReturnType<typeof strict<typeof sections>>> {}

function buildConfigSchema(reads: readonly ConfigRead[]): z.ZodEffects<SectionsSchema> {
  const checks = CROSS_CHECKS.filter((c) => c.reads.every((path) => covers(reads, path)));
  const read = Object.fromEntries(
    sectionsRead(reads).map((section) => [section, sections[section]]),
  ) as typeof sections;
  // Those `reads` names, under the type of all: a caller reads only the sections it named.
  return (strict(read) as unknown as SectionsSchema).superRefine((value, ctx) => {
    const issue: Issue = (path, message, insideFile) =>
      ctx.addIssue({
        code: "custom",
        path,
        message,
        ...(insideFile === true ? { params: { insideFile } } : {}),
      });
    for (const { check } of checks) {
      check(value, issue);
    }
  });
}

/** The schema of a config, by name (see Identity). */
export interface ConfigSchema extends Identity<ReturnType<typeof buildConfigSchema>> {}

/**
 * The schema of the sections `reads` names: each section's own rules, and the cross-section rules
 * among what it reads.
 */
export const configSchema = (reads: readonly ConfigRead[]): ConfigSchema => buildConfigSchema(reads);

/** The whole `observability:` stack config: every section read. */
export const stackConfigSchema: ConfigSchema = configSchema(SECTIONS);

export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** The stack config as validated, before shapeStackConfig. */
export type ValidStackConfig = z.output<typeof stackConfigSchema>;
