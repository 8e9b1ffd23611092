import { StackConfig } from "../../config";

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
