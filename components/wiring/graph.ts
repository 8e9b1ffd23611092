import { StackConfig } from "../../config";
import { DNS_PORTS, Endpoint, Flow, workload } from "../common/flow";
import { demoFlows } from "../demo/flows";
import { DEMO_NAMESPACE } from "../demo/names";
import { GRAFANA } from "../grafana/names";
import { grafanaFlows } from "../grafana/flows";
import { kialiApiFlows, kialiEndpoint, kialiFlows, kialiRuns } from "../kiali/flows";
import { logsApiFlows, logsFlows } from "../logs/flows";
import { LOKI } from "../logs/names";
import { metricsApiFlows, metricsFlows, metricsReachFlows } from "../metrics/flows";
import { PROMETHEUS } from "../metrics/names";
import { meshedNamespaces, spanReceiver, traceWriter, tracingApiFlows, tracingFlows } from "../tracing/flows";

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
 * its folder), each told the others' workloads that connect to it, and the cluster-wide ones: to the
 * cluster DNS, the apps and the teams' scrape targets, the kubelets and the API server. Every
 * NetworkPolicy of a stack deployed from its stack config is generated from this list
 * (`components/common/flowPolicies.ts`), and the network test evaluates the rendered policies
 * against it.
 */
export function wiringGraph(config: StackConfig): Flow[] {
  const obs = config.namespaces.observability;
  const prometheus = workload(obs, PROMETHEUS.name);
  const grafana = workload(obs, GRAFANA.name);
  const meshConsole = kialiRuns(config) ? { meshConsole: kialiEndpoint(config) } : {};
  const closed = closedNamespaces(config);
  // The demo's namespace is closed: its pods get flows of their own (demoFlows), not an app's.
  const apps = config.apps.namespaces
    .filter((namespace) => !closed.includes(namespace))
    .map((namespace): Endpoint => ({ kind: "namespace", namespace }));

  return [
    ...closed.map(
      (namespace): Flow => ({
        from: { kind: "namespace", namespace },
        to: { kind: "clusterDns" },
        ports: DNS_PORTS,
        why: "name resolution",
      }),
    ),
    ...tracingFlows(config, {
      scraper: prometheus,
      querier: grafana,
      apps,
      meshed: meshedNamespaces(config, closed),
      ...meshConsole,
    }),
    ...metricsFlows(config, {
      logRuler: workload(obs, LOKI.name),
      traceWriter: traceWriter(config),
      querier: grafana,
      ...meshConsole,
    }),
    ...logsFlows(config, { scraper: prometheus, querier: grafana }),
    ...demoFlows(config, { scraper: prometheus, collector: spanReceiver(config) }),
    ...grafanaFlows(config, { scraper: prometheus, ...meshConsole }),
    ...(kialiRuns(config) ? [...kialiFlows(config, { scraper: prometheus }), ...kialiApiFlows(config)] : []),
    ...metricsReachFlows(config, closed),
    ...metricsApiFlows(config),
    ...logsApiFlows(config),
    ...tracingApiFlows(config),
  ];
}
