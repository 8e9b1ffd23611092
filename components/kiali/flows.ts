import { StackConfig } from "../../config";
import { Endpoint, Flow, ingressLoadBalancer, nodePortClients, toApiServer, workload } from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import { KIALI } from "./names";

/** Who opens connections into Kiali besides people; absent when not deployed. */
export interface KialiClients {
  /** Prometheus, which scrapes its metrics. */
  readonly scraper?: Endpoint;
}

/** Kiali's pods, as NetworkPolicies name them. */
export const kialiEndpoint = (config: Pick<StackConfig, "namespaces">): Endpoint =>
  workload(config.namespaces.observability, KIALI.name);

/** Whether Kiali runs: with `mesh.istio` on and its `kiali` not turned off. */
export const kialiRuns = (config: Pick<StackConfig, "mesh">): boolean =>
  config.mesh.istio.enabled && config.mesh.istio.kiali;

/**
 * The flows into Kiali: people, through the NodePort or the Ingress (none on eks without
 * `exposure.ingress.kiali`: a port-forward then), and its scraper. Its queries to the backends are
 * declared by each backend.
 */
export function kialiFlows(
  config: Pick<StackConfig, "namespaces" | "exposure">,
  clients: KialiClients = {},
): Flow[] {
  const kiali = kialiEndpoint(config);
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const people =
    config.exposure.mode === "nodePort"
      ? nodePortClients("browsers", config.exposure)
      : ingress?.kiali === undefined
        ? undefined
        : ingressLoadBalancer(ingress);
  return [
    ...(people === undefined
      ? []
      : [{ from: people, to: kiali, ports: networkPorts(KIALI, "http"), why: "UI" }]),
    ...(clients.scraper === undefined
      ? []
      : [
          {
            from: clients.scraper,
            to: kiali,
            ports: networkPorts(KIALI, "http-metrics"),
            why: "Kiali's metrics",
          },
        ]),
  ];
}

/**
 * Kiali's calls to the API server: the objects and Istio config of the namespaces it reads, and
 * istiod's and the sidecars' debug endpoints, which it reaches by port-forward.
 */
export const kialiApiFlows = (config: Pick<StackConfig, "namespaces" | "cluster">): Flow[] => [
  toApiServer(
    config.cluster,
    kialiEndpoint(config),
    "the meshed namespaces' objects and Istio config; istiod and Envoy by port-forward",
  ),
];
