import { StackConfig } from "../../config";
import { clusterServiceNamespace } from "../../config/scrapeTargets";
import { Endpoint, Flow, Port, flowsFrom, outside, tcp, workload } from "../common/flow";
import { portOfAddress } from "../common/serviceUrl";
import { demoFlows } from "../demo/flows";
import { DEMO_NAMESPACE } from "../demo/names";
import { grafanaFlows } from "../grafana/flows";
import { GRAFANA } from "../grafana/names";
import { logsFlows } from "../logs/flows";
import { ALLOY, LOKI } from "../logs/names";
import { metricsFlows } from "../metrics/flows";
import { COREDNS_METRICS_PORT, KUBE_STATE_METRICS, MONITOR_SCRAPER, PROMETHEUS } from "../metrics/names";
import { tracingFlows, traceWriter } from "../tracing/flows";
import { COLLECTOR } from "../tracing/names";
import { alloyNamespace } from "../logs/alloyNamespace";
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
 * Who talks to whom, for the whole stack and nothing more: each component's flows (`flows.ts` in
 * its folder) and the cluster-wide ones, to the cluster DNS, the API server, the apps and the teams'
 * scrape targets, and the kubelets. Every NetworkPolicy is generated from this list
 * (`components/common/flowPolicies.ts`), and the network test evaluates the rendered policies
 * against it.
 */
export function wiringGraph(config: StackConfig): Flow[] {
  const obs = config.namespaces.observability;
  const prometheus = workload(obs, PROMETHEUS.name);
  const grafana = workload(obs, GRAFANA.name);
  const monitorScraper = workload(obs, MONITOR_SCRAPER.name);
  // The demo's namespace is closed: its pods get flows of their own (demoFlows), not an app's.
  const apps = config.apps.namespaces
    .filter((namespace) => !config.demo.enabled || namespace !== DEMO_NAMESPACE)
    .map((namespace): Endpoint => ({ kind: "namespace", namespace }));
  const monitors = config.metrics.prometheusOperatorMonitors;
  const scrape = flowsFrom(prometheus);
  const toApiServer = (from: Endpoint, why: string): Flow => ({
    from,
    to: API_SERVER,
    ports: API_SERVER_PORTS,
    why,
  });

  return [
    ...closedNamespaces(config).map(
      (namespace): Flow => ({
        from: { kind: "namespace", namespace },
        to: { kind: "clusterDns" },
        ports: tcpAndUdp(53),
        why: "name resolution",
      }),
    ),
    ...tracingFlows(config, { scraper: prometheus, querier: grafana, apps }),
    ...metricsFlows(config, {
      logRuler: workload(obs, LOKI.name),
      traceWriter: traceWriter(config),
      querier: grafana,
    }),
    ...logsFlows(config, { scraper: prometheus, querier: grafana }),
    ...demoFlows(config, { scraper: prometheus }),
    ...grafanaFlows(config, { scraper: prometheus }),

    ...apps.map((app) => scrape(app, [], "the configured services and annotated pods, on their own ports")),
    ...config.metrics.annotationDiscovery.namespaces
      .filter((namespace) => !config.apps.namespaces.includes(namespace))
      .map((namespace) =>
        scrape({ kind: "namespace", namespace }, [], "annotated pods, on the port each one names"),
      ),
    ...extraScrapeFlows(config.metrics.extraScrapeConfigs).map(({ to, ports, why }) =>
      scrape(to, ports, why),
    ),
    ...(monitors.enabled
      ? monitors.namespaces.map(
          (namespace): Flow => ({
            from: monitorScraper,
            to: { kind: "namespace", namespace },
            ports: [],
            why: "ServiceMonitor and PodMonitor targets, on the ports they name",
          }),
        )
      : []),
    scrape(outside("kubelets"), tcp(10250), "kubelet and cAdvisor metrics"),
    scrape({ kind: "clusterDns" }, tcp(COREDNS_METRICS_PORT), "CoreDNS metrics"),
    toApiServer(prometheus, "service discovery and the API server's metrics"),
    ...(monitors.enabled
      ? [toApiServer(monitorScraper, "ServiceMonitors, PodMonitors and their targets")]
      : []),
    toApiServer(workload(obs, KUBE_STATE_METRICS.name), "object state"),
    toApiServer(workload(alloyNamespace(config), ALLOY.name), "pod discovery (and logs in api mode)"),
    toApiServer(workload(obs, COLLECTOR.name), "k8s attributes"),
    ...(config.logs.replicas > 1 ? [toApiServer(workload(obs, LOKI.name), "its node's zone")] : []),
  ];
}
