import { StackConfig } from "../../config";
import { Endpoint, Flow, objectStorage, tcp, toApiServer, workload } from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import { ALLOY, EVENT_COLLECTOR, LOKI, LOKI_CANARY } from "./names";
import { alloyNamespace } from "./alloyNamespace";

/** The other components' workloads that open connections into Loki and the log agent; each absent when not deployed. */
export interface LogsClients {
  /** Prometheus, which scrapes their metrics. */
  readonly scraper?: Endpoint;
  /** Grafana, which queries Loki. */
  readonly querier?: Endpoint;
}

/** The flows into Loki and the log agent, and Loki's to its object store. */
export function logsFlows(config: StackConfig, clients: LogsClients = {}): Flow[] {
  const loki = workload(config.namespaces.observability, LOKI.name);
  const alloy = workload(alloyNamespace(config), ALLOY.name);
  const canary = workload(config.namespaces.observability, LOKI_CANARY.name);
  const events = workload(config.namespaces.observability, EVENT_COLLECTOR.name);
  const { scraper, querier } = clients;
  return [
    ...(scraper === undefined
      ? []
      : [{ from: scraper, to: loki, ports: networkPorts(LOKI, "http"), why: "Loki's metrics" }]),
    ...(scraper === undefined
      ? []
      : [{ from: scraper, to: alloy, ports: networkPorts(ALLOY, "http"), why: "the log agent's metrics" }]),
    { from: alloy, to: loki, ports: networkPorts(LOKI, "http"), why: "log push" },
    ...(scraper === undefined
      ? []
      : [
          {
            from: scraper,
            to: canary,
            ports: networkPorts(LOKI_CANARY, "http"),
            why: "the log canary's metrics",
          },
        ]),
    { from: canary, to: loki, ports: networkPorts(LOKI, "http"), why: "the canary's tail and queries" },
    ...(config.logs.clusterEvents
      ? [
          { from: events, to: loki, ports: networkPorts(LOKI, "http"), why: "event push" },
          ...(scraper === undefined
            ? []
            : [
                {
                  from: scraper,
                  to: events,
                  ports: networkPorts(EVENT_COLLECTOR, "http"),
                  why: "the event collector's metrics",
                },
              ]),
        ]
      : []),
    ...(config.storage.s3?.loki === undefined
      ? []
      : [{ from: loki, to: objectStorage(config.storage), ports: tcp(443), why: "chunks" }]),
    ...(querier === undefined
      ? []
      : [{ from: querier, to: loki, ports: networkPorts(LOKI, "http"), why: "queries" }]),
    ...(config.logs.replicas > 1
      ? [
          {
            from: loki,
            to: loki,
            ports: networkPorts(LOKI, "grpc", "memberlist"),
            why: "ring gossip, replicated pushes and queries to the ingesters",
          },
        ]
      : []),
  ];
}

/** The log workloads' calls to the API server: pod discovery (and logs in api mode), events, a replica's zone. */
export function logsApiFlows(config: Pick<StackConfig, "namespaces" | "logs" | "cluster">): Flow[] {
  return [
    toApiServer(
      config.cluster,
      workload(alloyNamespace(config), ALLOY.name),
      "pod discovery (and logs in api mode)",
    ),
    ...(config.logs.clusterEvents
      ? [
          toApiServer(
            config.cluster,
            workload(config.namespaces.observability, EVENT_COLLECTOR.name),
            "the cluster's events",
          ),
        ]
      : []),
    ...(config.logs.replicas > 1
      ? [toApiServer(config.cluster, workload(config.namespaces.observability, LOKI.name), "its node's zone")]
      : []),
  ];
}

/** Loki's pods (its ruler among them), as NetworkPolicies name them. */
export const lokiEndpoint = (config: Pick<StackConfig, "namespaces">): Endpoint =>
  workload(config.namespaces.observability, LOKI.name);
