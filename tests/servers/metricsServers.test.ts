// Real Prometheus and Alertmanager processes on 127.0.0.1, booted with the generated configs and
// flags. Only what cannot exist here is rewritten: in-pod paths, listen addresses, and Kubernetes
// discovery, whose blocks become static targets carrying the discovery metadata labels, so the
// stack's relabeling runs for real.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { RuleFile, ScrapeConfig } from "../../components/common/prometheusTypes";
import { renderedExtended } from "../support/extendedStack";
import { LocalHttpServer, springActuator, webhookReceiver } from "../kit/httpServers";
import { renderWithAlerting, startAlertmanager } from "../kit/alertmanager";
import { getJson } from "../kit/http";
import { Server, Servers, eventually } from "../kit/processes";
import { configMapData } from "../kit/rendered";
import { reloadPrometheusConfig, startRenderedPrometheus } from "../kit/localServers";
import { Json } from "../kit/json";
import { annotatedPodsJob } from "../../components/metrics/prometheusConfig";

// The kind stack with a team's rule files (tests/unit/extend): they must load beside the stack's own.
describe("a real Prometheus with the kind stack's config and a team's extra rule files", () => {
  const service = "ticket-service";
  const servers = new Servers();
  let dir: string;
  let actuator: LocalHttpServer;
  let prometheus: Server | undefined;
  let base: string;
  let ruleCount: number;

  /** Discovery replaced by the local actuator, announced with the metadata Kubernetes would attach. */
  function localTargets(job: ScrapeConfig): ScrapeConfig {
    if (job.kubernetes_sd_configs === undefined) {
      return job;
    }
    const rest = { ...job, kubernetes_sd_configs: undefined };
    const target = `127.0.0.1:${actuator.port}`;
    const pod = {
      __meta_kubernetes_namespace: "tiketi-spring",
      __meta_kubernetes_pod_name: `${service}-0`,
      __meta_kubernetes_pod_node_name: "kind-control-plane",
    };
    if (job.job_name.startsWith("services-")) {
      return {
        ...rest,
        static_configs: [
          {
            targets: [target],
            labels: {
              ...pod,
              __meta_kubernetes_service_name: service,
              __meta_kubernetes_endpointslice_port: "3002",
            },
          },
        ],
      };
    }
    if (job.job_name.startsWith("annotated-pods")) {
      const annotatedPod = (name: string, port: number) => ({
        targets: ["127.0.0.1"],
        labels: {
          ...pod,
          __meta_kubernetes_pod_name: name,
          __meta_kubernetes_pod_phase: "Running",
          __meta_kubernetes_pod_label_app: "worker",
          __meta_kubernetes_pod_annotation_prometheus_io_scrape: "true",
          __meta_kubernetes_pod_annotation_prometheus_io_path: "/actuator/prometheus",
          __meta_kubernetes_pod_annotation_prometheus_io_port: String(port),
        },
      });
      // A second pod names a port the NetworkPolicy would not open with the ports listed.
      return {
        ...rest,
        static_configs: [annotatedPod("worker-0", actuator.port), annotatedPod("debug-0", actuator.port + 1)],
      };
    }
    return { ...rest, static_configs: [] };
  }

  beforeAll(async () => {
    const { objects } = await renderedExtended("kind");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "prometheus-"));
    actuator = await springActuator(service);
    const rules = configMapData(objects, "prometheus-rules");
    ruleCount = Object.values(rules).reduce(
      (n, content) => n + (yaml.load(content) as RuleFile).groups.reduce((m, g) => m + g.rules.length, 0),
      0,
    );
    ({ base, server: prometheus } = await startRenderedPrometheus(servers, objects, dir, (generated) => ({
      ...generated,
      scrape_configs: [
        ...generated.scrape_configs,
        // The same job as metrics.annotationDiscovery.ports renders it, beside the kind stack's.
        { ...annotatedPodsJob(["tiketi-spring"], [], [actuator.port]), job_name: "annotated-pods-listed" },
      ].map(localTargets),
    })));
  });

  afterAll(async () => {
    await servers.stopAll();
    await actuator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("scrapes the Spring actuator as the service, with the stack's labels", async () => {
    const target = await eventually(async () => {
      const { data } = await getJson(`${base}/api/v1/targets?state=active`);
      return (data.activeTargets as Json[]).find((t) => t.labels.service === service && t.health === "up");
    }, "the app target to be up");
    expect(target.labels).toMatchObject({
      service,
      namespace: "tiketi-spring",
      pod: `${service}-0`,
      tier: "app",
    });
    expect(target.scrapeUrl).toBe(`http://127.0.0.1:${actuator.port}/actuator/prometheus`);

    const { data } = await getJson(
      `${base}/api/v1/query?query=${encodeURIComponent(`resilience4j_circuitbreaker_state{service="${service}",state="closed"}`)}`,
    );
    expect(data.result).toHaveLength(1);
    expect(data.result[0].metric).toMatchObject({ name: "internalService", tier: "app" });
  });

  test("honours prometheus.io annotations (path, port) on app pods", async () => {
    const target = await eventually(async () => {
      const { data } = await getJson(`${base}/api/v1/targets?state=active`);
      return (data.activeTargets as Json[]).find(
        (t) => t.labels.job === "annotated-pods" && t.health === "up",
      );
    }, "the annotated pod to be scraped");
    expect(target.labels).toMatchObject({ service: "worker", app: "worker", pod: "worker-0" });
    expect(target.scrapeUrl).toBe(`http://127.0.0.1:${actuator.port}/actuator/prometheus`);
  });

  test("with metrics.annotationDiscovery.ports, only the pods on those ports; without, every annotated pod", async () => {
    const targets = async (job: string) => {
      const { data } = await getJson(`${base}/api/v1/targets?state=active`);
      return (data.activeTargets as Json[])
        .filter((t) => t.labels.job === job)
        .map((t) => t.labels.pod as string)
        .sort();
    };
    await eventually(
      async () => ((await targets("annotated-pods-listed")).length > 0 ? true : undefined),
      "the listed job's targets",
    );
    expect(await targets("annotated-pods-listed")).toEqual(["worker-0"]);
    expect(await targets("annotated-pods")).toEqual(["debug-0", "worker-0"]);
  });

  test("loads every rule group and rule", async () => {
    const { data } = await getJson(`${base}/api/v1/rules`);
    const loaded = (data.groups as Json[]).reduce((n, g) => n + (g.rules as unknown[]).length, 0);
    expect(loaded).toBe(ruleCount);
    expect(ruleCount).toBeGreaterThan(30);
  });

  test("loads the team's rule file from metrics.extraRuleFiles, healthy, beside the stack's own", async () => {
    const { data } = await getJson(`${base}/api/v1/rules`);
    const groups = data.groups as Json[];
    const payments = groups.find((g) => g.name === "payments-http");
    expect(payments?.file).toBe(path.join(dir, "rules", "payments.rules.yml"));
    expect((payments?.rules as Json[]).map((r) => [r.type, r.name, r.health])).toEqual([
      [
        "recording",
        "payments:http_server_requests:server_error_ratio_rate5m",
        expect.stringMatching(/^(ok|unknown)$/),
      ],
      ["alerting", "PaymentsEndpointFailing", expect.stringMatching(/^(ok|unknown)$/)],
    ]);
    expect(new Set(groups.map((g) => path.basename(g.file as string)))).toEqual(
      // monitors.yaml: the extension stack also scrapes ServiceMonitors, whose alert comes with them.
      new Set([
        "services.yaml",
        "slo.yaml",
        "platform.yaml",
        "self-monitoring.yaml",
        "monitors.yaml",
        "payments.rules.yml",
      ]),
    );
  });

  test("applies a changed config by itself, without a restart; its lifecycle endpoints refuse callers", async () => {
    const config = yaml.load(fs.readFileSync(path.join(dir, "prometheus.yml"), "utf8")) as Json;
    config.global.external_labels.reloaded = "yes";
    const pid = prometheus?.process.pid;
    await reloadPrometheusConfig({ base, server: prometheus as Server }, config);
    const { data } = await getJson(`${base}/api/v1/status/config`);
    expect(data.yaml).toContain('reloaded: "yes"');
    for (const endpoint of ["/-/reload", "/-/quit"]) {
      const response = await fetch(`${base}${endpoint}`, { method: "POST" });
      expect([endpoint, response.status]).toEqual([endpoint, 403]);
    }
    expect(prometheus?.process.pid).toBe(pid);
    expect(prometheus?.process.exitCode).toBeNull();
  });
});

describe("a real Alertmanager with a generated config", () => {
  const servers = new Servers();
  let dir: string;
  let webhook: Awaited<ReturnType<typeof webhookReceiver>>;
  let base: string;

  beforeAll(async () => {
    webhook = await webhookReceiver();
    const url = `http://127.0.0.1:${webhook.port}`;
    const objects = await renderWithAlerting("kind", {
      webhook: { url: `${url}/critical-and-warning` },
      watchdog: { url: `${url}/watchdog` },
      groupWait: "1s",
    });
    // Receiver URLs are credentials: they reach Alertmanager only through its Secret.
    expect(configMapData(objects, "alertmanager-config")["alertmanager.yml"]).not.toContain(url);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "alertmanager-"));
    ({ base } = await startAlertmanager(servers, objects, dir));
  });

  afterAll(async () => {
    await servers.stopAll();
    await webhook?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("delivers a firing critical alert and the Watchdog to their webhook receivers", async () => {
    const alerts = [
      {
        labels: { alertname: "ServiceDown", severity: "critical", service: "ticket-service" },
        annotations: { summary: "down" },
      },
      { labels: { alertname: "Watchdog", severity: "none" }, annotations: { summary: "alive" } },
    ];
    const response = await fetch(`${base}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(alerts),
    });
    expect(response.status).toBe(200);
    const byReceiver = await eventually(() => {
      const received = webhook.received as Json[];
      const receivers = new Set(received.map((n) => n.receiver));
      return Promise.resolve(receivers.has("critical") && receivers.has("watchdog") ? received : undefined);
    }, "both notifications");
    const critical = byReceiver.find((n) => n.receiver === "critical");
    expect(critical).toMatchObject({
      status: "firing",
      groupLabels: { alertname: "ServiceDown", service: "ticket-service" },
    });
    expect(critical?.alerts[0].labels).toMatchObject({ severity: "critical", service: "ticket-service" });
    expect(byReceiver.find((n) => n.receiver === "watchdog")?.alerts[0].labels.alertname).toBe("Watchdog");
  });
});
