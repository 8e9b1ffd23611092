import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName } from "../../config";
import { Flow } from "./flow";
import { deployWorkloadPolicy } from "./flowPolicies";
import { WorkloadIdentity } from "./labels";
import { objectMeta } from "./metadata";
import { podPlatform } from "./placement";
import { ContainerSpec, hardenedPodSpec, podTemplate } from "./podSpec";
import { serviceAccountArgs } from "./rbac";
import { serviceArgs } from "./service";
import { PlatformSettings } from "./settings";
import { dataProtection, volumeStatefulSet } from "./statefulSet";
import { WorkloadSpec, containerPorts, servicePorts } from "./workloadSpec";

/** Config files from one ConfigMap, mounted through the pod volume of the same role. */
export interface WorkloadConfigMap {
  /** The ConfigMap's name; its resource is named `<name of the caller>-<this>`. */
  readonly name: string;
  /** The pod volume the container mounts it from. */
  readonly volume: string;
  readonly data: Readonly<Record<string, string>>;
}

export interface DataWorkloadArgs {
  readonly spec: WorkloadSpec;
  /** Its role in the stack (`WorkloadIdentity.component`). */
  readonly component: string;
  readonly image: string;
  readonly settings: PlatformSettings;
  /** Its placement entry in `placement`. */
  readonly placement: PlacedWorkloadName;
  /** The IAM role its ServiceAccount assumes through IRSA, for its object store. */
  readonly roleArn?: string;
  readonly configMaps: readonly WorkloadConfigMap[];
  /** The config whose change rolls the pod (through the template's checksum annotation). */
  readonly rolledBy: Readonly<Record<string, string>>;
  /** Its one container, named for the workload; it mounts the volume `data` and the ConfigMaps' volumes itself. */
  readonly container: Omit<ContainerSpec, "name" | "image" | "ports">;
  /** The data volume's size. */
  readonly storageSize: string;
  /** The wiring graph, whose flows into and out of this workload make its NetworkPolicy. */
  readonly wiring: readonly Flow[];
}

/**
 * A single-binary server that keeps its data on one volume: its ServiceAccount, its ConfigMaps, a
 * hardened pod without an API token (it never calls the Kubernetes API; IRSA brings its own token),
 * the headless Service that governs a one-replica StatefulSet (clients resolve straight to the pod,
 * so no virtual IP is needed beside it), the StatefulSet, protected on eks, and its NetworkPolicy.
 */
export function deployDataWorkload(
  name: string,
  args: DataWorkloadArgs,
  opts: pulumi.CustomResourceOptions,
): void {
  const { spec, settings } = args;
  const id: WorkloadIdentity = { name: spec.name, component: args.component, image: args.image };
  const namespace = settings.namespaces.observability;
  const resourceName = `${name}-${spec.name}`;
  new k8s.core.v1.ServiceAccount(resourceName, serviceAccountArgs(id, namespace, args.roleArn), opts);
  const configMaps = args.configMaps.map(
    (map) =>
      new k8s.core.v1.ConfigMap(
        `${name}-${map.name}`,
        { metadata: objectMeta(id, namespace, map.name), data: { ...map.data } },
        opts,
      ),
  );
  const podSpec = hardenedPodSpec({
    platform: podPlatform(settings, args.placement),
    serviceAccountName: spec.name,
    mountServiceAccountToken: false,
    containers: [{ ...args.container, name: spec.name, image: args.image, ports: containerPorts(spec) }],
    volumes: args.configMaps.map((map, i) => ({
      name: map.volume,
      configMap: { name: configMaps[i].metadata.name },
    })),
  });
  new k8s.core.v1.Service(
    resourceName,
    serviceArgs({ id, namespace, headless: true, ports: servicePorts(spec) }),
    opts,
  );
  volumeStatefulSet(
    resourceName,
    {
      id,
      namespace,
      replicas: 1,
      serviceName: spec.name,
      template: podTemplate(id, podSpec, args.rolledBy),
      storageClassName: settings.storage.className,
      storageSize: args.storageSize,
    },
    { ...opts, ...dataProtection(settings.profile), dependsOn: configMaps },
  );
  deployWorkloadPolicy(resourceName, args.wiring, namespace, id, opts);
}
