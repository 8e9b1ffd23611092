import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { isolatedDirections, selectorMatches } from "./networkPolicyCoverage";

export interface Connection {
  readonly protocol: "TCP" | "UDP";
  readonly port: number;
}

/**
 * One side of a connection: a pod that NetworkPolicies select by labels, or an address they can
 * only name by CIDR (outside the cluster, a node, or a host-network pod).
 */
export type Party =
  | {
      readonly kind: "pod";
      readonly namespace: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly ip: string;
    }
  | { readonly kind: "address"; readonly ip: string };

function ipv4ToNumber(ip: string): number {
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return octets.reduce((n, o) => n * 256 + o, 0);
}

/** An address outside the cluster and outside any network the stack names (TEST-NET-3). */
export const ADDRESS_ELSEWHERE: Party = { kind: "address", ip: "203.0.113.10" };

/** Whether the IPv4 network `cidr` holds `ip`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToNumber(base) / size) * size;
  const address = ipv4ToNumber(ip);
  return address >= start && address < start + size;
}

/**
 * Whether a policy peer matches a party. An ipBlock is taken to match pod IPs too: the API leaves
 * that to the network plugin, and several (Calico among them) do, so a test built on this
 * evaluator errs towards "allowed".
 */
function peerMatches(
  peer: INetworkPolicyPeer,
  party: Party,
  policyNamespace: string,
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>>,
): boolean {
  if (peer.ipBlock !== undefined) {
    return (
      cidrContains(peer.ipBlock.cidr, party.ip) &&
      !(peer.ipBlock.except ?? []).some((cidr) => cidrContains(cidr, party.ip))
    );
  }
  if (party.kind !== "pod") {
    return false;
  }
  const namespaceOk =
    peer.namespaceSelector === undefined
      ? party.namespace === policyNamespace
      : selectorMatches(peer.namespaceSelector, namespaceLabels(party.namespace));
  return namespaceOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, party.labels));
}

function portMatches(port: INetworkPolicyPort, connection: Connection): boolean {
  if ((port.protocol ?? "TCP") !== connection.protocol) {
    return false;
  }
  if (port.port === undefined) {
    return true;
  }
  if (typeof port.port === "string") {
    throw new Error(`named port ${port.port}: the stack's policies use port numbers only`);
  }
  return connection.port >= port.port && connection.port <= (port.endPort ?? port.port);
}

/** Kubernetes semantics for one end: isolated only if some policy selects it for that direction. */
function directionAllows(
  policies: readonly INetworkPolicy[],
  direction: "Ingress" | "Egress",
  subject: Party,
  peer: Party,
  connection: Connection,
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>>,
): boolean {
  if (subject.kind !== "pod") {
    return true;
  }
  const selecting = policies.filter(
    (p) =>
      p.metadata?.namespace === subject.namespace &&
      selectorMatches(p.spec?.podSelector ?? {}, subject.labels) &&
      isolatedDirections(p).has(direction),
  );
  if (selecting.length === 0) {
    return true;
  }
  return selecting.some((policy) => {
    const rules =
      direction === "Ingress"
        ? (policy.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
        : (policy.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some(
      (rule) =>
        (rule.peers === undefined ||
          rule.peers.length === 0 ||
          rule.peers.some((candidate) =>
            peerMatches(candidate, peer, policy.metadata?.namespace ?? "", namespaceLabels),
          )) &&
        (rule.ports === undefined ||
          rule.ports.length === 0 ||
          rule.ports.some((p) => portMatches(p, connection))),
    );
  });
}

/** Whether the policies let `from` open `connection` to `to`: egress at one end, ingress at the other. */
export function connectionAllowed(
  policies: readonly INetworkPolicy[],
  from: Party,
  to: Party,
  connection: Connection,
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>> = (namespace) => ({
    "kubernetes.io/metadata.name": namespace,
  }),
): boolean {
  return (
    directionAllows(policies, "Egress", from, to, connection, namespaceLabels) &&
    directionAllows(policies, "Ingress", to, from, connection, namespaceLabels)
  );
}
