import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity, selectorLabels } from "./labels";
import { objectMeta } from "./metadata";
import { ReadsLive, readsLiveAnnotations } from "./readsLive";
import { rolloutDone, rolloutTimeouts } from "./rollout";
import { PlatformSettings } from "./settings";
import { dataProtection, volumeStatefulSet } from "./statefulSet";

/** What runs the pods. */
export type WorkloadController =
  | {
      readonly kind: "Deployment";
      readonly replicas: number;
      /** @default RollingUpdate, a quarter of the pods at a time */
      readonly strategy?: k8s.types.input.apps.v1.DeploymentStrategy;
    }
  | { readonly kind: "DaemonSet" }
  | {
      readonly kind: "StatefulSet";
      readonly replicas: number;
      /** The Service that gives its pods stable DNS names. */
      readonly serviceName: string;
      /** Each replica's `data` volume. */
      readonly storageSize: string;
      /** Protected and retained on eks (`dataProtection`): the volume holds history, not only state. */
      readonly holdsHistory: boolean;
      /**
       * The volume is a cache the pod rebuilds from elsewhere (a bucket): its claims are deleted with
       * the StatefulSet and with a scale-down, so turning the workload off leaves no volume behind.
       */
      readonly cache?: true;
    };

interface ControllerArgs {
  readonly id: WorkloadIdentity;
  readonly namespace: string;
  readonly controller: WorkloadController;
  readonly template: k8s.types.input.core.v1.PodTemplateSpec;
  /** The StorageClass and profile of a StatefulSet's volumes. */
  readonly settings: PlatformSettings;
  /** What its processes re-read while they run, by pod volume. */
  readonly readsLive?: ReadsLive;
}

/** Registers the controller that runs a workload's pods from `template`. */
export function deployController(
  name: string,
  args: ControllerArgs,
  workloadOpts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const { id, namespace, controller, template } = args;
  const opts = { ...workloadOpts, customTimeouts: rolloutTimeouts(args.settings.cluster) };
  if (controller.kind === "StatefulSet") {
    return volumeStatefulSet(
      name,
      {
        id,
        namespace,
        replicas: controller.replicas,
        serviceName: controller.serviceName,
        template,
        storageClassName: args.settings.storage.className,
        storageSize: controller.storageSize,
        holds: controller.holdsHistory ? "history" : controller.cache === true ? "cache" : "positions",
        annotations: {
          ...readsLiveAnnotations(args.readsLive),
          ...rolloutDone("StatefulSet", controller.replicas),
        },
      },
      controller.holdsHistory ? { ...opts, ...dataProtection(args.settings.profile) } : opts,
    );
  }
  const annotations = readsLiveAnnotations(args.readsLive);
  const metadata = {
    ...objectMeta(id, namespace),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  };
  const selector = { matchLabels: selectorLabels(id) };
  if (controller.kind === "Deployment") {
    return new k8s.apps.v1.Deployment(
      name,
      {
        metadata: {
          ...metadata,
          annotations: { ...annotations, ...rolloutDone("Deployment", controller.replicas) },
        },
        spec: {
          replicas: controller.replicas,
          ...(controller.strategy === undefined ? {} : { strategy: controller.strategy }),
          selector,
          template,
        },
      },
      opts,
    );
  }
  return new k8s.apps.v1.DaemonSet(
    name,
    {
      metadata,
      spec: {
        selector,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template,
      },
    },
    opts,
  );
}
