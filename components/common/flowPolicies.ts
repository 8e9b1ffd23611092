import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "./labels";
import {
  ANY_ADDRESS,
  ANY_CIDR,
  PolicyRule,
  allowPolicy,
  namespacePolicyMetadata,
  podsIn,
  selectedPodsPolicy,
} from "./networkPolicy";
import { Endpoint, Flow, onHostNetwork } from "./flow";

type NetworkPolicyArgs = k8s.networking.v1.NetworkPolicyArgs;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

const CLUSTER_DNS: NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

/** How a NetworkPolicy names an endpoint of the graph. */
function peersOf(endpoint: Endpoint): NetworkPolicyPeer[] {
  switch (endpoint.kind) {
    case "workload":
      // A host-network pod has its node's IP, which no pod selector matches.
      if (!onHostNetwork(endpoint.name)) {
        return [podsIn(endpoint.namespace, { "app.kubernetes.io/name": endpoint.name })];
      }
      return endpoint.addresses?.map((cidr) => ({ ipBlock: { cidr } })) ?? [ANY_ADDRESS];
    case "namespace":
      return [podsIn(endpoint.namespace)];
    case "outside":
      return endpoint.addresses !== undefined
        ? endpoint.addresses.map((cidr) => ({ ipBlock: { cidr } }))
        : endpoint.except !== undefined
          ? [{ ipBlock: { cidr: ANY_CIDR, except: [...endpoint.except] } }]
          : [ANY_ADDRESS];
    case "clusterDns":
      return [CLUSTER_DNS];
  }
}

/** One rule per distinct port list, its peers in the order the graph lists them, without repeats. */
function rules(peers: readonly { readonly endpoint: Endpoint; readonly flow: Flow }[]): PolicyRule[] {
  const byPorts = new Map<string, { ports: Flow["ports"]; peers: NetworkPolicyPeer[] }>();
  for (const { endpoint, flow } of peers) {
    const key = JSON.stringify(flow.ports);
    const rule = byPorts.get(key) ?? { ports: flow.ports, peers: [] };
    for (const peer of peersOf(endpoint)) {
      if (!rule.peers.some((p) => JSON.stringify(p) === JSON.stringify(peer))) {
        rule.peers.push(peer);
      }
    }
    byPorts.set(key, rule);
  }
  return [...byPorts.values()];
}

const isWorkload = (endpoint: Endpoint, namespace: string, name: string) =>
  endpoint.kind === "workload" && endpoint.namespace === namespace && endpoint.name === name;

/**
 * The NetworkPolicy of one workload: exactly the graph's flows into and out of its pods; none for
 * a workload the graph does not name.
 */
function workloadPolicy(
  flows: readonly Flow[],
  namespace: string,
  id: WorkloadIdentity,
): NetworkPolicyArgs | undefined {
  const inbound = flows.filter((f) => isWorkload(f.to, namespace, id.name));
  const outbound = flows.filter((f) => isWorkload(f.from, namespace, id.name));
  if (inbound.length === 0 && outbound.length === 0) {
    return undefined;
  }
  return allowPolicy({
    namespace,
    workload: id,
    ingress: rules(inbound.map((flow) => ({ endpoint: flow.from, flow }))),
    egress: rules(outbound.map((flow) => ({ endpoint: flow.to, flow }))),
  });
}

/**
 * A policy in a workload's namespace admitting one flow into its pods, named `name`: the side of a
 * flow whose workload another component deploys, which the connecting component registers.
 */
export function admissionPolicy(flow: Flow, name: string): NetworkPolicyArgs {
  if (flow.to.kind !== "workload") {
    throw new Error(`an admission is into a workload's pods, not into ${flow.to.kind}`);
  }
  return selectedPodsPolicy({
    metadata: namespacePolicyMetadata(name, flow.to.namespace),
    podLabels: { "app.kubernetes.io/name": flow.to.name },
    ingress: rules([{ endpoint: flow.from, flow }]),
  });
}

/** Name resolution for every pod of one of the stack's namespaces, as the graph declares it. */
export function dnsEgressPolicy(flows: readonly Flow[], namespace: string): NetworkPolicyArgs {
  const outbound = flows.filter(
    (f) => f.from.kind === "namespace" && f.from.namespace === namespace && f.to.kind === "clusterDns",
  );
  return selectedPodsPolicy({
    metadata: namespacePolicyMetadata("allow-dns-egress", namespace),
    podLabels: {},
    egress: rules(outbound.map((flow) => ({ endpoint: flow.to, flow }))),
  });
}

/**
 * Registers a workload's NetworkPolicy from the graph. A workload the graph does not name would be
 * cut off by the namespace's default deny: that is an error of the component deploying it.
 */
export function deployWorkloadPolicy(
  name: string,
  flows: readonly Flow[],
  namespace: string,
  id: WorkloadIdentity,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy {
  const policy = workloadPolicy(flows, namespace, id);
  if (policy === undefined) {
    throw new pulumi.ResourceError(
      `${namespace}/${id.name} is not in the wiring graph: no flow of its component (flows.ts) names it`,
      opts.parent,
    );
  }
  return new k8s.networking.v1.NetworkPolicy(name, policy, opts);
}
