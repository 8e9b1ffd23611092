import * as k8s from "@pulumi/kubernetes";
import { PART_OF, WorkloadIdentity, selectorLabels, standardLabels } from "./labels";

type NetworkPolicyArgs = k8s.networking.v1.NetworkPolicyArgs;
type NetworkPolicyPort = k8s.types.input.networking.v1.NetworkPolicyPort;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

function metadata(name: string, namespace: string) {
  return {
    name,
    namespace,
    labels: { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" },
  };
}

/** Denies all ingress and egress to every pod of the namespace; allows are added per edge. */
export function defaultDenyPolicy(namespace: string): NetworkPolicyArgs {
  return {
    metadata: metadata("default-deny", namespace),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

const DNS_PORTS: NetworkPolicyPort[] = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

/** Every pod may resolve names through the cluster DNS (CoreDNS in kube-system), and nothing else. */
export function dnsEgressPolicy(namespace: string): NetworkPolicyArgs {
  return {
    metadata: metadata("allow-dns-egress", namespace),
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: DNS_PORTS,
        },
      ],
    },
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
 * Any address. Used only where the peer has no pod labels to select: the API server, node IPs
 * (kubelet, host-network agents), NodePort clients and external receivers.
 */
export const ANY_ADDRESS: NetworkPolicyPeer = { ipBlock: { cidr: "0.0.0.0/0" } };

export function tcp(...ports: number[]): NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: "TCP", port }));
}

export interface PolicyRule {
  readonly peers: readonly NetworkPolicyPeer[];
  readonly ports: readonly NetworkPolicyPort[];
}

/** Opens the listed flows for a workload's pods; both directions stay closed to everything else. */
export function allowPolicy(args: {
  readonly name: string;
  readonly namespace: string;
  readonly workload: WorkloadIdentity;
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
}): NetworkPolicyArgs {
  // An empty port list means every port, as in Kubernetes; it is left out rather than written as [].
  const ports = (r: PolicyRule) => (r.ports.length === 0 ? {} : { ports: [...r.ports] });
  return {
    metadata: { name: args.name, namespace: args.namespace, labels: standardLabels(args.workload) },
    spec: {
      podSelector: { matchLabels: selectorLabels(args.workload) },
      policyTypes: [
        ...(args.ingress === undefined ? [] : ["Ingress"]),
        ...(args.egress === undefined ? [] : ["Egress"]),
      ],
      ...(args.ingress === undefined
        ? {}
        : { ingress: args.ingress.map((r) => ({ from: [...r.peers], ...ports(r) })) }),
      ...(args.egress === undefined
        ? {}
        : { egress: args.egress.map((r) => ({ to: [...r.peers], ...ports(r) })) }),
    },
  };
}
