import { StackConfig } from "../../config";
import { clusterServiceNamespace } from "../../config/scrapeTargets";
import { Endpoint, Flow, Port, outside, tcp, workload } from "../common/flow";
import { portOfAddress, portOfUrl } from "../common/serviceUrl";
import { networkPorts } from "../common/workloadSpec";
import { DEMO_NAMESPACE, DEMO_SERVICES, demoWorkload } from "../demo/names";
import { GRAFANA } from "../grafana/names";
import { ALLOY, LOKI, alloyNamespace } from "../logs/names";
import {
  ALERTMANAGER,
  COREDNS_METRICS_PORT,
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  NODE_EXPORTER,
  PROMETHEUS,
  datastoreExporters,
  notificationPorts,
} from "../metrics/names";
import { COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO, collectorTiered } from "../tracing/names";

const tcpAndUdp = (port: number): Port[] => [
  { protocol: "TCP", port },
  { protocol: "UDP", port },
];

const API_SERVER = outside("the Kubernetes API server");
const API_SERVER_PORTS = tcp(443, 6443);

/**
 * Where the teams' extra scrape jobs connect: each discovery's namespaces on its `ports` (every
 * port when it names none, as discovery finds them), each static target's Service namespace or,
 * for any other host, outside the cluster, on the target's port.
 */
function extraScrapeFlows(
  jobs: StackConfig["metrics"]["extraScrapeConfigs"],
): { to: Endpoint; ports: Port[]; why: string }[] {
  return jobs.flatMap((job) => {
    const why = `extra scrape job ${job.job_name}`;
    const discovered = (job.kubernetes_sd_configs ?? []).flatMap((sd) =>
      sd.namespaces.names.map((namespace) => ({
        to: { kind: "namespace", namespace } as const,
        ports: tcp(...(sd.ports ?? [])),
        why,
      })),
    );
    const targets = (job.static_configs ?? []).flatMap((group) => group.targets);
    const byDestination = new Map<string, number[]>();
    for (const target of targets) {
      const key = clusterServiceNamespace(target) ?? "";
      byDestination.set(key, [...(byDestination.get(key) ?? []), portOfAddress(target)]);
    }
    const fixed = [...byDestination].map(([namespace, ports]) => ({
      to: namespace === "" ? outside(`the targets of ${why}`) : ({ kind: "namespace", namespace } as const),
      ports: tcp(...ports),
      why,
    }));
    return [...discovered, ...fixed];
  });
}

/**
 * The namespaces the stack closes with a default deny, so that only the graph's flows reach or
 * leave their pods: its own two, and the demo's when it runs.
 */
export function closedNamespaces(config: Pick<StackConfig, "namespaces" | "demo">): string[] {
  return [
    config.namespaces.observability,
    config.namespaces.node,
    ...(config.demo.enabled ? [DEMO_NAMESPACE] : []),
  ];
}

/**
 * The demo's flows, workload by workload: each service sends its spans to the collector on the
 * one receiver it uses, Prometheus scrapes it, and it calls the next service.
 */
function demoFlows(config: StackConfig, collector: Endpoint, prometheus: Endpoint): Flow[] {
  if (!config.demo.enabled) {
    return [];
  }
  return DEMO_SERVICES.flatMap((service): Flow[] => {
    const self = workload(DEMO_NAMESPACE, service.name);
    const http = networkPorts(demoWorkload(service), "http");
    const callee = DEMO_SERVICES.find((s) => s.name === service.calls);
    return [
      {
        from: self,
        to: collector,
        ports: networkPorts(COLLECTOR, service.traces === "zipkin" ? "zipkin" : "otlp-http"),
        why: `the demo's spans (${service.traces})`,
      },
      { from: prometheus, to: self, ports: http, why: "the demo's metrics" },
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

/**
 * Who talks to whom, for the whole stack and nothing more. Every NetworkPolicy is generated from
 * this list (`components/common/flowPolicies.ts`), and the network test evaluates the rendered policies against it.
 */
export function wiringGraph(config: StackConfig): Flow[] {
  const obs = config.namespaces.observability;
  const prometheus = workload(obs, PROMETHEUS.name);
  const alertmanager = workload(obs, ALERTMANAGER.name);
  const loki = workload(obs, LOKI.name);
  const tempo = workload(obs, TEMPO.name);
  const grafana = workload(obs, GRAFANA.name);
  const collector = workload(obs, COLLECTOR.name);
  const aggregator = workload(obs, COLLECTOR_AGGREGATOR.name);
  const tiered = collectorTiered(config.tracing);
  // Whichever collector sees whole traces writes them on.
  const traceAggregator = tiered ? aggregator : collector;
  const kubeStateMetrics = workload(obs, KUBE_STATE_METRICS.name);
  const nodeExporter = workload(config.namespaces.node, NODE_EXPORTER.name);
  const alloy = workload(alloyNamespace(config), ALLOY.name);
  // The demo's namespace is closed: its pods get flows of their own (demoFlows), not an app's.
  const apps = config.apps.namespaces
    .filter((namespace) => !config.demo.enabled || namespace !== DEMO_NAMESPACE)
    .map((namespace): Endpoint => ({ kind: "namespace", namespace }));
  const nodePorts = config.exposure.mode === "nodePort";
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const s3 = config.storage.s3;
  const notifying = notificationPorts(config.alerting);

  const scrape = (to: Endpoint, ports: Port[], why: string): Flow => ({ from: prometheus, to, ports, why });
  const monitors = config.metrics.prometheusOperatorMonitors;
  const monitorScraper = workload(obs, MONITOR_SCRAPER.name);
  const datastores = datastoreExporters(config.metrics);

  return [
    ...closedNamespaces(config).map(
      (namespace): Flow => ({
        from: { kind: "namespace", namespace },
        to: { kind: "clusterDns" },
        ports: tcpAndUdp(53),
        why: "name resolution",
      }),
    ),

    // Metrics: Prometheus scrapes every target and notifies Alertmanager.
    scrape(prometheus, networkPorts(PROMETHEUS, "http"), "self-scrape, and the other replica's metrics"),
    scrape(alertmanager, networkPorts(ALERTMANAGER, "http"), "alerts and Alertmanager's metrics"),
    scrape(kubeStateMetrics, networkPorts(KUBE_STATE_METRICS, "http-metrics", "telemetry"), "object state"),
    scrape(nodeExporter, networkPorts(NODE_EXPORTER, "http-metrics"), "node metrics"),
    scrape(loki, networkPorts(LOKI, "http"), "Loki's metrics"),
    scrape(tempo, networkPorts(TEMPO, "http"), "Tempo's metrics"),
    scrape(collector, networkPorts(COLLECTOR, "metrics"), "the collector's metrics"),
    ...(tiered
      ? [scrape(aggregator, networkPorts(COLLECTOR_AGGREGATOR, "metrics"), "the aggregators' metrics")]
      : []),
    scrape(alloy, networkPorts(ALLOY, "http"), "the log agent's metrics"),
    scrape(grafana, networkPorts(GRAFANA, "http"), "Grafana's metrics"),
    ...datastores.map((e) =>
      scrape(workload(obs, e.spec.name), networkPorts(e.spec), `${e.spec.name} metrics`),
    ),
    ...apps.map((app) => scrape(app, [], "the configured services and annotated pods, on their own ports")),
    ...config.metrics.annotationDiscovery.namespaces
      .filter((namespace) => !config.apps.namespaces.includes(namespace))
      .map((namespace) =>
        scrape({ kind: "namespace", namespace }, [], "annotated pods, on the port each one names"),
      ),
    ...extraScrapeFlows(config.metrics.extraScrapeConfigs).map(({ to, ports, why }) =>
      scrape(to, ports, why),
    ),
    scrape(outside("kubelets"), tcp(10250), "kubelet and cAdvisor metrics"),
    scrape({ kind: "clusterDns" }, tcp(COREDNS_METRICS_PORT), "CoreDNS metrics"),
    {
      from: prometheus,
      to: API_SERVER,
      ports: API_SERVER_PORTS,
      why: "service discovery and the API server's metrics",
    },
    ...(monitors.enabled
      ? [
          scrape(monitorScraper, networkPorts(MONITOR_SCRAPER, "http"), "the monitor scraper's metrics"),
          {
            from: monitorScraper,
            to: API_SERVER,
            ports: API_SERVER_PORTS,
            why: "ServiceMonitors, PodMonitors and their targets",
          },
          ...monitors.namespaces.map(
            (namespace): Flow => ({
              from: monitorScraper,
              to: { kind: "namespace", namespace },
              ports: [],
              why: "ServiceMonitor and PodMonitor targets, on the ports they name",
            }),
          ),
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
    ...(nodePorts
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
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "http"),
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
    { from: kubeStateMetrics, to: API_SERVER, ports: API_SERVER_PORTS, why: "object state" },
    ...datastores.map(
      (e): Flow => ({
        from: workload(obs, e.spec.name),
        to: outside(`the datastore ${e.spec.name} watches`),
        ports: tcp(e.targetPort),
        why: "datastore statistics",
      }),
    ),

    // Logs: the agent ships to Loki; Loki's ruler notifies Alertmanager.
    { from: alloy, to: loki, ports: networkPorts(LOKI, "http"), why: "log push" },
    { from: alloy, to: API_SERVER, ports: API_SERVER_PORTS, why: "pod discovery (and logs in api mode)" },
    {
      from: loki,
      to: alertmanager,
      ports: networkPorts(ALERTMANAGER, "http"),
      why: "log alerts from the ruler",
    },
    ...(s3?.loki === undefined
      ? []
      : [{ from: loki, to: outside("S3 and STS"), ports: tcp(443), why: "chunks" }]),

    // Traces: apps send to the collector, which writes to Tempo and Prometheus.
    ...apps.map(
      (app): Flow => ({
        from: app,
        to: collector,
        ports: networkPorts(COLLECTOR, "otlp-grpc", "otlp-http", "zipkin"),
        why: "spans (OTLP and Zipkin)",
      }),
    ),
    ...(nodePorts
      ? [
          {
            from: outside("apps on the host, via NodePort"),
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
    { from: traceAggregator, to: tempo, ports: networkPorts(TEMPO, "otlp-grpc"), why: "sampled traces" },
    {
      from: traceAggregator,
      to: prometheus,
      ports: networkPorts(PROMETHEUS, "http"),
      why: "span and service-graph metrics",
    },
    { from: collector, to: API_SERVER, ports: API_SERVER_PORTS, why: "k8s attributes" },
    ...(s3?.tempo === undefined
      ? []
      : [{ from: tempo, to: outside("S3 and STS"), ports: tcp(443), why: "blocks" }]),

    ...demoFlows(config, collector, prometheus),

    // Grafana queries every backend; people reach it through the NodePort or the Ingress.
    {
      from: outside("browsers, via NodePort or the Ingress load balancer (target type ip)"),
      to: grafana,
      ports: networkPorts(GRAFANA, "http"),
      why: "UI",
    },
    ...(
      [
        [prometheus, networkPorts(PROMETHEUS, "http")],
        [loki, networkPorts(LOKI, "http")],
        [tempo, networkPorts(TEMPO, "http")],
        [alertmanager, networkPorts(ALERTMANAGER, "http")],
      ] as const
    ).map(([to, ports]): Flow => ({ from: grafana, to, ports, why: "queries" })),
    ...(config.metrics.remoteWrite === undefined
      ? []
      : [
          {
            from: grafana,
            to: outside("Amazon Managed Prometheus and STS"),
            ports: tcp(443),
            why: "queries, deduplicated across the replicas",
          },
        ]),
    ...(config.grafana.database === undefined
      ? []
      : [
          {
            from: grafana,
            to: outside("Grafana's PostgreSQL database"),
            ports: tcp(portOfAddress(config.grafana.database.host)),
            why: "dashboards, users and sessions",
          },
        ]),
    ...(config.grafana.replicas > 1
      ? [
          {
            from: grafana,
            to: grafana,
            ports: networkPorts(GRAFANA, "mesh-tcp", "mesh-udp"),
            why: "alerting HA gossip",
          },
        ]
      : []),
    // The browser follows the login redirects; Grafana itself exchanges the code and reads the
    // user's claims over HTTPS. A NetworkPolicy cannot name the provider's hosts: Grafana may reach
    // any address on these ports. Narrower takes an egress proxy or a CNI with FQDN policies.
    ...(config.grafana.sso === undefined
      ? []
      : [
          {
            from: grafana,
            to: outside("the single sign-on identity provider"),
            ports: tcp(
              443,
              ...[config.grafana.sso.tokenUrl, config.grafana.sso.apiUrl]
                .filter((url) => url !== undefined)
                .map(portOfUrl),
            ),
            why: "OAuth token and user-info requests",
          },
        ]),
    ...(config.grafana.extraDatasources.length === 0
      ? []
      : [
          {
            from: grafana,
            to: outside("extra datasources"),
            ports: tcp(...config.grafana.extraDatasources.map((d) => portOfUrl(d.url))),
            why: "queries",
          },
        ]),
  ];
}
