import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName } from "../../config";
import { Flow } from "./flow";
import { deployWorkloadPolicy } from "./flowPolicies";
import { WorkloadIdentity } from "./labels";
import { objectMeta } from "./metadata";
import { secretData } from "./secretData";
import { podPlatform } from "./placement";
import { WorkloadController, deployController } from "./controller";
import { deployDisruptionBudget, spreadAcrossNodes } from "./disruption";
import { ContainerSpec, InitContainerSpec, PodSpecArgs, hardenedPodSpec, podTemplate } from "./podSpec";
import { NamespacedAccess, deployClusterRole, deployNamespacedRoles, serviceAccountArgs } from "./rbac";
import { serviceArgs } from "./service";
import { ReadsLive } from "./readsLive";
import { PlatformSettings } from "./settings";
import { WorkloadSpec, containerPorts, servicePorts } from "./workloadSpec";

/** Config files from one ConfigMap, mounted through the pod volume of the same role. */
export interface WorkloadConfigMap {
  /** The ConfigMap's name; its resource is named `<name of the caller>-<this>`. */
  readonly name: string;
  /** The pod volume the container mounts it from. */
  readonly volume: string;
  readonly data: Readonly<Record<string, pulumi.Input<string>>>;
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
  readonly roleArn?: pulumi.Input<string>;
  readonly configMaps: readonly WorkloadConfigMap[];
  /** The config whose change rolls the pod (through the template's checksum annotation). */
  readonly rolledBy: Readonly<Record<string, pulumi.Input<string>>>;
  /** What its process re-reads while it runs, by pod volume. */
  readonly readsLive?: ReadsLive;
  /** Its one container, named for the workload; it mounts the volume `data` and the ConfigMaps' volumes itself. */
  readonly container: Omit<ContainerSpec, "name" | "image" | "ports">;
  /** The spec's ports the container opens. @default all of them */
  readonly containerPortNames?: readonly string[];
  /** Containers that run to completion before it, sharing its volumes. */
  readonly initContainers?: readonly InitContainerSpec[];
  /** Volumes of the pod beside the ConfigMaps' and the data volume, as emptyDirs its containers share. */
  readonly volumes?: readonly Volume[];
  /**
   * Read access across namespaces. The pod still mounts no API token: the container that calls
   * the API mounts a projected one itself (from `volumes`).
   */
  readonly clusterRules?: PolicyRule[];
  /**
   * Above 1, each replica on its own data volume, spread over nodes and zones, with a disruption
   * budget that lets one go at a time. @default 1
   */
  readonly replicas?: number;
  /** Services beside the governing headless one that names the pods (peers finding each other). */
  readonly extraServices?: readonly WorkloadService[];
  /** The data volume's size. */
  readonly storageSize: string;
  /** The wiring graph, whose flows into and out of this workload make its NetworkPolicy. */
  readonly wiring: readonly Flow[];
}

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;
type Volume = k8s.types.input.core.v1.Volume;

/**
 * A ConfigMap or Secret the caller made itself, mounted through the pod volumes it names. The
 * volumes name the object by the text it was created with, never by its resource's output: an
 * output would make the pod template depend on the object, and when the object is replaced
 * (delete before replace, as a named object is) the engine replaces every resource whose changed
 * input would force a replacement, which a StatefulSet's whole `spec` does.
 */
export interface MountedConfig {
  readonly resource: k8s.core.v1.ConfigMap | k8s.core.v1.Secret;
  readonly volumes: readonly Volume[];
}

/** A Secret of the workload, named `<name of the caller>-<name>` (or for the workload). */
export interface WorkloadSecret {
  /** @default the workload's name */
  readonly name?: string;
  /** Key → value; Pulumi secrets stay secrets. */
  readonly stringData: Readonly<Record<string, pulumi.Input<string>>>;
  /** The pod volume it is mounted through (group-readable files); without one, env reads it. */
  readonly volume?: string;
}

/** Its own ServiceAccount, named for the workload, with what it may do. */
export interface WorkloadServiceAccount {
  /** The IAM role it assumes through IRSA. */
  readonly roleArn?: pulumi.Input<string>;
  /** Read access across namespaces, through a ClusterRole bound to it. */
  readonly clusterRules?: PolicyRule[];
  /** Access in namespaces it does not run in, through a Role in each. */
  readonly namespacedAccess?: NamespacedAccess;
}

/** A Service of the workload's pods; its ports come from the workload spec. */
export interface WorkloadService {
  /** @default the workload's name */
  readonly name?: string;
  readonly headless?: boolean;
  readonly publishNotReadyAddresses?: boolean;
  /** @default every port that is not container-only */
  readonly portNames?: readonly string[];
  /** Ports also exposed on every node, by port name. */
  readonly nodePorts?: Readonly<Record<string, number>>;
  /** Selects this one StatefulSet pod alone. */
  readonly pod?: string;
}

export interface WorkloadArgs {
  readonly spec: WorkloadSpec;
  /** Its role in the stack (`WorkloadIdentity.component`). */
  readonly component: string;
  readonly image: string;
  readonly namespace: string;
  readonly settings: PlatformSettings;
  /** Its placement entry in `placement`. */
  readonly placement: PlacedWorkloadName;
  /** Without one, its pods run as the namespace's default account, without an API token. */
  readonly serviceAccount?: WorkloadServiceAccount;
  readonly configMaps?: readonly WorkloadConfigMap[];
  readonly secrets?: readonly WorkloadSecret[];
  /** Config objects made elsewhere; like its own, the controller waits for them. */
  readonly mountedConfig?: readonly MountedConfig[];
  /** Volumes its containers share that hold no config (emptyDirs). */
  readonly volumes?: readonly Volume[];
  /** Its first container, on the workload's image and with the spec's ports. */
  readonly container: Omit<ContainerSpec, "image" | "ports">;
  /** The spec's ports the first container opens. @default all of them */
  readonly containerPortNames?: readonly string[];
  readonly sidecars?: readonly ContainerSpec[];
  /** What else the pod says: init containers, API token, host access, tolerations, spread, grace period. */
  readonly pod?: Pick<
    PodSpecArgs,
    | "initContainers"
    | "mountServiceAccountToken"
    | "hostAccess"
    | "tolerations"
    | "topologySpreadConstraints"
    | "terminationGracePeriodSeconds"
  >;
  /** The config whose change rolls the pods (through the template's checksum annotation). */
  readonly rolledBy?: Readonly<Record<string, pulumi.Input<string>>>;
  /** What its processes re-read while they run, by pod volume: a change there neither rolls nor waits. */
  readonly readsLive?: ReadsLive;
  /** Other annotations of the pod template; changing one rolls the pods too. */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  readonly controller: WorkloadController;
  readonly services: readonly WorkloadService[];
  /** The wiring graph, whose flows into and out of this workload make its NetworkPolicy. */
  readonly wiring: readonly Flow[];
}

/** What other workloads use of it. */
export interface Workload {
  /** In the order the args list them. */
  readonly services: readonly k8s.core.v1.Service[];
  /** The Deployment, DaemonSet or StatefulSet: ready once its pods are. */
  readonly controller: pulumi.CustomResource;
}

/**
 * A workload and everything it runs with, registered in one order: its ServiceAccount and RBAC,
 * ConfigMaps and Secrets, the hardened pod template that mounts them (and the config made
 * elsewhere), the controller (waiting for all its config), a disruption budget when it is replicated, its NetworkPolicy, and the Services from
 * the spec's ports. A StatefulSet's Services come before it instead, as one of them names its pods.
 */
export function deployWorkload(
  name: string,
  args: WorkloadArgs,
  opts: pulumi.CustomResourceOptions,
): Workload {
  const { spec, namespace, controller } = args;
  const id: WorkloadIdentity = { name: spec.name, component: args.component, image: args.image };
  const resourceName = `${name}-${spec.name}`;
  if (args.serviceAccount !== undefined) {
    new k8s.core.v1.ServiceAccount(
      resourceName,
      serviceAccountArgs(id, namespace, args.serviceAccount.roleArn),
      opts,
    );
    if (args.serviceAccount.clusterRules !== undefined) {
      deployClusterRole(resourceName, id, namespace, args.serviceAccount.clusterRules, opts);
    }
    if (args.serviceAccount.namespacedAccess !== undefined) {
      deployNamespacedRoles(resourceName, id, namespace, args.serviceAccount.namespacedAccess, opts);
    }
  }
  const configMaps = (args.configMaps ?? []).map((map) => ({
    volume: map.volume,
    name: map.name,
    resource: new k8s.core.v1.ConfigMap(
      `${name}-${map.name}`,
      { metadata: objectMeta(id, namespace, map.name), data: { ...map.data } },
      opts,
    ),
  }));
  const secrets = (args.secrets ?? []).map((secret) => ({
    volume: secret.volume,
    name: secret.name ?? spec.name,
    resource: new k8s.core.v1.Secret(
      `${name}-${secret.name ?? spec.name}`,
      { metadata: objectMeta(id, namespace, secret.name), ...secretData(secret.stringData) },
      opts,
    ),
  }));
  const podSpec = hardenedPodSpec({
    platform: podPlatform(args.settings, args.placement),
    ...(args.serviceAccount === undefined ? {} : { serviceAccountName: spec.name }),
    ...args.pod,
    containers: [
      { ...args.container, image: args.image, ports: containerPorts(spec, args.containerPortNames) },
      ...(args.sidecars ?? []),
    ],
    volumes: [
      ...configMaps.map(({ volume, name: configMap }) => ({ name: volume, configMap: { name: configMap } })),
      ...secrets.flatMap(({ volume, name: secretName }) =>
        volume === undefined ? [] : [{ name: volume, secret: { secretName, defaultMode: 0o440 } }],
      ),
      ...(args.mountedConfig ?? []).flatMap(({ volumes }) => volumes),
      ...(args.volumes ?? []),
    ],
  });
  // A pod assumes its ServiceAccount's IAM role when it starts (the EKS webhook writes the role into
  // it then): a new role takes effect only in new pods, so it rolls them.
  const roleArn = args.serviceAccount?.roleArn;
  const template = podTemplate(
    id,
    podSpec,
    roleArn === undefined ? args.rolledBy : { ...args.rolledBy, "iam-role": roleArn },
    args.podAnnotations,
  );
  const config = [...configMaps, ...secrets, ...(args.mountedConfig ?? [])].map(({ resource }) => resource);
  const deployServices = () =>
    args.services.map(
      (service) =>
        new k8s.core.v1.Service(
          `${name}-${service.name ?? spec.name}`,
          serviceArgs({
            id,
            namespace,
            name: service.name,
            headless: service.headless,
            publishNotReadyAddresses: service.publishNotReadyAddresses,
            pod: service.pod,
            ports: servicePorts(spec, { names: service.portNames, nodePorts: service.nodePorts }),
          }),
          opts,
        ),
    );
  const governing = controller.kind === "StatefulSet" ? deployServices() : undefined;
  const pods = deployController(
    resourceName,
    { id, namespace, controller, template, settings: args.settings, readsLive: args.readsLive },
    config.length === 0 ? opts : { ...opts, dependsOn: config },
  );
  if (controller.kind !== "DaemonSet") {
    deployDisruptionBudget(resourceName, id, namespace, controller.replicas, opts);
  }
  deployWorkloadPolicy(resourceName, args.wiring, namespace, id, opts);
  return { services: governing ?? deployServices(), controller: pods };
}

/**
 * A single-binary server that keeps its data on one volume per replica: its ServiceAccount, its
 * ConfigMaps, a hardened pod that mounts no API token (IRSA brings its own; a container granted
 * cluster reads mounts a projected one itself), the headless Service that governs the StatefulSet (clients resolve straight to
 * the ready pods, so no virtual IP is needed beside it), the StatefulSet, protected on eks, and its
 * NetworkPolicy; replicated, also its spread over nodes and zones and its disruption budget.
 */
export function deployDataWorkload(
  name: string,
  args: DataWorkloadArgs,
  opts: pulumi.CustomResourceOptions,
): void {
  const { spec, settings } = args;
  const replicas = args.replicas ?? 1;
  const id = { name: spec.name, component: args.component, image: args.image };
  deployWorkload(
    name,
    {
      spec,
      component: args.component,
      image: args.image,
      namespace: settings.namespaces.observability,
      settings,
      placement: args.placement,
      serviceAccount: {
        roleArn: args.roleArn,
        ...(args.clusterRules === undefined ? {} : { clusterRules: args.clusterRules }),
      },
      configMaps: args.configMaps,
      ...(args.volumes === undefined ? {} : { volumes: args.volumes }),
      container: { ...args.container, name: spec.name },
      ...(args.containerPortNames === undefined ? {} : { containerPortNames: args.containerPortNames }),
      pod: {
        mountServiceAccountToken: false,
        ...(args.initContainers === undefined ? {} : { initContainers: args.initContainers }),
        ...(replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(id) } : {}),
      },
      rolledBy: args.rolledBy,
      ...(args.readsLive === undefined ? {} : { readsLive: args.readsLive }),
      controller: {
        kind: "StatefulSet",
        replicas,
        serviceName: spec.name,
        storageSize: args.storageSize,
        holdsHistory: true,
      },
      services: [{ headless: true }, ...(args.extraServices ?? [])],
      wiring: args.wiring,
    },
    opts,
  );
}
