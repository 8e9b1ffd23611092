import { StackConfig } from "../../config";
import { Endpoint, Flow, outside, tcp, workload } from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import { ALLOY, LOKI, LOKI_CANARY } from "./names";
import { alloyNamespace } from "./alloyNamespace";

/** The other components' workloads that open connections into Loki and the log agent. */
interface LogsClients {
  /** Prometheus, which scrapes their metrics. */
  readonly scraper: Endpoint;
  /** Grafana, which queries Loki. */
  readonly querier: Endpoint;
}

/** The flows into Loki and the log agent, and Loki's to its object store. */
export function logsFlows(config: StackConfig, clients: LogsClients): Flow[] {
  const loki = workload(config.namespaces.observability, LOKI.name);
  const alloy = workload(alloyNamespace(config), ALLOY.name);
  const canary = workload(config.namespaces.observability, LOKI_CANARY.name);
  return [
    { from: clients.scraper, to: loki, ports: networkPorts(LOKI, "http"), why: "Loki's metrics" },
    { from: clients.scraper, to: alloy, ports: networkPorts(ALLOY, "http"), why: "the log agent's metrics" },
    { from: alloy, to: loki, ports: networkPorts(LOKI, "http"), why: "log push" },
    {
      from: clients.scraper,
      to: canary,
      ports: networkPorts(LOKI_CANARY, "http"),
      why: "the log canary's metrics",
    },
    { from: canary, to: loki, ports: networkPorts(LOKI, "http"), why: "the canary's tail and queries" },
    ...(config.storage.s3?.loki === undefined
      ? []
      : [{ from: loki, to: outside("S3 and STS"), ports: tcp(443), why: "chunks" }]),
    { from: clients.querier, to: loki, ports: networkPorts(LOKI, "http"), why: "queries" },
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
