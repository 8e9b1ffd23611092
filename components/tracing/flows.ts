import { StackConfig } from "../../config";
import {
  Endpoint,
  Flow,
  SpanReceiver,
  nodePortClients,
  objectStorage,
  tcp,
  toApiServer,
  workload,
} from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import { COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO } from "./names";
import { collectorTiered } from "./collectorTiers";

/** Who opens connections into the collectors and Tempo; each absent when not deployed. */
export interface TracingClients {
  /** Prometheus, which scrapes their metrics. */
  readonly scraper?: Endpoint;
  /** Grafana, which queries Tempo. */
  readonly querier?: Endpoint;
  /** The apps' namespaces, which send spans. */
  readonly apps: readonly Endpoint[];
  /** The namespaces whose Istio sidecars send spans to the Zipkin receiver (`mesh.istio`). @default none */
  readonly meshed?: readonly Endpoint[];
  /** Kiali, which queries Tempo for the traces of what it shows. */
  readonly meshConsole?: Endpoint;
}

/**
 * The collector that sees whole traces and writes them on: the aggregator when the collector runs
 * in two tiers, the gateway otherwise.
 */
export function traceWriter(config: StackConfig): Endpoint {
  const writer = collectorTiered(config.tracing) ? COLLECTOR_AGGREGATOR : COLLECTOR;
  return workload(config.namespaces.observability, writer.name);
}

/** The flows into the collectors and Tempo, and Tempo's to its object store. */
export function tracingFlows(config: StackConfig, clients: TracingClients): Flow[] {
  const obs = config.namespaces.observability;
  const collector = workload(obs, COLLECTOR.name);
  const aggregator = workload(obs, COLLECTOR_AGGREGATOR.name);
  const tempo = workload(obs, TEMPO.name);
  const tiered = collectorTiered(config.tracing);
  const { scraper, querier, meshConsole } = clients;
  const scrape = (to: Endpoint, ports: Flow["ports"], why: string): Flow[] =>
    scraper === undefined ? [] : [{ from: scraper, to, ports, why }];
  return [
    ...scrape(tempo, networkPorts(TEMPO, "http"), "Tempo's metrics"),
    ...scrape(collector, networkPorts(COLLECTOR, "metrics"), "the collector's metrics"),
    ...(tiered
      ? scrape(aggregator, networkPorts(COLLECTOR_AGGREGATOR, "metrics"), "the aggregators' metrics")
      : []),
    ...clients.apps.map(
      (app): Flow => ({
        from: app,
        to: collector,
        ports: networkPorts(COLLECTOR, "otlp-grpc", "otlp-http", "zipkin"),
        why: "spans (OTLP and Zipkin)",
      }),
    ),
    ...(clients.meshed ?? []).map(
      (namespace): Flow => ({
        from: namespace,
        to: collector,
        ports: networkPorts(COLLECTOR, "zipkin"),
        why: "Istio sidecars' spans (Zipkin)",
      }),
    ),
    ...(config.exposure.mode === "nodePort"
      ? [
          {
            from: nodePortClients("apps on the host", config.exposure),
            to: collector,
            ports: networkPorts(COLLECTOR, "otlp-http", "zipkin"),
            why: "spans",
          },
        ]
      : []),
    ...(tiered
      ? [
          {
            from: collector,
            to: aggregator,
            ports: networkPorts(COLLECTOR_AGGREGATOR, "otlp-grpc"),
            why: "spans, routed by trace ID",
          },
        ]
      : []),
    { from: traceWriter(config), to: tempo, ports: networkPorts(TEMPO, "otlp-grpc"), why: "sampled traces" },
    ...(config.storage.s3?.tempo === undefined
      ? []
      : [{ from: tempo, to: objectStorage(config.storage), ports: tcp(443), why: "blocks" }]),
    ...(querier === undefined
      ? []
      : [{ from: querier, to: tempo, ports: networkPorts(TEMPO, "http"), why: "queries" }]),
    ...(meshConsole === undefined
      ? []
      : [{ from: meshConsole, to: tempo, ports: networkPorts(TEMPO, "http"), why: "traces of the mesh" }]),
  ];
}

/** The namespaces whose sidecars send spans, as endpoints (none with `mesh.istio` off), but those `closed`. */
export function meshedNamespaces(
  config: Pick<StackConfig, "mesh">,
  closed: readonly string[] = [],
): Endpoint[] {
  return config.mesh.istio.enabled
    ? config.mesh.istio.namespaces
        .filter((namespace) => !closed.includes(namespace))
        .map((namespace): Endpoint => ({ kind: "namespace", namespace }))
    : [];
}

/** The collector's calls to the API server, for the k8s attributes of each span. */
export function tracingApiFlows(config: Pick<StackConfig, "namespaces" | "cluster">): Flow[] {
  return [
    toApiServer(config.cluster, workload(config.namespaces.observability, COLLECTOR.name), "k8s attributes"),
  ];
}

/** Where apps send spans: the collector's pods and their OTLP/HTTP and Zipkin ports. */
export function spanReceiver(config: Pick<StackConfig, "namespaces">): SpanReceiver {
  return {
    endpoint: workload(config.namespaces.observability, COLLECTOR.name),
    ports: { otlpHttp: networkPorts(COLLECTOR, "otlp-http"), zipkin: networkPorts(COLLECTOR, "zipkin") },
  };
}
