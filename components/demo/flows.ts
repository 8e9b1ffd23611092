import { StackConfig } from "../../config";
import { Endpoint, Flow, workload } from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import { COLLECTOR } from "../tracing/names";
import { DEMO_NAMESPACE, DEMO_SERVICES, demoWorkload } from "./names";

/** Who opens connections into the demo's services besides the services themselves. */
interface DemoClients {
  /** Prometheus, which scrapes them. */
  readonly scraper: Endpoint;
}

/**
 * The demo's flows, workload by workload: each service sends its spans to the collector on the
 * one receiver it uses, Prometheus scrapes it, and it calls the next service. None without the demo.
 */
export function demoFlows(config: StackConfig, clients: DemoClients): Flow[] {
  if (!config.demo.enabled) {
    return [];
  }
  const collector = workload(config.namespaces.observability, COLLECTOR.name);
  return DEMO_SERVICES.flatMap((service): Flow[] => {
    const self = workload(DEMO_NAMESPACE, service.name);
    const callee = DEMO_SERVICES.find((s) => s.name === service.calls);
    return [
      {
        from: self,
        to: collector,
        ports: networkPorts(COLLECTOR, service.traces === "zipkin" ? "zipkin" : "otlp-http"),
        why: `the demo's spans (${service.traces})`,
      },
      {
        from: clients.scraper,
        to: self,
        ports: networkPorts(demoWorkload(service), "http"),
        why: "the demo's metrics",
      },
      ...(callee === undefined
        ? []
        : [
            {
              from: self,
              to: workload(DEMO_NAMESPACE, callee.name),
              ports: networkPorts(demoWorkload(callee), "http"),
              why: "the demo's requests",
            },
          ]),
    ];
  });
}
