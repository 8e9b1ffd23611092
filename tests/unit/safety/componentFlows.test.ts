import { Endpoint, Flow, workload } from "../../../components/common/flow";
import { demoFlows } from "../../../components/demo/flows";
import { DEMO_SERVICES } from "../../../components/demo/names";
import { grafanaFlows } from "../../../components/grafana/flows";
import { GRAFANA } from "../../../components/grafana/names";
import { logsFlows } from "../../../components/logs/flows";
import { ALLOY, EVENT_COLLECTOR, LOKI, LOKI_CANARY } from "../../../components/logs/names";
import { metricsFlows } from "../../../components/metrics/flows";
import {
  ALERTMANAGER,
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  NODE_EXPORTER,
  PROMETHEUS,
  THANOS_COMPACTOR,
  THANOS_RULER,
  THANOS_QUERY,
  THANOS_STORE,
} from "../../../components/metrics/names";
import { tracingFlows } from "../../../components/tracing/flows";
import { COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO } from "../../../components/tracing/names";
import { stackConfig } from "../../support/renderedStacks";
import { STACKS } from "../../kit/stacks";
import { datastoreExporters } from "../../../components/metrics/datastores";

const client = (name: string): Endpoint => workload("elsewhere", name);
const clients = {
  scraper: client("scraper"),
  querier: client("querier"),
  logRuler: client("log-ruler"),
  traceWriter: client("trace-writer"),
  apps: [client("app")],
};

describe.each([...STACKS])("each component's flows, %s stack", (stack) => {
  const config = { ...stackConfig(stack), demo: { ...stackConfig(stack).demo, enabled: true } };
  const areas: [string, Flow[], string[]][] = [
    [
      "metrics",
      metricsFlows(config, clients),
      [
        PROMETHEUS,
        ALERTMANAGER,
        KUBE_STATE_METRICS,
        NODE_EXPORTER,
        MONITOR_SCRAPER,
        THANOS_QUERY,
        THANOS_STORE,
        THANOS_COMPACTOR,
        THANOS_RULER,
        ...datastoreExporters(config.metrics).map((e) => e.spec),
      ].map((s) => s.name),
    ],
    ["logs", logsFlows(config, clients), [LOKI.name, ALLOY.name, LOKI_CANARY.name, EVENT_COLLECTOR.name]],
    ["tracing", tracingFlows(config, clients), [COLLECTOR.name, COLLECTOR_AGGREGATOR.name, TEMPO.name]],
    ["grafana", grafanaFlows(config, clients), [GRAFANA.name]],
    [
      "demo",
      demoFlows(config, {
        ...clients,
        collector: { endpoint: client("collector"), ports: { otlpHttp: [], zipkin: [] } },
      }),
      DEMO_SERVICES.map((s) => s.name),
    ],
  ];
  const own = (names: string[], e: Endpoint) => e.kind === "workload" && names.includes(e.name);

  test.each(areas)(
    "%s declares only flows into its own workloads, or out of them to outside the cluster",
    (area, flows, names) => {
      expect(flows.length).toBeGreaterThan(0);
      const stray = flows.filter(
        (f) => !own(names, f.to) && !(own(names, f.from) && f.to.kind === "outside"),
      );
      // The demo's services send their spans to the collector as any app would.
      expect(stray.filter((f) => !(area === "demo" && f.why.startsWith("the demo's spans")))).toEqual([]);
    },
  );
});
