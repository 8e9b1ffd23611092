// The demo's three services, run by the local `node` from the very JavaScript the kind render puts
// in their ConfigMap and with their rendered environment, against the real collector (kind's
// config), the OTLP sink in Tempo's place, the Loki stand-in (tests/kit/lokiStandIn.ts) and a real
// Prometheus scraping them through the rendered app scrape job's relabeling. Their stdout goes to
// their pods' CRI log files, which the real Alloy tails and pushes to the Loki stand-in. kind's log agent runs in `api` mode by
// default, which needs the Kubernetes API; the stack is rendered with `logs.collectionMode: node`
// so that Alloy reads the files (nothing else in the render depends on the mode).
//
// Rewritten beyond addresses and ports: the load (20 requests a second instead of 2, so that the
// 3 % of failing payments show within seconds).
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { DEMO_NAMESPACE, DEMO_PROGRAM_CONFIGMAP, DEMO_SERVICES } from "../../components/demo/names";
import { FIRST_LOOK_ERRORS, FIRST_LOOK_SERVICE } from "../../components/firstLook";
import { RecordingRule, RuleFile } from "../../components/common/prometheusTypes";
import { KubeObject } from "../../render/manifest";
import { getJson } from "../kit/http";
import { Running, Server, Servers, eventually, freePort } from "../kit/processes";
import { configMapData, objectNamed, prometheusYml } from "../kit/rendered";
import {
  LocalCollector,
  LogPod,
  reloadPrometheusConfig,
  renderNodeMode,
  startAlloy,
  startBackends,
  startCollector,
  startLoki,
  writePodLog,
} from "../kit/localServers";
import { LokiStandIn } from "../kit/lokiStandIn";
import { Json } from "../kit/json";
import { demoScrapeJob, renderedDemoEnv } from "../kit/demo";

const LOAD_PER_SECOND = "20";

/** A demo service's pod as the render makes it: its namespace, pod template labels and container. */
function demoPod(objects: readonly KubeObject[], service: string, index: number): LogPod {
  const template = objectNamed(objects, "Deployment", service).spec.template as Json;
  return {
    namespace: DEMO_NAMESPACE,
    name: `${service}-6c9d7f-x2kq4`,
    uid: `6c9d7f00-0000-4000-8000-00000000000${index}`,
    container: (template.spec.containers as Json[])[0].name as string,
    labels: template.metadata.labels as Record<string, string>,
    node: "observability-control-plane",
    ip: `10.244.0.${10 + index}`,
  };
}

describe("the demo through the real collector, Alloy and Prometheus and the Loki stand-in (kind render, logs in node mode)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let loki: LokiStandIn;
  let collector: LocalCollector;
  let sink: { base: string };
  let prometheus: Running;
  /** The first series of an instant query at the demo's Prometheus whose value is above 0, if any. */
  const positiveSeries = async (query: string): Promise<Json | undefined> => {
    const { data } = await getJson(`${prometheus.base}/api/v1/query?query=${encodeURIComponent(query)}`);
    const [series] = data.result as Json[];
    return series !== undefined && Number(series.value[1]) > 0 ? series : undefined;
  };
  const demo = new Map<string, { server: Server; port: number }>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-"));
    objects = await renderNodeMode("kind");
    const backends = await startBackends(servers, objects, dir, "otel-collector-config");
    sink = backends.sink;
    [prometheus] = backends.prometheus;
    collector = await startCollector(
      servers,
      "otel-collector",
      configMapData(objects, "otel-collector-config")["config.yaml"],
      dir,
      { tempo: backends.sink.grpc, prometheus: backends.prometheus },
    );
    // Nothing here fires a log alert: the Alertmanager address is never called.
    loki = await startLoki(servers, objects);
    // The pods' log files exist before Alloy starts, as the kubelet creates them with the container.
    DEMO_SERVICES.forEach((service, i) => writePodLog(dir, demoPod(objects, service.name, i), []));
    await startAlloy(
      servers,
      objects,
      dir,
      loki.base,
      DEMO_SERVICES.map((service, i) => demoPod(objects, service.name, i)),
    );

    const program = path.join(dir, "demo.js");
    fs.writeFileSync(program, configMapData(objects, DEMO_PROGRAM_CONFIGMAP)["demo.js"]);
    const ports = new Map<string, number>();
    for (const service of DEMO_SERVICES) ports.set(service.name, await freePort());
    // Callees first, so that the frontend's first requests find them.
    for (const service of [...DEMO_SERVICES].reverse()) {
      const port = ports.get(service.name) as number;
      const env = renderedDemoEnv(objects, service.name);
      const local: Record<string, string> = {
        ...env,
        PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.ports.get(4318)}`,
        ZIPKIN_ENDPOINT: `http://127.0.0.1:${collector.ports.get(9411)}/api/v2/spans`,
        ...(env.DEMO_DOWNSTREAM === undefined
          ? {}
          : {
              DEMO_DOWNSTREAM: env.DEMO_DOWNSTREAM.replace(
                /http:\/\/([a-z-]+)\.[a-z-]+\.svc:\d+/,
                (_, callee: string) => `http://127.0.0.1:${ports.get(callee)}`,
              ),
            }),
        ...(env.DEMO_LOAD_PER_SECOND === undefined ? {} : { DEMO_LOAD_PER_SECOND: LOAD_PER_SECOND }),
      };
      const server = await servers.start(
        process.execPath,
        [program],
        `http://127.0.0.1:${port}/actuator/health`,
        {
          env: local,
        },
      );
      demo.set(service.name, { server, port });
    }

    const prometheusConfig = prometheusYml(objects);
    const scraping = {
      global: { ...prometheusConfig.global, scrape_interval: "2s" },
      scrape_configs: [
        demoScrapeJob(objects, new Map([...demo].map(([name, { port }]) => [name, port])), "2s"),
      ],
    };
    await reloadPrometheusConfig(prometheus, scraping);
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a demo trace ID from an ERROR line is found by the first look's LogQL, the same trace reached the trace store across the three services, and its service's request rate is in Prometheus", async () => {
    // 1. The payments service fails some requests and logs each failure as Spring would.
    const errorLine = await eventually(
      () =>
        Promise.resolve(
          demo
            .get(FIRST_LOOK_SERVICE)
            ?.server.output()
            .split("\n")
            .find((line) => / ERROR \[demo-payments,[0-9a-f]{32},/.test(line)),
        ),
      "an ERROR line from demo-payments",
      60000,
    );
    // Once each caller has logged its side of the failure, everything goes to the pods' log files
    // for Alloy to tail.
    const failedTrace = /\[demo-payments,([0-9a-f]{32}),/.exec(errorLine)![1];
    await eventually(
      () =>
        Promise.resolve(
          DEMO_SERVICES.every((service) =>
            demo.get(service.name)?.server.output().includes(`,${failedTrace},`),
          )
            ? true
            : undefined,
        ),
      `every demo service's line of trace ${failedTrace}`,
      30000,
    );
    DEMO_SERVICES.forEach((service, i) => {
      const output = demo.get(service.name)?.server.output() ?? "";
      writePodLog(
        dir,
        demoPod(objects, service.name, i),
        output.split("\n").filter((line) => line !== ""),
      );
    });

    // 2. The query the first look opens finds error lines; each carries its trace ID as metadata.
    const query = encodeURIComponent(FIRST_LOOK_ERRORS);
    const streams = await eventually(
      async () => {
        const { data } = await getJson(
          `${loki.base}/loki/api/v1/query_range?query=${query}&limit=100`,
          loki.headers,
        );
        return (data.result as Json[]).length > 0 ? (data.result as Json[]) : undefined;
      },
      "the demo's error lines in Loki",
      30000,
    );
    const lines = streams.flatMap((s) =>
      (s.values as [string, string][]).map(([, line]) => ({ stream: s.stream as Json, line })),
    );
    const found = lines.find(({ line }) => line === errorLine);
    expect(found).toBeDefined();
    const traceId = found?.stream.trace_id as string;
    expect(errorLine).toContain(`[demo-payments,${traceId},`);
    expect(found?.stream).toMatchObject({
      namespace: DEMO_NAMESPACE,
      app: FIRST_LOOK_SERVICE,
      level: "error",
    });
    // And by the trace ID alone, as Tempo's traces-to-logs link asks, the line comes back.
    const byTrace = encodeURIComponent(`{namespace="${DEMO_NAMESPACE}"} | trace_id="${traceId}"`);
    const { data: traced } = await getJson(
      `${loki.base}/loki/api/v1/query_range?query=${byTrace}&limit=100`,
      loki.headers,
    );
    const tracedLines = (traced.result as Json[]).flatMap((s) =>
      (s.values as [string, string][]).map(([, l]) => l),
    );
    expect(tracedLines).toContain(errorLine);

    // 3. The same trace reached the trace store: spans of all three services (payments by
    // Zipkin, the others by OTLP, server and client spans), the failure marked as an error.
    const spans = await eventually(
      async () => {
        const response = await fetch(`${sink.base}/traces/${traceId}`);
        const all = response.ok ? ((await response.json()) as Json[]) : [];
        const services = new Set(all.map((s) => s.resourceAttributes["service.name"] as string));
        return DEMO_SERVICES.every((s) => services.has(s.name)) ? all : undefined;
      },
      `trace ${traceId} from every demo service in the trace store`,
      30000,
    );
    const ofService = (name: string) => spans.filter((s) => s.resourceAttributes["service.name"] === name);
    expect(ofService("demo-frontend").length).toBeGreaterThanOrEqual(2);
    expect(ofService("demo-checkout").length).toBeGreaterThanOrEqual(2);
    expect(ofService("demo-payments").length).toBeGreaterThanOrEqual(1);
    expect(ofService("demo-payments").map((s) => s.status)).toContain("Error");
    expect(ofService("demo-frontend").map((s) => s.status)).toContain("Error");

    // 4. Its service's request rate, from the metrics the demo serves as Spring would, scraped
    // through the rendered app job (labels service and tier=app), and from its spans.
    const rate = await eventually(
      () =>
        positiveSeries(
          `sum by (service, namespace, tier) (rate(http_server_requests_seconds_count{service="${FIRST_LOOK_SERVICE}"}[30s]))`,
        ),
      `the request rate of ${FIRST_LOOK_SERVICE}`,
      60000,
    );
    expect(rate.metric).toEqual({ service: FIRST_LOOK_SERVICE, namespace: DEMO_NAMESPACE, tier: "app" });
    // The error's series appears at the first scrape after the first failed request.
    await eventually(
      () =>
        positiveSeries(
          `sum(http_server_requests_seconds_count{service="${FIRST_LOOK_SERVICE}", outcome="SERVER_ERROR", exception="IllegalStateException"})`,
        ),
      `${FIRST_LOOK_SERVICE}'s failed requests in Prometheus`,
      60000,
    );
    await eventually(
      () => positiveSeries(`sum(traces_spanmetrics_calls_total{service_name="${FIRST_LOOK_SERVICE}"})`),
      `span metrics of ${FIRST_LOOK_SERVICE}`,
      90000,
    );
  });

  test("the kind stack's business SLOs have data: their 5-minute error ratios over the counters the demo publishes", async () => {
    const ratios = Object.values(configMapData(objects, "prometheus-rules"))
      .flatMap((text) => (yaml.load(text) as RuleFile).groups.flatMap((g) => g.rules))
      .filter((r): r is RecordingRule => "record" in r && r.record === "slo:sli_error:ratio_rate5m");
    expect(ratios.map((r) => r.labels?.slo).sort()).toEqual([
      "demo-payment-failures",
      "demo-seat-lock-conflicts",
    ]);
    for (const rule of ratios) {
      const ratio = await eventually(
        async () => {
          const series = await positiveSeries(rule.expr);
          return series === undefined ? undefined : Number(series.value[1]);
        },
        `the error ratio of ${rule.labels?.slo}`,
        60000,
      );
      console.log(`${rule.labels?.slo}: error ratio ${ratio.toFixed(4)} over the last 5 minutes`);
      // The demo fails 3 % of payments and makes 5 % of checkouts wait for the seat lock.
      expect(ratio).toBeLessThan(0.3);
    }
  });
});
