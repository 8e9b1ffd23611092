import { StackConfig } from "../../config";
import { Endpoint, Flow, SpanReceiver, workload } from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import { DEMO_NAMESPACE, DEMO_SERVICES, demoWorkload } from "./names";

/** Who the demo's services connect to, and who connects to them besides the services themselves. */
export interface DemoPeers {
  /** The collector they send spans to. */
  readonly collector: SpanReceiver;
  /** Prometheus, which scrapes them; absent when not deployed. */
  readonly scraper?: Endpoint;
}

/**
 * The demo's flows, workload by workload: each service sends its spans to the collector on the
 * one receiver it uses, Prometheus scrapes it, and it calls the next service. None without the demo.
 */
export function demoFlows(config: Pick<StackConfig, "demo">, peers: DemoPeers): Flow[] {
  if (!config.demo.enabled) {
    return [];
  }
  const { collector, scraper } = peers;
  return DEMO_SERVICES.flatMap((service): Flow[] => {
    const self = workload(DEMO_NAMESPACE, service.name);
    const callee = DEMO_SERVICES.find((s) => s.name === service.calls);
    return [
      {
        from: self,
        to: collector.endpoint,
        ports: service.traces === "zipkin" ? collector.ports.zipkin : collector.ports.otlpHttp,
        why: `the demo's spans (${service.traces})`,
      },
      ...(scraper === undefined
        ? []
        : [
            {
              from: scraper,
              to: self,
              ports: networkPorts(demoWorkload(service), "http"),
              why: "the demo's metrics",
            },
          ]),
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
