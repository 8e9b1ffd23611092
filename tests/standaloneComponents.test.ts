// Each component built on its own under mocks, from the config of a one-line stack file and
// stand-ins for what the other components would hand it: it needs no other component, and what
// it takes from them reaches its config files instead of being worked out again.
import { StackConfig } from "../config";
import { parseStackConfig } from "../config/load";
import { platformSettings } from "../components/common/settings";
import { DemoStack } from "../components/demoStack";
import { GrafanaStack } from "../components/grafanaStack";
import { LogsStack } from "../components/logsStack";
import { MetricsStack } from "../components/metricsStack";
import { StackNamespaces } from "../components/stackNamespaces";
import { TracingStack } from "../components/tracingStack";
import { wiringGraph } from "../components/wiring/graph";
import { KubeObject, kubeObjects } from "../render/manifest";
import { Registration } from "../render/mocks";
import { waitForRegistrations } from "../sdk/pulumiSdk";
import { recordDeployment } from "../render/renderStack";
import { stackConfig } from "./renderedStacks";

const STAND_IN = {
  alertmanagerUrl: "http://alertmanager.stand-in.test:9093",
  prometheusWriteUrl: "http://prometheus-0.stand-in.test:9090/api/v1/write",
  prometheusUrl: "http://prometheus.stand-in.test:9090",
  lokiUrl: "http://loki.stand-in.test:3100",
  tempoUrl: "http://tempo.stand-in.test:3200",
  traceIdExpression: "stand-in-trace-id=(\\w+)",
};

interface Built {
  readonly registrations: readonly Registration[];
  readonly objects: readonly KubeObject[];
  /** Every object, as one string: where a stand-in value must show up. */
  readonly text: string;
}

/** Registers what `build` constructs, alone, in a fresh mock deployment. */
async function alone(build: () => void): Promise<Built> {
  const mocks = await recordDeployment("alone", {});
  build();
  await waitForRegistrations();
  const objects = kubeObjects(mocks.registrations);
  return { registrations: mocks.registrations, objects, text: JSON.stringify(objects) };
}

const components = (built: Built) =>
  built.registrations.filter((r) => r.type.startsWith("observability:index:")).map((r) => r.type);

const controllers = (built: Built) =>
  built.objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();

/** The configs a stack file of one line gives, and the committed prod stack's. */
const CONFIGS: [string, () => StackConfig][] = [
  ["profile: kind alone", () => parseStackConfig({ profile: "kind" }, new Set())],
  ["Pulumi.prod.yaml", () => stackConfig("prod")],
];

describe.each(CONFIGS)("each component alone, from %s", (_, configOf) => {
  let config: StackConfig;
  beforeAll(() => {
    config = configOf();
  });
  const common = () => ({ ...platformSettings(config), wiring: wiringGraph(config) });

  test("Namespaces: the stack's two namespaces and the app namespaces", async () => {
    const built = await alone(
      () =>
        new StackNamespaces("namespaces", {
          ...config.namespaces,
          profile: config.profile,
          apps: ["shop"],
          createApps: true,
          wiring: wiringGraph(config),
        }),
    );
    expect(components(built)).toEqual(["observability:index:StackNamespaces"]);
    expect(built.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)).toEqual([
      config.namespaces.observability,
      config.namespaces.node,
      "shop",
    ]);
  });

  test("Metrics: its workloads, the scrape jobs it is handed first, none when it is handed none", async () => {
    const handed = { job_name: "handed-job", static_configs: [{ targets: ["handed.test:8080"] }] };
    const built = await alone(
      () =>
        new MetricsStack("metrics", {
          ...common(),
          metrics: config.metrics,
          alerting: config.alerting,
          exposure: config.exposure,
          scrapeJobs: [handed],
        }),
    );
    expect(components(built)).toEqual(["observability:index:MetricsStack"]);
    expect(controllers(built)).toEqual(
      expect.arrayContaining([
        "DaemonSet/node-exporter",
        "Deployment/kube-state-metrics",
        "StatefulSet/alertmanager",
        "StatefulSet/prometheus",
      ]),
    );
    expect(built.text).toContain("handed-job");

    const without = await alone(
      () =>
        new MetricsStack("metrics", {
          ...common(),
          metrics: config.metrics,
          alerting: config.alerting,
          exposure: config.exposure,
        }),
    );
    expect(without.text).not.toContain("handed-job");
    expect(controllers(without)).toEqual(controllers(built));
  });

  test("Logs: Loki and Alloy, its ruler sending to the Alertmanager it is handed", async () => {
    const built = await alone(
      () =>
        new LogsStack("logs", {
          ...common(),
          logs: config.logs,
          alertmanagerUrl: STAND_IN.alertmanagerUrl,
          runbookBaseUrl: config.metrics.runbookBaseUrl,
        }),
    );
    expect(components(built)).toEqual(["observability:index:LogsStack"]);
    expect(controllers(built)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(StatefulSet|DaemonSet)\/alloy$/), "StatefulSet/loki"]),
    );
    expect(built.text).toContain(STAND_IN.alertmanagerUrl);
  });

  test("Tracing: the collector and Tempo, span metrics written to the Prometheus it is handed", async () => {
    const built = await alone(
      () =>
        new TracingStack("tracing", {
          ...common(),
          tracing: config.tracing,
          exposure: config.exposure,
          slo: config.metrics.slo,
          prometheusWriteUrls: [STAND_IN.prometheusWriteUrl],
        }),
    );
    expect(components(built)).toEqual(["observability:index:TracingStack"]);
    expect(controllers(built)).toEqual(
      expect.arrayContaining(["StatefulSet/otel-collector", "StatefulSet/tempo"]),
    );
    expect(built.text).toContain(STAND_IN.prometheusWriteUrl);
  });

  test("Grafana: its datasources point at the URLs it is handed, with no teams' dashboards by default", async () => {
    const built = await alone(
      () =>
        new GrafanaStack("grafana", {
          ...common(),
          grafana: config.grafana,
          exposure: config.exposure,
          metrics: config.metrics,
          backends: {
            prometheus: { url: STAND_IN.prometheusUrl },
            alertmanagerUrl: STAND_IN.alertmanagerUrl,
            lokiUrl: STAND_IN.lokiUrl,
            traceIdExpression: STAND_IN.traceIdExpression,
            tempoUrl: STAND_IN.tempoUrl,
          },
        }),
    );
    expect(components(built)).toEqual(["observability:index:GrafanaStack"]);
    expect(controllers(built)).toEqual([expect.stringMatching(/^(Deployment|StatefulSet)\/grafana$/)]);
    for (const url of [
      STAND_IN.prometheusUrl,
      STAND_IN.alertmanagerUrl,
      STAND_IN.lokiUrl,
      STAND_IN.tempoUrl,
      JSON.stringify(STAND_IN.traceIdExpression).slice(1, -1),
    ]) {
      expect(built.text).toContain(url);
    }
  });
});

test("Demo alone, from `profile: kind` with the demo on: its three services", async () => {
  const config = parseStackConfig({ profile: "kind", demo: { enabled: true } }, new Set());
  const built = await alone(
    () => new DemoStack("demo", { images: config.images, demo: config.demo, wiring: wiringGraph(config) }),
  );
  expect(components(built)).toEqual(["observability:index:DemoStack"]);
  expect(controllers(built)).toHaveLength(3);
});
