import { DATASOURCE_UIDS } from "../../../components/common/grafanaUids";
import { verifyExpectations } from "../../../scripts/verify/expectations";
import { rendered, stackConfig } from "../../support/renderedStacks";

// What verify expects of each running stack comes from the render: these are the committed stacks'.
describe("what npm run verify expects, read off the render", () => {
  test("kind: fourteen workloads (the demo's three, the Loki canary and the event collector among them), the stack's own jobs apart from the apps', the NodePorts kind maps", async () => {
    const config = stackConfig("kind");
    const expected = verifyExpectations(config, (await rendered("kind")).objects);
    expect(expected.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`)).toEqual([
      "DaemonSet observability-node/node-exporter",
      "Deployment observability/event-collector",
      "Deployment observability/kube-state-metrics",
      "Deployment observability/loki-canary",
      "Deployment observability-demo/demo-checkout",
      "Deployment observability-demo/demo-frontend",
      "Deployment observability-demo/demo-payments",
      "StatefulSet observability/alertmanager",
      "StatefulSet observability/alloy",
      "StatefulSet observability/grafana",
      "StatefulSet observability/loki",
      "StatefulSet observability/otel-collector",
      "StatefulSet observability/prometheus",
      "StatefulSet observability/tempo",
    ]);
    expect(expected.stackJobs).toEqual([
      "loki",
      "alloy",
      "loki-canary",
      "event-collector",
      "otel-collector",
      "tempo",
      "grafana",
      "prometheus",
      "alertmanager",
      "kube-state-metrics",
      "node-exporter",
      "kubelet",
      "cadvisor",
      "apiserver",
      "coredns",
    ]);
    expect(expected.otherJobs).toEqual(["services-actuator-prometheus-10s", "annotated-pods"]);
    expect(expected.alertmanagerReplicas).toBe(1);
    const { nodePorts } = config.exposure;
    expect(
      Object.fromEntries(
        Object.entries(expected.endpoints).map(([name, e]) => [name, e.nodePort ?? `forward ${e.port}`]),
      ),
    ).toEqual({
      prometheus: nodePorts.prometheus,
      alertmanager: "forward 9093",
      loki: "forward 3100",
      collectorOtlpHttp: nodePorts.otlpHttp,
      collectorTelemetry: "forward 8888",
      tempo: "forward 3200",
      grafana: nodePorts.grafana,
    });
    expect(expected.datasources.map((d) => d.uid)).toEqual(Object.values(DATASOURCE_UIDS));
    expect(expected.dashboards.folder).toBe(config.grafana.dashboardsFolder);
    expect(expected.dashboards.list.map((d) => d.uid)).toContain("obs-landing");
    expect(expected.logs).toEqual({
      namespaces: ["tiketi-spring", "observability-demo"],
      agent: { kind: "StatefulSet", namespace: "observability", name: "alloy" },
    });
    expect(expected.grafana).toEqual({
      adminUser: "admin",
      secret: { namespace: "observability", name: "grafana-credentials", key: "admin-password" },
    });
  });

  test("prod: everything through port-forwards, three Alertmanagers, the tenant, the node agent", async () => {
    const expected = verifyExpectations(stackConfig("prod"), (await rendered("prod")).objects);
    expect(Object.values(expected.endpoints).filter((e) => e.nodePort !== undefined)).toEqual([]);
    expect(expected.alertmanagerReplicas).toBe(3);
    expect(expected.logs.tenant).toBe("platform");
    expect(expected.logs.agent).toEqual({
      kind: "DaemonSet",
      namespace: "observability-node",
      name: "alloy",
    });
    expect(expected.workloads.find((w) => w.name === "grafana")?.kind).toBe("Deployment");
    expect(expected.stackJobs).toContain("otel-collector-aggregator");
    expect(expected.dashboards.folder).toBe("Tiketi");
  });
});
