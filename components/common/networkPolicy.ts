import type * as k8s from "@pulumi/kubernetes";
import type { Port } from "./workloadSpec";
import { PART_OF, WorkloadIdentity, selectorLabels, standardLabels } from "./labels";

type NetworkPolicyArgs = k8s.networking.v1.NetworkPolicyArgs;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Metadata of a policy that applies to a whole namespace rather than one workload. */
export function namespacePolicyMetadata(name: string, namespace: string) {
  return {
    name,
    namespace,
    labels: { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" },
  };
}

/** Denies all ingress and egress to every pod of the namespace; allows are added per edge. */
export function defaultDenyPolicy(namespace: string): NetworkPolicyArgs {
  return {
    metadata: namespacePolicyMetadata("default-deny", namespace),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

/** Pods of a namespace, all or those with the given labels. */
export function podsIn(namespace: string, labels?: Record<string, string>): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    ...(labels === undefined ? {} : { podSelector: { matchLabels: labels } }),
  };
}

/**
 * Any address: the peer of the graph's `outside` endpoints and of host-network pods, which no pod
 * selector can name.
 */
export const ANY_CIDR = "0.0.0.0/0";
export const ANY_ADDRESS: NetworkPolicyPeer = { ipBlock: { cidr: ANY_CIDR } };

export interface PolicyRule {
  readonly peers: readonly NetworkPolicyPeer[];
  /** Empty means every port. */
  readonly ports: readonly Port[];
}

/**
 * A policy opening the listed flows for the selected pods; each direction it lists stays closed to
 * everything else.
 */
export function selectedPodsPolicy(args: {
  readonly metadata: NetworkPolicyArgs["metadata"];
  readonly podLabels: Record<string, string>;
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}): NetworkPolicyArgs {
  // An empty port list means every port, as in Kubernetes; it is left out rather than written as [].
  const ports = (r: PolicyRule) => (r.ports.length === 0 ? {} : { ports: [...r.ports] });
  // A direction in policyTypes with no rules is closed. Its empty rule list is left out too: the API
  // server stores [] as absent, so writing it would make every apply a change.
  const listed = (rules: readonly PolicyRule[] | undefined): rules is readonly PolicyRule[] =>
    rules !== undefined && rules.length > 0;
  return {
    metadata: args.metadata,
    spec: {
      podSelector: Object.keys(args.podLabels).length === 0 ? {} : { matchLabels: args.podLabels },
      policyTypes: [
        ...(args.ingress === undefined ? [] : ["Ingress"]),
        ...(args.egress === undefined ? [] : ["Egress"]),
      ],
      ...(listed(args.ingress)
        ? { ingress: args.ingress.map((r) => ({ from: [...r.peers], ...ports(r) })) }
        : {}),
      ...(listed(args.egress) ? { egress: args.egress.map((r) => ({ to: [...r.peers], ...ports(r) })) } : {}),
    },
  };
}

/** The policy of one workload's pods, named and labelled after it. */
export function allowPolicy(args: {
  readonly namespace: string;
  readonly workload: WorkloadIdentity;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}): NetworkPolicyArgs {
  return selectedPodsPolicy({
    metadata: { name: args.workload.name, namespace: args.namespace, labels: standardLabels(args.workload) },
    podLabels: selectorLabels(args.workload),
    ingress: args.ingress,
    egress: args.egress,
  });
}
