import type * as k8s from "@pulumi/kubernetes";
import { WorkloadIdentity, selectorLabels } from "./labels";
import { objectMeta } from "./metadata";

export interface ServicePort {
  /** Also the container port name it targets. */
  readonly name: string;
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
  /** Exposes the port on every node (kind); the Service becomes type NodePort. */
  readonly nodePort?: number;
}

interface ServiceSpecArgs {
  readonly id: WorkloadIdentity;
  readonly namespace: string;
  /** @default the workload's name */
  readonly name?: string;
  readonly ports: readonly ServicePort[];
  /** No virtual IP: DNS returns the pods themselves (stable names for StatefulSet pods, discovery). */
  readonly headless?: boolean;
  /** Headless peers that must find each other before they are ready (gossip clusters). */
  readonly publishNotReadyAddresses?: boolean;
  /** Selects this one StatefulSet pod alone, by the label its controller gives each pod. */
  readonly pod?: string;
}

/** The label the StatefulSet controller puts on each of its pods: the pod's own name. */
export const STATEFULSET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

/**
 * A Service selecting a workload's pods, each port targeting the container port of the same name.
 * It carries no version label: a Service spans its pods' versions, and an update of a headless
 * Service can be recorded with the object from before the update (the Kubernetes provider's
 * Service await returns what its watch last saw), so an image change that relabelled it left a
 * change proposed after the up.
 */
export function serviceArgs(args: ServiceSpecArgs): k8s.core.v1.ServiceArgs {
  const nodePorts = args.ports.some((p) => p.nodePort !== undefined);
  // The API server would draw the missing ones at random (see unexposedNodePorts).
  const unpinned = args.ports.filter((p) => p.nodePort === undefined).map((p) => p.name);
  if (nodePorts && unpinned.length > 0) {
    throw new Error(
      `Service ${args.name ?? args.id.name}: a NodePort Service would get a random node port for ${unpinned.join(", ")}; give each port its node port`,
    );
  }
  return {
    metadata: objectMeta({ name: args.id.name, component: args.id.component }, args.namespace, args.name),
    spec: {
      ...(args.headless === true ? { clusterIP: "None" } : { type: nodePorts ? "NodePort" : "ClusterIP" }),
      ...(args.publishNotReadyAddresses === true ? { publishNotReadyAddresses: true } : {}),
      selector: {
        ...selectorLabels(args.id),
        ...(args.pod === undefined ? {} : { [STATEFULSET_POD_NAME_LABEL]: args.pod }),
      },
      ports: args.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.name,
        ...(p.protocol === undefined ? {} : { protocol: p.protocol }),
        ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort }),
      })),
    },
  };
}
