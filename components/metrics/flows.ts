import { StackConfig } from "../../config";
import { clusterServiceNamespace } from "../../config/metrics/scrapeTargets";
import {
  Endpoint,
  Flow,
  Port,
  flowsFrom,
  ingressLoadBalancer,
  hostNetworkWorkload,
  nodePortClients,
  outside,
  tcp,
  objectStorage,
  toApiServer,
  workload,
} from "../common/flow";
import { portOfAddress } from "../common/serviceUrl";
import { networkPorts } from "../common/workloadSpec";
import {
  ALERTMANAGER,
  COREDNS_METRICS_PORT,
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  NODE_EXPORTER,
  PROMETHEUS,
  THANOS_COMPACTOR,
  THANOS_QUERY,
  THANOS_RULER,
  THANOS_STORE,
} from "./names";
import { queryService, thanosQueryRuns } from "./queryEndpoint";
import { datastoreExporters } from "./datastores";
import { notificationPorts } from "./notificationPorts";
import { ISTIO_PORTS } from "./istioTargets";

/** The other components' workloads that open connections into the metrics workloads; each absent when not deployed. */
export interface MetricsClients {
  /** Loki's ruler, which sends log alerts. */
  readonly logRuler?: Endpoint;
  /** The collector that writes span and service-graph metrics. */
  readonly traceWriter?: Endpoint;
  /** Grafana, which queries Prometheus and Alertmanager. */
  readonly querier?: Endpoint;
  /** Kiali, which queries Prometheus for the mesh's metrics. */
  readonly meshConsole?: Endpoint;
}

/**
 * The flows into Prometheus, Alertmanager, the exporters and the monitor scraper, and the ones they
 * open to addresses outside the cluster.
 */
export function metricsFlows(config: StackConfig, clients: MetricsClients = {}): Flow[] {
  const obs = config.namespaces.observability;
  const prometheus = workload(obs, PROMETHEUS.name);
  const alertmanager = workload(obs, ALERTMANAGER.name);
  const kubeStateMetrics = workload(obs, KUBE_STATE_METRICS.name);
  const nodeExporter = hostNetworkWorkload(
    config.namespaces.node,
    NODE_EXPORTER.name,
    config.cluster.nodeCidrs,
  );
  const monitorScraper = workload(obs, MONITOR_SCRAPER.name);
  const datastores = datastoreExporters(config.metrics);
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const notifying = notificationPorts(config.alerting);
  const scrape = flowsFrom(prometheus);
  const thanosQuery = workload(obs, THANOS_QUERY.name);
  const thanos = thanosQueryRuns(config.metrics);
  const storage = config.metrics.objectStorage;
  const store = workload(obs, THANOS_STORE.name);
  const compactor = workload(obs, THANOS_COMPACTOR.name);
  const ruler = workload(obs, THANOS_RULER.name);
  const bucket = objectStorage(config.storage);
  // Where queries land: Thanos Query over several replicas, the one replica otherwise.
  const queried = thanos
    ? { to: thanosQuery, ports: networkPorts(THANOS_QUERY, "http") }
    : { to: prometheus, ports: networkPorts(PROMETHEUS, "http") };

  return [
    scrape(prometheus, networkPorts(PROMETHEUS, "http"), "self-scrape, and the other replica's metrics"),
    scrape(alertmanager, networkPorts(ALERTMANAGER, "http"), "alerts and Alertmanager's metrics"),
    scrape(kubeStateMetrics, networkPorts(KUBE_STATE_METRICS, "http-metrics", "telemetry"), "object state"),
    scrape(nodeExporter, networkPorts(NODE_EXPORTER, "metrics"), "node metrics"),
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
    ...(storage === undefined
      ? []
      : [
          scrape(store, networkPorts(THANOS_STORE, "http"), "the store gateways' metrics"),
          scrape(compactor, networkPorts(THANOS_COMPACTOR, "http"), "the compactor's metrics"),
          {
            from: thanosQuery,
            to: store,
            ports: networkPorts(THANOS_STORE, "grpc"),
            why: "the bucket's history, through the store gateways",
          },
          scrape(ruler, networkPorts(THANOS_RULER, "http"), "Thanos Ruler's metrics"),
          {
            from: ruler,
            to: thanosQuery,
            ports: networkPorts(THANOS_QUERY, "http"),
            why: "the long windows' rules, over the bucket's history",
          },
          {
            from: ruler,
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "http"),
            why: "what the long windows record, remote-written",
          },
          {
            from: ruler,
            to: alertmanager,
            ports: networkPorts(ALERTMANAGER, "http"),
            why: "the long windows' alerts",
          },
          { from: prometheus, to: bucket, ports: tcp(443), why: "blocks, uploaded by the Thanos sidecar" },
          { from: store, to: bucket, ports: tcp(443), why: "the blocks it serves" },
          { from: compactor, to: bucket, ports: tcp(443), why: "compaction, downsampling and retention" },
          ...((storage.hub?.stores.length ?? 0) === 0
            ? []
            : [
                {
                  from: thanosQuery,
                  to: outside("other clusters' stores"),
                  ports: tcp(...(storage.hub?.stores ?? []).map((s) => portOfAddress(s.address))),
                  why: "other clusters' recent samples, over TLS",
                },
              ]),
        ]),
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
            from: nodePortClients("the host", config.exposure),
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "http"),
            why: "UI",
          },
        ]
      : []),
    ...(ingress?.prometheus === undefined
      ? []
      : [
          {
            from: ingressLoadBalancer(ingress),
            ...queried,
            why: "UI, authenticated by the load balancer",
          },
        ]),
    ...(ingress?.alertmanager === undefined
      ? []
      : [
          {
            from: ingressLoadBalancer(ingress),
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
    ...(clients.logRuler === undefined
      ? []
      : [
          {
            from: clients.logRuler,
            to: alertmanager,
            ports: networkPorts(ALERTMANAGER, "http"),
            why: "log alerts from the ruler",
          },
        ]),
    ...(clients.traceWriter === undefined
      ? []
      : [
          {
            from: clients.traceWriter,
            to: prometheus,
            ports: networkPorts(PROMETHEUS, "http"),
            why: "span and service-graph metrics",
          },
        ]),
    ...(clients.meshConsole === undefined
      ? []
      : [{ from: clients.meshConsole, ...queried, why: "the mesh's metrics" }]),
    ...(clients.querier === undefined
      ? []
      : [
          { from: clients.querier, ...queried, why: "queries" },
          {
            from: clients.querier,
            to: alertmanager,
            ports: networkPorts(ALERTMANAGER, "http"),
            why: "queries",
          },
        ]),
  ];
}

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
 * What Prometheus and the monitor scraper reach across the cluster: the apps' namespaces (but those
 * `closed`, whose pods have flows of their own), annotated pods, the teams' extra targets, the
 * monitors' namespaces, the kubelets and CoreDNS.
 */
export function metricsReachFlows(
  config: Pick<StackConfig, "namespaces" | "metrics" | "apps" | "mesh" | "cluster">,
  closed: readonly string[] = [],
): Flow[] {
  const obs = config.namespaces.observability;
  const prometheus = workload(obs, PROMETHEUS.name);
  const scrape = flowsFrom(prometheus);
  const monitors = config.metrics.prometheusOperatorMonitors;
  const annotatedPorts = config.metrics.annotationDiscovery.ports;
  // Unset, an annotated pod names its own port: every port. An empty list would open every port too,
  // so a namespace with no port to scrape gets no flow.
  const scrapeOn = (namespace: string, ports: readonly number[] | undefined, why: string): Flow[] =>
    ports === undefined || ports.length > 0
      ? [scrape({ kind: "namespace", namespace }, ports === undefined ? [] : tcp(...ports), why)]
      : [];
  return [
    ...config.apps.namespaces
      .filter((namespace) => !closed.includes(namespace))
      .flatMap((namespace) =>
        scrapeOn(
          namespace,
          annotatedPorts && [
            ...config.apps.services.filter((s) => s.namespace === namespace).map((s) => s.port),
            ...annotatedPorts,
          ],
          annotatedPorts === undefined
            ? "the configured services and annotated pods, on their own ports"
            : "the configured services and annotated pods, on the configured ports",
        ),
      ),
    ...config.metrics.annotationDiscovery.namespaces
      .filter((namespace) => !config.apps.namespaces.includes(namespace))
      .flatMap((namespace) =>
        scrapeOn(
          namespace,
          annotatedPorts,
          annotatedPorts === undefined
            ? "annotated pods, on the port each one names"
            : "annotated pods, on the configured ports",
        ),
      ),
    ...extraScrapeFlows(config.metrics.extraScrapeConfigs).map(({ to, ports, why }) =>
      scrape(to, ports, why),
    ),
    ...(monitors.enabled
      ? monitors.namespaces.map(
          (namespace): Flow => ({
            from: workload(obs, MONITOR_SCRAPER.name),
            to: { kind: "namespace", namespace },
            ports: [],
            why: "ServiceMonitor and PodMonitor targets, on the ports they name",
          }),
        )
      : []),
    ...istioScrapeFlows(config.mesh, closed).map(({ to, ports, why }) => scrape(to, ports, why)),
    scrape(outside("kubelets", config.cluster.nodeCidrs), tcp(10250), "kubelet and cAdvisor metrics"),
    scrape({ kind: "clusterDns" }, tcp(COREDNS_METRICS_PORT), "CoreDNS metrics"),
  ];
}

/** Where Prometheus scrapes a mesh: each meshed namespace's sidecars (but those `closed`), and istiod. */
function istioScrapeFlows(
  mesh: StackConfig["mesh"],
  closed: readonly string[],
): { to: Endpoint; ports: Port[]; why: string }[] {
  const istio = mesh.istio;
  if (!istio.enabled) {
    return [];
  }
  return [
    ...istio.namespaces
      .filter((namespace) => !closed.includes(namespace))
      .map((namespace) => ({
        to: { kind: "namespace", namespace } as const,
        ports: tcp(ISTIO_PORTS.agent, ISTIO_PORTS.envoy),
        why: "Istio sidecars' metrics: the agent's merged endpoint, else Envoy's own",
      })),
    {
      to: { kind: "namespace", namespace: istio.istiodNamespace },
      ports: tcp(ISTIO_PORTS.istiod),
      why: "istiod's control-plane metrics",
    },
  ];
}

/** The metrics workloads' calls to the API server: discovery and metrics, monitors, object state, scrapers' access to node metrics. */
export function metricsApiFlows(config: Pick<StackConfig, "namespaces" | "metrics" | "cluster">): Flow[] {
  const obs = config.namespaces.observability;
  return [
    toApiServer(
      config.cluster,
      workload(obs, PROMETHEUS.name),
      "service discovery and the API server's metrics",
    ),
    ...(config.metrics.prometheusOperatorMonitors.enabled
      ? [
          toApiServer(
            config.cluster,
            workload(obs, MONITOR_SCRAPER.name),
            "ServiceMonitors, PodMonitors and their targets",
          ),
        ]
      : []),
    toApiServer(config.cluster, workload(obs, KUBE_STATE_METRICS.name), "object state"),
    ...(config.metrics.nodeExporter.authProxy
      ? [
          toApiServer(
            config.cluster,
            workload(config.namespaces.node, NODE_EXPORTER.name),
            "its proxy's TokenReviews and SubjectAccessReviews of each scraper",
          ),
        ]
      : []),
  ];
}

/** The Prometheus, Alertmanager and query pods, as other components' NetworkPolicies name them. */
export function metricsEndpoints(config: Pick<StackConfig, "namespaces" | "metrics">): {
  readonly prometheus: Endpoint;
  readonly alertmanager: Endpoint;
  readonly query: Endpoint;
} {
  const obs = config.namespaces.observability;
  return {
    prometheus: workload(obs, PROMETHEUS.name),
    alertmanager: workload(obs, ALERTMANAGER.name),
    query: workload(obs, queryService(config.metrics).name),
  };
}
