import { HOST_ACCESS_ALLOWLIST } from "./hostAccess";
import { Port } from "./workloadSpec";

export type { Port };

/** One end of a flow. */
export type Endpoint =
  /**
   * The pods of one of the stack's workloads, by `app.kubernetes.io/name`. A workload on the host
   * network has its nodes' addresses, which no pod selector matches: those `addresses` names (the
   * config's node CIDRs), else any.
   */
  | {
      readonly kind: "workload";
      readonly namespace: string;
      readonly name: string;
      readonly addresses?: readonly string[];
    }
  /** Every pod of a namespace: the apps, or all of the stack's pods for DNS. */
  | { readonly kind: "namespace"; readonly namespace: string }
  /**
   * Addresses no pod selector can name: the API server, node IPs (kubelet, host-network
   * agents), browsers and load balancers, and services outside the cluster. Any address unless
   * the config names them (CIDRs), or names networks they are not in (`except`).
   */
  | {
      readonly kind: "outside";
      readonly what: string;
      readonly addresses?: readonly string[];
      readonly except?: readonly string[];
    }
  /** The cluster DNS (CoreDNS, `k8s-app: kube-dns` in kube-system). */
  | { readonly kind: "clusterDns" };

/** A connection the stack needs: `from` opens it, `to` accepts it. */
export interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** Destination ports; empty means every port. */
  readonly ports: readonly Port[];
  readonly why: string;
}

export const tcp = (...ports: number[]): Port[] =>
  [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));

export const workload = (namespace: string, name: string): Endpoint => ({
  kind: "workload",
  namespace,
  name,
});
/** A workload on the host network, at the nodes' addresses `nodeCidrs` names, else any. */
export const hostNetworkWorkload = (
  namespace: string,
  name: string,
  nodeCidrs: readonly string[] | undefined,
): Endpoint =>
  nodeCidrs === undefined
    ? workload(namespace, name)
    : { kind: "workload", namespace, name, addresses: nodeCidrs };
export const outside = (what: string, addresses?: readonly string[]): Endpoint =>
  addresses === undefined ? { kind: "outside", what } : { kind: "outside", what, addresses };

/**
 * The load balancer in front of the UIs behind the Ingress, which connects to their pods themselves
 * (target type ip): from the subnets `exposure.ingress.loadBalancerCidrs` names, else any address.
 */
export const ingressLoadBalancer = (ingress: { readonly loadBalancerCidrs?: readonly string[] }): Endpoint =>
  outside("the Ingress load balancer", ingress.loadBalancerCidrs);

/**
 * What reaches a NodePort (kind maps each to 127.0.0.1): any address but the cluster's pods'
 * (`exposure.podCidrs`). kindnet matches a NetworkPolicy's addresses against pods' too, so a pod
 * reaches the workload only where a flow of its own admits it.
 */
export const nodePortClients = (who: string, exposure: { readonly podCidrs: readonly string[] }): Endpoint =>
  exposure.podCidrs.length === 0
    ? outside(`${who}, via NodePort`)
    : { kind: "outside", what: `${who}, via NodePort`, except: exposure.podCidrs };

/** An endpoint as people read it: a workload by namespace and name, an outside one with its networks. */
export function endpointText(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case "workload":
      return `${endpoint.namespace}/${endpoint.name}`;
    case "namespace":
      return `namespace ${endpoint.namespace}`;
    case "outside":
      return endpoint.addresses !== undefined
        ? `${endpoint.what} (${endpoint.addresses.join(", ")})`
        : endpoint.except !== undefined
          ? `${endpoint.what} (any address but ${endpoint.except.join(", ")})`
          : endpoint.what;
    case "clusterDns":
      return "the cluster DNS";
  }
}

/** A flow's ports as people read them. */
export const portsText = (ports: readonly Port[]): string =>
  ports.length === 0 ? "every port" : ports.map((p) => `${p.port}/${p.protocol}`).join(", ");

/** The flows one endpoint opens, e.g. `const scrape = flowsFrom(prometheus)`. */
export const flowsFrom =
  (from: Endpoint) =>
  (to: Endpoint, ports: readonly Port[], why: string): Flow => ({ from, to, ports, why });

/** Workloads on the host network: peers reach them at node IPs, which no pod selector matches. */
export function onHostNetwork(name: string): boolean {
  const grant = (HOST_ACCESS_ALLOWLIST as Record<string, { hostNetwork: boolean } | undefined>)[name];
  return grant?.hostNetwork ?? false;
}

/** The cluster's name resolution, on both protocols. */
export const DNS_PORTS: readonly Port[] = [
  { protocol: "TCP", port: 53 },
  { protocol: "UDP", port: 53 },
];

/**
 * Name resolution for each of a component's own workloads. A namespace of the stack resolves for
 * all its pods at once; a component deployed alone, maybe in a namespace it did not create, carries
 * its own.
 */
export const dnsFlows = (workloads: readonly Endpoint[]): Flow[] =>
  workloads.map((from) => ({ from, to: { kind: "clusterDns" }, ports: DNS_PORTS, why: "name resolution" }));

/**
 * A workload's calls to the API server (on EKS 443, on kind 6443), to the addresses
 * `cluster.apiServerCidrs` names, else any.
 */
export const toApiServer = (
  cluster: { readonly apiServerCidrs?: readonly string[] },
  from: Endpoint,
  why: string,
): Flow => ({
  from,
  to: outside("the Kubernetes API server", cluster.apiServerCidrs),
  ports: tcp(443, 6443),
  why,
});

/** S3 and STS, at the addresses `storage.endpointCidrs` names, else any. */
export const objectStorage = (storage: { readonly endpointCidrs?: readonly string[] }): Endpoint =>
  outside("S3 and STS", storage.endpointCidrs);

/** Every workload a list of flows names, once each. */
export function workloadsOf(flows: readonly Flow[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const endpoint of flows.flatMap((f) => [f.from, f.to])) {
    if (endpoint.kind === "workload") {
      seen.set(`${endpoint.namespace}/${endpoint.name}`, endpoint);
    }
  }
  return [...seen.values()];
}

/** A collector's pods and the ports of its OTLP/HTTP and Zipkin receivers: where workloads send spans. */
export interface SpanReceiver {
  readonly endpoint: Endpoint;
  readonly ports: { readonly otlpHttp: readonly Port[]; readonly zipkin: readonly Port[] };
}
