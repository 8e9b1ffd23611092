import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { checksumAnnotations } from "./checksum";
import { goMemoryLimitEnv } from "./goMemoryLimit";
import { HOST_ACCESS_ALLOWLIST, HostAccessName } from "./hostAccess";
import { WorkloadIdentity, standardLabels } from "./labels";
import { PodPlatform, mirroredImage, placementFields } from "./placement";

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type PodTemplateSpec = k8s.types.input.core.v1.PodTemplateSpec;
type Probe = k8s.types.input.core.v1.Probe;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Toleration = k8s.types.input.core.v1.Toleration;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

/** The unprivileged `nobody` user every container runs as unless its image needs another uid. */
export const NON_ROOT_UID = 65534;

interface ResourceList {
  readonly cpu: string;
  readonly memory: string;
  /** The container's logs and scratch directories; each of its emptyDirs is bounded by the limit. */
  readonly ephemeralStorage: string;
}

interface ResourceSpec {
  readonly requests: ResourceList;
  readonly limits: ResourceList;
}

const resourceList = (list: ResourceList) => ({
  cpu: list.cpu,
  memory: list.memory,
  "ephemeral-storage": list.ephemeralStorage,
});

export interface ContainerPort {
  readonly name: string;
  readonly containerPort: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
}

/** What a component says about one of its containers; hardening is not optional and not here. */
export interface InitContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly ports?: readonly ContainerPort[];
  readonly resources: ResourceSpec;
  readonly volumeMounts?: readonly VolumeMount[];
  /** Directories the process writes to; each gets its own emptyDir, as the root filesystem is read-only. */
  readonly scratchPaths?: readonly string[];
  /** @default NON_ROOT_UID */
  readonly runAsUser?: number;
  /**
   * false for a process that is not a Go program. Every image the stack runs is one, and its
   * runtime gets GOMEMLIMIT from the memory limit (goMemoryLimit.ts), so that it collects garbage
   * harder before the kernel kills it rather than growing until it is.
   * @default true
   */
  readonly goRuntime?: false;
}

/** A long-running container: it must say how the kubelet knows it is alive and ready. */
export interface ContainerSpec extends InitContainerSpec {
  readonly livenessProbe: Probe;
  readonly readinessProbe: Probe;
  readonly startupProbe?: Probe;
}

export interface PodSpecArgs {
  /** Placement and image supply from stack config (`podPlatform(settings, "<workload>")`). */
  readonly platform: PodPlatform;
  readonly containers: readonly ContainerSpec[];
  readonly initContainers?: readonly InitContainerSpec[];
  readonly volumes?: readonly Volume[];
  /** The workload's own ServiceAccount (for RBAC or an IRSA role). */
  readonly serviceAccountName?: string;
  /**
   * Only workloads that call the Kubernetes API get an API token.
   * @default true when serviceAccountName is set
   */
  readonly mountServiceAccountToken?: boolean;
  /** Node agents only: the allowlisted host access, mounted into the first container. */
  readonly hostAccess?: HostAccessName;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Node agents tolerate every taint so that they run on every node. */
  readonly tolerations?: readonly Toleration[];
  /** Where replicas should go; see spreadAcrossNodes. */
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
}

function scratchVolumeName(containerName: string, path: string): string {
  const slug = path
    .replace(/^\/+|\/+$/g, "")
    .replace(/[^a-z0-9]+/gi, "-")
    .toLowerCase();
  return `${containerName}-${slug}`.slice(0, 63).replace(/-+$/, "");
}

function buildContainer(
  spec: InitContainerSpec,
  probes: Pick<Container, "livenessProbe" | "readinessProbe" | "startupProbe">,
  runAsRoot: boolean,
  extraMounts: readonly VolumeMount[],
  registry: string | undefined,
): Container {
  const uid = runAsRoot ? 0 : (spec.runAsUser ?? NON_ROOT_UID);
  const env = [
    ...(spec.env ?? []),
    ...(spec.goRuntime === false ? [] : [goMemoryLimitEnv(spec.resources.limits.memory)]),
  ];
  return {
    name: spec.name,
    image: mirroredImage(spec.image, registry),
    imagePullPolicy: "IfNotPresent",
    ...(spec.command === undefined ? {} : { command: [...spec.command] }),
    ...(spec.args === undefined ? {} : { args: [...spec.args] }),
    ...(env.length === 0 ? {} : { env }),
    ...(spec.ports === undefined
      ? {}
      : {
          ports: spec.ports.map((p) => ({
            name: p.name,
            containerPort: p.containerPort,
            protocol: p.protocol ?? "TCP",
          })),
        }),
    resources: {
      requests: resourceList(spec.resources.requests),
      limits: resourceList(spec.resources.limits),
    },
    ...probes,
    volumeMounts: [
      ...(spec.volumeMounts ?? []),
      ...(spec.scratchPaths ?? []).map((mountPath) => ({
        name: scratchVolumeName(spec.name, mountPath),
        mountPath,
      })),
      ...extraMounts,
    ],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      runAsNonRoot: !runAsRoot,
      runAsUser: uid,
      runAsGroup: runAsRoot ? 0 : NON_ROOT_UID,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

/**
 * The one place pod specs are built: non-root, no privilege escalation, all capabilities dropped,
 * RuntimeDefault seccomp, read-only root filesystem with emptyDirs where the app writes, requests
 * and limits, probes on every long-running container, no API token unless asked for; placed,
 * pulled through the mirror and with the pull Secrets the stack config names.
 */
export function hardenedPodSpec(args: PodSpecArgs): PodSpec {
  const grant = args.hostAccess === undefined ? undefined : HOST_ACCESS_ALLOWLIST[args.hostAccess];
  const runAsRoot = grant?.runAsRoot ?? false;
  const hostMounts: VolumeMount[] = (grant?.hostPaths ?? []).map((h, i) => ({
    name: `host-${i}`,
    mountPath: h.mountPath,
    readOnly: h.readOnly,
  }));
  const all: readonly InitContainerSpec[] = [...(args.initContainers ?? []), ...args.containers];
  return {
    ...(grant === undefined ? {} : { hostNetwork: grant.hostNetwork, hostPID: grant.hostPID }),
    ...(grant?.hostNetwork === true ? { dnsPolicy: "ClusterFirstWithHostNet" } : {}),
    enableServiceLinks: false,
    automountServiceAccountToken: args.mountServiceAccountToken ?? args.serviceAccountName !== undefined,
    ...(args.serviceAccountName === undefined ? {} : { serviceAccountName: args.serviceAccountName }),
    terminationGracePeriodSeconds: args.terminationGracePeriodSeconds ?? 30,
    ...placementFields(args.platform, args.tolerations),
    ...(args.topologySpreadConstraints === undefined
      ? {}
      : { topologySpreadConstraints: [...args.topologySpreadConstraints] }),
    securityContext: {
      runAsNonRoot: !runAsRoot,
      runAsUser: runAsRoot ? 0 : NON_ROOT_UID,
      runAsGroup: runAsRoot ? 0 : NON_ROOT_UID,
      fsGroup: NON_ROOT_UID,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...(args.initContainers === undefined
      ? {}
      : {
          initContainers: args.initContainers.map((c) =>
            buildContainer(c, {}, runAsRoot, [], args.platform.registry),
          ),
        }),
    containers: args.containers.map((c, i) =>
      buildContainer(
        c,
        {
          livenessProbe: c.livenessProbe,
          readinessProbe: c.readinessProbe,
          ...(c.startupProbe === undefined ? {} : { startupProbe: c.startupProbe }),
        },
        runAsRoot,
        i === 0 ? hostMounts : [],
        args.platform.registry,
      ),
    ),
    volumes: [
      ...(args.volumes ?? []),
      ...all.flatMap((c) =>
        (c.scratchPaths ?? []).map((path) => ({
          name: scratchVolumeName(c.name, path),
          emptyDir: { sizeLimit: c.resources.limits.ephemeralStorage },
        })),
      ),
      ...(grant?.hostPaths ?? []).map((h, i) => ({
        name: `host-${i}`,
        hostPath: { path: h.path, type: h.type },
      })),
    ],
  };
}

/**
 * A pod template with the standard labels and a checksum annotation per config the pods read,
 * so that changing any of them rolls the pods; `annotations` adds others.
 */
export function podTemplate(
  id: WorkloadIdentity,
  spec: PodSpec,
  configs: Readonly<Record<string, pulumi.Input<string>>> = {},
  annotations: Readonly<Record<string, string>> = {},
): PodTemplateSpec {
  const known = Object.values(configs).every((config) => typeof config === "string");
  const all = known
    ? { ...checksumAnnotations(configs as Readonly<Record<string, string>>), ...annotations }
    : undefined;
  return {
    metadata: {
      labels: standardLabels(id),
      ...(all === undefined
        ? // A config built from a program's Outputs is hashed once they are known.
          { annotations: pulumi.all(configs).apply((c) => ({ ...checksumAnnotations(c), ...annotations })) }
        : Object.keys(all).length === 0
          ? {}
          : { annotations: all }),
    },
    spec,
  };
}
