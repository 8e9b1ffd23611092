import { keyPath } from "./errors";
import type { StackConfig } from "./stackConfig";
import { parseQuantity } from "./quantity";

/**
 * What the running stack's data volumes are: the stack exports it, and the next update reads it
 * back before registering anything, so an edit Kubernetes cannot apply to an existing volume is
 * a config error rather than an API error half-way through `pulumi up`.
 */
export interface DeployedVolumes {
  readonly storageClassName: string;
  /** Claim size per config key, for the workloads that have volumes. */
  readonly sizes: Readonly<Record<string, string>>;
}

/** The stack output that records DeployedVolumes for the next update. */
export const DEPLOYED_VOLUMES_OUTPUT = "deployedVolumes";

/** The config keys that size a volume, for the workloads this config gives one. */
export function deployedVolumes(config: StackConfig): DeployedVolumes {
  return {
    storageClassName: config.storage.className,
    sizes: {
      "metrics.storageSize": config.metrics.storageSize,
      "logs.storageSize": config.logs.storageSize,
      "tracing.storageSize": config.tracing.storageSize,
      "tracing.queue.storageSize": config.tracing.queue.storageSize,
      ...(config.metrics.objectStorage === undefined
        ? {}
        : {
            "metrics.objectStorage.storeGateway.storageSize":
              config.metrics.objectStorage.storeGateway.storageSize,
            "metrics.objectStorage.compactor.storageSize": config.metrics.objectStorage.compactor.storageSize,
          }),
      // With a database Grafana keeps no volume.
      ...(config.grafana.database === undefined ? { "grafana.storageSize": config.grafana.storageSize } : {}),
    },
  };
}

/**
 * Edits the existing claims cannot take: a smaller size (Kubernetes only grows claims), a larger
 * one when the StorageClass cannot expand volumes, or another StorageClass (a claim's class is
 * immutable, and the StatefulSets keep their original claim templates).
 */
export function volumeChangeProblems(config: StackConfig, previous: DeployedVolumes | undefined): string[] {
  if (previous === undefined) {
    return [];
  }
  const next = deployedVolumes(config);
  const problems: string[] = [];
  if (next.storageClassName !== previous.storageClassName) {
    problems.push(
      `${keyPath(["storage", "className"])} cannot change for existing volumes: they are ${previous.storageClassName}, got ${next.storageClassName}` +
        " (a claim's StorageClass is immutable; migrate the data to new claims instead)",
    );
  }
  for (const [key, size] of Object.entries(next.sizes)) {
    const before = previous.sizes[key];
    if (before === undefined || parseQuantity(size) === parseQuantity(before)) {
      continue;
    }
    const path = keyPath(key.split("."));
    if (parseQuantity(size) < parseQuantity(before)) {
      problems.push(
        `${path} cannot shrink a volume: it is ${before} in the running stack, got ${size} (Kubernetes only grows claims)`,
      );
    } else if (!config.storage.allowVolumeExpansion) {
      problems.push(
        `${path} cannot grow from ${before} to ${size}: StorageClass ${next.storageClassName} does not allow volume expansion ` +
          `(${keyPath(["storage", "allowVolumeExpansion"])} is false; kind's local-path volumes are not size-limited, so the size there is nominal)`,
      );
    }
  }
  return problems;
}
