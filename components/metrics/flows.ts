import { StackConfig } from "../../config";
import { Endpoint, Flow, flowsFrom, outside, tcp, workload } from "../common/flow";
import { networkPorts } from "../common/workloadSpec";
import {
  ALERTMANAGER,
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  NODE_EXPORTER,
  PROMETHEUS,
  THANOS_QUERY,
} from "./names";
import { thanosQueryRuns } from "./queryEndpoint";
import { datastoreExporters } from "./datastores";
import { notificationPorts } from "./notificationPorts";

/** The other components' workloads that open connections into the metrics workloads. */
interface MetricsClients {
  /** Loki's ruler, which sends log alerts. */
  readonly logRuler: Endpoint;
  /** The collector that writes span and service-graph metrics. */
  readonly traceWriter: Endpoint;
  /** Grafana, which queries Prometheus and Alertmanager. */
  readonly querier: Endpoint;
}

/**
 * The flows into Prometheus, Alertmanager, the exporters and the monitor scraper, and the ones they
 * open to addresses outside the cluster.
 */
export function metricsFlows(config: StackConfig, clients: MetricsClients): Flow[] {
  const obs = config.namespaces.observability;
  const prometheus = workload(obs, PROMETHEUS.name);
  const alertmanager = workload(obs, ALERTMANAGER.name);
  const kubeStateMetrics = workload(obs, KUBE_STATE_METRICS.name);
  const nodeExporter = workload(config.namespaces.node, NODE_EXPORTER.name);
  const monitorScraper = workload(obs, MONITOR_SCRAPER.name);
  const datastores = datastoreExporters(config.metrics);
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const notifying = notificationPorts(config.alerting);
  const scrape = flowsFrom(prometheus);
  const thanosQuery = workload(obs, THANOS_QUERY.name);
  const thanos = thanosQueryRuns(config.metrics);
  // Where queries land: Thanos Query over several replicas, the one replica otherwise.
  const queried = thanos
    ? { to: thanosQuery, ports: networkPorts(THANOS_QUERY, "http") }
    : { to: prometheus, ports: networkPorts(PROMETHEUS, "http") };

  return [
    scrape(prometheus, networkPorts(PROMETHEUS, "http"), "self-scrape, and the other replica's metrics"),
    scrape(alertmanager, networkPorts(ALERTMANAGER, "http"), "alerts and Alertmanager's metrics"),
    scrape(kubeStateMetrics, networkPorts(KUBE_STATE_METRICS, "http-metrics", "telemetry"), "object state"),
    scrape(nodeExporter, networkPorts(NODE_EXPORTER, "http-metrics"), "node metrics"),
    ...datastores.map((e) =>
      scrape(workload(obs, e.spec.name), networkPorts(e.spec), `${e.spec.name} metrics`),
    ),
    ...(thanos
      ? [
          scrape(thanosQuery, networkPorts(THANOS_QUERY, "http"), "Thanos Query's metrics"),
          {
            from: thanosQuery,
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "sidecar-grpc"),
            why: "each replica's samples, through its Thanos sidecar",
          },
        ]
      : []),
    ...(config.metrics.prometheusOperatorMonitors.enabled
      ? [
          scrape(monitorScraper, networkPorts(MONITOR_SCRAPER, "http"), "the monitor scraper's metrics"),
          {
            from: monitorScraper,
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "http"),
            why: "monitor targets' samples, remote-written",
          },
        ]
      : []),
    ...(config.metrics.remoteWrite === undefined
      ? []
      : [
          {
            from: prometheus,
            to: outside("Amazon Managed Prometheus"),
            ports: tcp(443),
            why: "remote write",
          },
        ]),
    ...(config.exposure.mode === "nodePort"
      ? [
          {
            from: outside("the host, via NodePort"),
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "http"),
            why: "UI",
          },
        ]
      : []),
    // Target type ip: the load balancer connects to the pods themselves, from the VPC.
    ...(ingress?.prometheus === undefined
      ? []
      : [
          {
            from: outside("the Ingress load balancer"),
            ...queried,
            why: "UI, authenticated by the load balancer",
          },
        ]),
    ...(ingress?.alertmanager === undefined
      ? []
      : [
          {
            from: outside("the Ingress load balancer"),
            to: alertmanager,
            ports: networkPorts(ALERTMANAGER, "http"),
            why: "UI, authenticated by the load balancer",
          },
        ]),
    ...(config.metrics.alertmanagerReplicas > 1
      ? [
          {
            from: alertmanager,
            to: alertmanager,
            ports: networkPorts(ALERTMANAGER, "mesh-tcp", "mesh-udp"),
            why: "HA gossip",
          },
        ]
      : []),
    // No receiver, no egress: an empty port list would open every port.
    ...(notifying.length === 0
      ? []
      : [
          {
            from: alertmanager,
            to: outside("the receivers"),
            ports: tcp(...notifying),
            why: "notifications",
          },
        ]),
    ...datastores.map(
      (e): Flow => ({
        from: workload(obs, e.spec.name),
        to: outside(`the datastore ${e.spec.name} watches`),
        ports: tcp(e.targetPort),
        why: "datastore statistics",
      }),
    ),
    {
      from: clients.logRuler,
      to: alertmanager,
      ports: networkPorts(ALERTMANAGER, "http"),
      why: "log alerts from the ruler",
    },
    {
      from: clients.traceWriter,
      to: prometheus,
      ports: networkPorts(PROMETHEUS, "http"),
      why: "span and service-graph metrics",
    },
    { from: clients.querier, ...queried, why: "queries" },
    { from: clients.querier, to: alertmanager, ports: networkPorts(ALERTMANAGER, "http"), why: "queries" },
  ];
}
