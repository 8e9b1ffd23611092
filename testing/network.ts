import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import {
  ADDRESS_ELSEWHERE,
  Connection,
  Party,
  cidrContains,
  connectionAllowed,
} from "../checks/networkReachability";
import { renderedPods } from "../checks/podSpecs";
import { Endpoint, Flow, onHostNetwork } from "../components/common/flow";
import { ANY_CIDR } from "../components/common/networkPolicy";
import { isIPv4 } from "net";
import { KubeObject } from "../render/manifest";

/** A party of the network test, with the name it is reported by. */
export interface NamedParty {
  readonly name: string;
  readonly party: Party;
  /** The workload it runs, for pods and host-network pods of the stack. */
  readonly workload?: { readonly namespace: string; readonly name: string };
}

export const OUTSIDE: NamedParty = { name: "outside", party: ADDRESS_ELSEWHERE };
const NODE_IP = "172.18.0.2";
const KUBE_DNS: NamedParty = {
  name: "kube-system/kube-dns",
  party: { kind: "pod", namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ip: "10.244.9.2" },
};

/** An address in each network a rendered NetworkPolicy names besides any address (a load balancer's subnets). */
function addressesInNamedNetworks(objects: readonly KubeObject[]): NamedParty[] {
  const cidrs = new Set(
    networkPolicies(objects).flatMap((policy) =>
      [
        ...(policy.spec?.ingress ?? []).flatMap((r) => r.from ?? []),
        ...(policy.spec?.egress ?? []).flatMap((r) => r.to ?? []),
      ]
        // Any address, with exceptions or without, is the evaluator's outside party.
        .filter((peer) => peer.ipBlock?.cidr !== ANY_CIDR)
        .flatMap((peer) => (peer.ipBlock === undefined ? [] : [peer.ipBlock.cidr]))
        // The evaluator reads IPv4 only.
        .filter((cidr) => isIPv4(cidr.split("/")[0])),
    ),
  );
  return [...cidrs].map((cidr) => ({
    name: `an address in ${cidr}`,
    party: { kind: "address", ip: tenthAddress(cidr) },
  }));
}

/** The tenth address of a network (its first when it holds fewer). */
export function tenthAddress(cidr: string): string {
  const [base, bits] = cidr.split("/");
  const octets = base.split(".").map(Number);
  octets[3] += Number(bits) <= 28 ? 10 : 0;
  return octets.join(".");
}

/** The nodes' networks as the flows name them, at a host-network workload's end; none where they do not. */
export function nodeNetworks(flows: readonly Flow[]): readonly string[] | undefined {
  for (const endpoint of flows.flatMap((f) => [f.from, f.to])) {
    if (endpoint.kind === "workload" && endpoint.addresses !== undefined) return endpoint.addresses;
  }
  return undefined;
}

/**
 * Everyone who could open a connection: each rendered pod (a host-network pod at its node's IP, in
 * the first of `nodeCidrs` where the config names the nodes' networks), a sample app pod per app
 * namespace, the cluster DNS, an address outside the cluster, and one in each network the rendered
 * policies name.
 */
export function networkParties(
  objects: readonly KubeObject[],
  appNamespaces: readonly string[],
  nodeCidrs?: readonly string[],
): NamedParty[] {
  const nodeIp = nodeCidrs === undefined ? NODE_IP : tenthAddress(nodeCidrs[0]);
  const pods = renderedPods(objects).map((pod, i): NamedParty => {
    const name = pod.labels["app.kubernetes.io/name"];
    const workload = { namespace: pod.namespace, name };
    return pod.spec.hostNetwork === true
      ? { name: `${pod.namespace}/${name}`, party: { kind: "address", ip: nodeIp }, workload }
      : {
          name: `${pod.namespace}/${name}`,
          party: { kind: "pod", namespace: pod.namespace, labels: pod.labels, ip: `10.244.0.${i + 2}` },
          workload,
        };
  });
  const apps = appNamespaces.map(
    (namespace, i): NamedParty => ({
      name: `${namespace}/an-app`,
      party: { kind: "pod", namespace, labels: { app: "an-app" }, ip: `10.244.1.${i + 2}` },
    }),
  );
  return [...pods, ...apps, KUBE_DNS, OUTSIDE, ...addressesInNamedNetworks(objects)];
}

/** The party of that name; an error naming those there are when there is none. */
export function partyNamed(parties: readonly NamedParty[], name: string): NamedParty {
  const found = parties.find((p) => p.name === name);
  if (found === undefined) {
    throw new Error(`no party ${name}; have ${parties.map((p) => p.name).join(", ")}`);
  }
  return found;
}

/**
 * Whether an `outside` or host-network endpoint's addresses (any, unless it names them or those it
 * is not in) hold the party's.
 */
const within = (
  endpoint: { readonly addresses?: readonly string[]; readonly except?: readonly string[] },
  p: NamedParty,
) =>
  (endpoint.addresses === undefined || endpoint.addresses.some((cidr) => cidrContains(cidr, p.party.ip))) &&
  !(endpoint.except ?? []).some((cidr) => cidrContains(cidr, p.party.ip));

/** The parties a graph endpoint stands for. */
export function partiesOf(endpoint: Endpoint, parties: readonly NamedParty[]): NamedParty[] {
  return parties.filter((p) => {
    switch (endpoint.kind) {
      case "workload":
        return p.workload?.namespace === endpoint.namespace && p.workload.name === endpoint.name;
      case "namespace":
        return p.party.kind === "pod" && p.party.namespace === endpoint.namespace;
      case "outside":
        return p.workload === undefined && p.party.kind === "address" && within(endpoint, p);
      case "clusterDns":
        return p === KUBE_DNS;
    }
  });
}

/** The connections a flow stands for: its ports, or a sample port when it allows every port. */
export function connectionsOf(flow: Flow): Connection[] {
  return flow.ports.length === 0 ? [{ protocol: "TCP", port: 8080 }] : [...flow.ports];
}

/**
 * What the graph means, one end at a time, the way Kubernetes enforces it: a pod of the stack's
 * namespaces sends only what a flow from it allows and accepts only what a flow to it allows.
 * A flow's far end covers what its NetworkPolicy peer would match: an `outside` end (its networks
 * where it names them), and a host-network workload (its nodes' networks where the config names
 * them), are any address, pods included (the evaluator's worst case).
 */
export function graphAllows(
  flows: readonly Flow[],
  stackNamespaces: readonly string[],
  from: NamedParty,
  to: NamedParty,
  connection: Connection,
): boolean {
  const managed = (p: NamedParty) => p.party.kind === "pod" && stackNamespaces.includes(p.party.namespace);
  const is = (endpoint: Endpoint, p: NamedParty) =>
    (endpoint.kind === "workload" || endpoint.kind === "namespace") && partiesOf(endpoint, [p]).length === 1;
  const covers = (endpoint: Endpoint, p: NamedParty) =>
    (endpoint.kind === "outside" && within(endpoint, p)) ||
    (endpoint.kind === "workload" && onHostNetwork(endpoint.name) && within(endpoint, p)) ||
    partiesOf(endpoint, [p]).length === 1;
  const portIn = (f: Flow) =>
    f.ports.length === 0 ||
    f.ports.some((p) => p.protocol === connection.protocol && p.port === connection.port);
  const sends = !managed(from) || flows.some((f) => is(f.from, from) && covers(f.to, to) && portIn(f));
  const accepts = !managed(to) || flows.some((f) => is(f.to, to) && covers(f.from, from) && portIn(f));
  return sends && accepts;
}

export function networkPolicies(objects: readonly KubeObject[]): INetworkPolicy[] {
  return objects.filter((o) => o.kind === "NetworkPolicy") as unknown as INetworkPolicy[];
}

/** A TCP connection from one party to another, each by name (`namespace/workload`), on a port. */
export type NamedConnection = readonly [from: string, to: string, port: number];

/** Those of `connections` the rendered NetworkPolicies do not allow. */
export function blockedConnections(
  objects: readonly KubeObject[],
  appNamespaces: readonly string[],
  connections: readonly NamedConnection[],
): NamedConnection[] {
  const parties = networkParties(objects, appNamespaces);
  const policies = networkPolicies(objects);
  return connections.filter(
    ([from, to, port]) =>
      !connectionAllowed(policies, partyNamed(parties, from).party, partyNamed(parties, to).party, {
        protocol: "TCP",
        port,
      }),
  );
}
