import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity, selectorLabels } from "./labels";
import { objectMeta } from "./metadata";

type PodTemplateSpec = k8s.types.input.core.v1.PodTemplateSpec;

export interface VolumeStatefulSetArgs {
  readonly id: WorkloadIdentity;
  readonly namespace: string;
  readonly replicas: number;
  /** The Service that gives the pods stable DNS names. */
  readonly serviceName: string;
  readonly template: PodTemplateSpec;
  /** Mounted by the pod as volume `data`. */
  readonly storageClassName: string;
  readonly storageSize: string;
}

/**
 * A StatefulSet whose every replica owns one ReadWriteOnce `data` volume. A rolling update
 * replaces a pod (stop, then start on the same claim), so two pods never wait on one volume.
 * Claims are kept when the StatefulSet is deleted or scaled down: history outlives the workload.
 */
export function volumeStatefulSetArgs(args: VolumeStatefulSetArgs): k8s.apps.v1.StatefulSetArgs {
  return {
    metadata: objectMeta(args.id, args.namespace),
    spec: {
      replicas: args.replicas,
      serviceName: args.serviceName,
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
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

/**
 * Resource options for a workload that holds history. On eks it is protected and retained on
 * delete, so neither a mistaken `pulumi destroy` nor a replacement can take its volumes with it;
 * a kind stack can be destroyed freely.
 */
export function dataProtection(profile: "kind" | "eks"): pulumi.CustomResourceOptions {
  return profile === "eks" ? { protect: true, retainOnDelete: true } : {};
}
