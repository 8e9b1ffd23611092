import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity, selectorLabels } from "./labels";
import { objectMeta } from "./metadata";

type PodTemplateSpec = k8s.types.input.core.v1.PodTemplateSpec;

/** Tells the Kubernetes provider not to wait for the object to become ready after applying it. */
const SKIP_AWAIT = "pulumi.com/skipAwait";

interface VolumeStatefulSetArgs {
  readonly id: WorkloadIdentity;
  readonly namespace: string;
  readonly replicas: number;
  /** The Service that gives the pods stable DNS names. */
  readonly serviceName: string;
  readonly template: PodTemplateSpec;
  /** Mounted by the pod as volume `data`. */
  readonly storageClassName: string;
  readonly storageSize: string;
  /**
   * What the volumes keep: the workload's history, only where it left off (a log agent's read
   * positions), or a cache the pod rebuilds from elsewhere (a bucket), whose claims go with it.
   */
  readonly holds: VolumesHold;
  /** Further annotations of the StatefulSet's own metadata. */
  readonly annotations: Readonly<Record<string, string>>;
}

export type VolumesHold = "history" | "positions" | "cache";

/**
 * The StatefulSet's annotation saying what its volumes keep: the policy pack requires a StatefulSet
 * whose volumes keep history to be protected in production, and reads any without it as history.
 */
export const VOLUMES_HOLD_ANNOTATION = "observability.io/volumes-hold";

/**
 * A StatefulSet whose every replica owns one ReadWriteOnce `data` volume. A rolling update
 * replaces a pod (stop, then start on the same claim), so two pods never wait on one volume.
 * Claims are kept when the StatefulSet is deleted or scaled down: history outlives the workload.
 * A cache's claims go with it.
 */
function volumeStatefulSetArgs(args: VolumeStatefulSetArgs): k8s.apps.v1.StatefulSetArgs {
  return {
    metadata: {
      ...objectMeta(args.id, args.namespace),
      annotations: { [VOLUMES_HOLD_ANNOTATION]: args.holds, ...args.annotations },
    },
    spec: {
      replicas: args.replicas,
      serviceName: args.serviceName,
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy:
        args.holds === "cache"
          ? { whenDeleted: "Delete", whenScaled: "Delete" }
          : { whenDeleted: "Retain", whenScaled: "Retain" },
      selector: { matchLabels: selectorLabels(args.id) },
      template: args.template,
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: selectorLabels(args.id) },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: args.storageClassName,
            resources: { requests: { storage: args.storageSize } },
          },
        },
      ],
    },
  };
}

/** The claim the StatefulSet controller creates for replica `ordinal` from the `data` template. */
export function dataClaimName(statefulSetName: string, ordinal: number): string {
  return `data-${statefulSetName}-${ordinal}`;
}

/**
 * Registers the StatefulSet and keeps every replica's claim at `storageSize`.
 *
 * Kubernetes cannot change `volumeClaimTemplates` in place, so the template keeps the size the
 * StatefulSet was created with (`ignoreChanges`): a `*.storageSize` edit must never plan a
 * replacement. The size is applied to each replica's existing claim instead, by a server-side
 * apply patch that forces ownership of the one field (the StatefulSet controller created the
 * claim). The patches are left behind on delete: a claim cannot shrink back, and the claims
 * themselves are retained.
 *
 * The provider's wait for a claim would never end on a patch: it waits for a claim of a
 * `WaitForFirstConsumer` class (kind's `standard`, EKS's gp3) to be Pending, and these claims are
 * Bound by then, so every patch would fail after five minutes. A resize finishes in the background
 * anyway (the resizer, then the kubelet), which no await of the provider watches.
 */
export function volumeStatefulSet(
  name: string,
  args: VolumeStatefulSetArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.apps.v1.StatefulSet {
  const statefulSet = new k8s.apps.v1.StatefulSet(name, volumeStatefulSetArgs(args), {
    ...opts,
    ignoreChanges: ["spec.volumeClaimTemplates"],
  });
  for (let ordinal = 0; ordinal < args.replicas; ordinal++) {
    new k8s.core.v1.PersistentVolumeClaimPatch(
      `${name}-data-${ordinal}`,
      {
        metadata: {
          name: dataClaimName(args.id.name, ordinal),
          namespace: args.namespace,
          annotations: { "pulumi.com/patchForce": "true", [SKIP_AWAIT]: "true" },
        },
        spec: { resources: { requests: { storage: args.storageSize } } },
      },
      { parent: opts.parent, provider: opts.provider, dependsOn: [statefulSet], retainOnDelete: true },
    );
  }
  return statefulSet;
}

/**
 * Resource options for a workload that holds history. On eks it is protected and retained on
 * delete, so neither a mistaken `pulumi destroy` nor a replacement can take its volumes with it;
 * a kind stack can be destroyed freely.
 */
export function dataProtection(profile: "kind" | "eks"): pulumi.CustomResourceOptions {
  return profile === "eks" ? { protect: true, retainOnDelete: true } : {};
}
