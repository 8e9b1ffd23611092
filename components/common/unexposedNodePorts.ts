import type { StackConfig } from "../../config";

/** kube-apiserver's default `--service-node-port-range`, which kind and EKS keep. */
const NODE_PORT_RANGE = { first: 30000, size: 2768 };

/**
 * The ports at the bottom of the node port range that the API server draws a random node port from
 * only once the rest of the range is full (pkg/registry/core/service/portallocator,
 * calculateRangeOffset: min(max(16, size / 32), 128) ports; 30000-30085 by default).
 */
const STATIC_BAND = Math.min(Math.max(16, Math.floor(NODE_PORT_RANGE.size / 32)), 128);

/**
 * The ports of a NodePort Service that nobody outside the cluster is meant to reach: a NodePort
 * Service gives each of its ports a node port, and one the program leaves out the API server draws
 * at random from the whole range, where it can take a port `exposure.nodePorts` gives a Service
 * created later ("provided port is already allocated"). kind/cluster.yaml maps none of these to
 * the host, and the pods' NetworkPolicies admit them only from the pods that call them.
 */
const UNEXPOSED = ["otelCollectorOtlpGrpc", "otelCollectorMetrics", "kialiMetrics"] as const;
export type UnexposedNodePort = (typeof UNEXPOSED)[number];

/**
 * A node port for each unexposed port, from the static band: the lowest ports there the config
 * gives no Service, so random draws (which come from above the band) never take one, and a
 * configured port never clashes with one. Kiali's is set aside with the mesh off, so turning the
 * mesh on moves nothing.
 */
export function unexposedNodePorts(
  exposure: Pick<StackConfig["exposure"], "nodePorts">,
): Readonly<Record<UnexposedNodePort, number>> {
  const configured = new Set<number>(Object.values(exposure.nodePorts));
  const free = Array.from({ length: STATIC_BAND }, (_, i) => NODE_PORT_RANGE.first + i).filter(
    (port) => !configured.has(port),
  );
  return Object.fromEntries(UNEXPOSED.map((name, i) => [name, free[i]])) as Record<UnexposedNodePort, number>;
}
