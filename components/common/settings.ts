import { StackConfig } from "../../config";
import type { ArgsOf } from "../../config/argsOf";
import type { ConfigRead, Section, StackConfigInput } from "../../config/schema";

/**
 * The parts of the stack config every component reads. Each field is a section of
 * `Pulumi.<stack>.yaml` (`observability:<section>`), validated by `config/schema.ts`; what a
 * stack file leaves out comes from its profile's defaults, `PROFILE_DEFAULTS` in
 * `config/defaults.ts`.
 */
export interface PlatformSettings {
  /** `kind` or `eks`: eks protects and retains the data workloads. Set by each stack file. */
  readonly profile: StackConfig["profile"];
  /** Name, env and region: the external labels and dashboard titles. Defaults to `observability`, `dev`/`prod`. */
  readonly cluster: StackConfig["cluster"];
  /** The stack's two namespaces. Defaults to `observability` and `observability-node`. */
  readonly namespaces: StackConfig["namespaces"];
  /** The observed services and their namespaces. Defaults to none (the stack files list the reference platform's). */
  readonly apps: StackConfig["apps"];
  /** The volumes' StorageClass (and S3 on eks). Defaults to `standard` on kind, `gp3` on eks. */
  readonly storage: StackConfig["storage"];
  /**
   * Pinned image per component, the mirror they are pulled through and the pull Secrets. Defaults
   * to the versions the stack is tested against, from their public registries.
   */
  readonly images: StackConfig["images"];
  /** Node selector, tolerations, affinity and priority class per workload. Defaults to none. */
  readonly placement: StackConfig["placement"];
  /** Requests and limits per container. Defaults to the laptop budget on kind, production sizes on eks. */
  readonly resources: StackConfig["resources"];
}

/** The platform sections of a validated stack config: what index.ts hands every component. */
export function platformSettings(config: StackConfig): PlatformSettings {
  const { profile, cluster, namespaces, apps, storage, images, placement, resources } = config;
  return { profile, cluster, namespaces, apps, storage, images, placement, resources };
}

/** A section of the stack config as a program gives it: every key optional, defaulting per profile. */
export type SectionArgs<S extends Section> = ArgsOf<StackConfigInput[S]>;

/**
 * The stack-config sections every component reads, as a program gives them: each optional, every
 * key defaulting as in a stack file of the same profile. docs/configuration.md lists every key with
 * its kind and eks defaults.
 */
export interface PlatformArgs {
  /** Which defaults apply: `kind`, sized for a laptop, or `eks`, which protects and retains the data. @default "kind" */
  readonly profile?: SectionArgs<"profile">;
  /** `name`, `env` and `region`: Prometheus' external labels and the dashboards' titles. */
  readonly cluster?: SectionArgs<"cluster">;
  /**
   * The namespaces it deploys into: `observability` (Pod Security restricted) and `node` (the node
   * agents that need host access). They must exist; StackNamespaces creates and closes them. Names,
   * not Outputs: every NetworkPolicy, Role and scrape job names them before anything is created.
   */
  readonly namespaces?: SectionArgs<"namespaces">;
  /** The observed services and their namespaces. */
  readonly apps?: SectionArgs<"apps">;
  /**
   * The volumes' StorageClass, and on eks the S3 buckets with their IRSA roles (each bucket and role
   * ARN may be an Output of the resource that makes it).
   */
  readonly storage?: SectionArgs<"storage">;
  /** Pinned image per workload, a mirror and pull Secrets. */
  readonly images?: SectionArgs<"images">;
  /** Node selector, tolerations, affinity and priority class per workload. */
  readonly placement?: SectionArgs<"placement">;
  /** Requests and limits per container. */
  readonly resources?: SectionArgs<"resources">;
}

/** `demo.enabled` alone: whether DemoStack runs beside a component, which then observes its services. */
export interface DemoSwitch extends Pick<SectionArgs<"demo">, "enabled"> {}

/** The sections PlatformArgs holds. */
export const PLATFORM_SECTIONS: readonly ConfigRead[] = [
  "profile",
  "cluster",
  "namespaces",
  "apps",
  "storage",
  "images",
  "placement",
  "resources",
];
