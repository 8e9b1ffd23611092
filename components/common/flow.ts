import { HOST_ACCESS_ALLOWLIST } from "./hostAccess";
import { Port } from "./workloadSpec";

export type { Port };

/** One end of a flow. */
export type Endpoint =
  /** The pods of one of the stack's workloads, by `app.kubernetes.io/name`. */
  | { readonly kind: "workload"; readonly namespace: string; readonly name: string }
  /** Every pod of a namespace: the apps, or all of the stack's pods for DNS. */
  | { readonly kind: "namespace"; readonly namespace: string }
  /**
   * Addresses no pod selector can name: the API server, node IPs (kubelet, host-network
   * agents), browsers and load balancers, and services outside the cluster.
   */
  | { readonly kind: "outside"; readonly what: string }
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
export const outside = (what: string): Endpoint => ({ kind: "outside", what });

/** The flows one endpoint opens, e.g. `const scrape = flowsFrom(prometheus)`. */
export const flowsFrom =
  (from: Endpoint) =>
  (to: Endpoint, ports: readonly Port[], why: string): Flow => ({ from, to, ports, why });

/** Workloads on the host network: peers reach them at node IPs, which no pod selector matches. */
export function onHostNetwork(name: string): boolean {
  const grant = (HOST_ACCESS_ALLOWLIST as Record<string, { hostNetwork: boolean } | undefined>)[name];
  return grant?.hostNetwork ?? false;
}
