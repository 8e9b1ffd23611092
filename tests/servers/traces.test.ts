// The real collector (built with the OpenTelemetry Collector Builder from exactly the components
// the configs use) with each stack's generated config, writing span metrics and the service graph
// to real Prometheus processes. Tempo 2.x cannot be built from the module proxy here, so an OTLP
// sink (tools/otlp-sink) takes its place at the `otlp/tempo` exporter's endpoint.
//
// Rewritten beyond addresses and ports: k8sattributes runs in passthrough mode, because there is
// no API server to look pods up in; it then tags each span with the sending address only.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../support/renderedStacks";
import { STACKS } from "../kit/stacks";
import { configMapData } from "../kit/rendered";
import { tools } from "../kit/tools";
import { getJson, postJson } from "../kit/http";
import { Running, Servers, eventually } from "../kit/processes";
import { LocalCollector, hex, startBackends, startCollector, startSink } from "../kit/localServers";
import { Json } from "../kit/json";
import { sleep } from "../kit/sleep";

/**
 * The series of a metric in a Prometheus, once there are any. Meanwhile `traffic` runs every 5 s,
 * as a live app keeps calling; on a timeout the collector's own log and telemetry explain why.
 */
async function seriesOf(
  prometheus: Running,
  query: string,
  collector: LocalCollector,
  traffic: () => Promise<void>,
): Promise<Json[]> {
  const deadline = Date.now() + 90000;
  let lastTraffic = 0;
  while (Date.now() < deadline) {
    if (Date.now() - lastTraffic > 5000) {
      await traffic();
      lastTraffic = Date.now();
    }
    const { data } = await getJson(`${prometheus.base}/api/v1/query?query=${encodeURIComponent(query)}`);
    if ((data.result as Json[]).length > 0) {
      return data.result as Json[];
    }
    await sleep(500);
  }
  const telemetry = await (await fetch(`http://127.0.0.1:${collector.ports.get(8888)}/metrics`)).text();
  throw new Error(
    `no ${query} in Prometheus after 90 s.\ncollector telemetry:\n` +
      telemetry
        .split("\n")
        .filter((l) => /servicegraph|spanmetrics|sent|failed|refused|dropped/.test(l) && !l.startsWith("#"))
        .join("\n") +
      `\ncollector log:\n${collector.server.output().slice(-4000)}`,
  );
}

/**
 * Span metric names the provisioned dashboards, the Tempo datasource and the recording rules (which
 * the dashboards read the series of) query; a recorded series' own name is not one.
 */
function traceMetricNames(objects: readonly KubeObject[]): string[] {
  const text = [
    ...Object.values(configMapData(objects, "grafana-dashboards")),
    ...Object.values(configMapData(objects, "grafana-provisioning")),
    ...Object.values(configMapData(objects, "prometheus-rules")),
  ].join("\n");
  return [...new Set(text.match(/(?<![\w:])traces_[a-z_]+(?![\w:])/g) ?? [])].sort();
}

const micros = (ms: number) => ms * 1000;

/** A call gateway-service → ticket-service as two Zipkin v2 spans (client and server). */
function zipkinCall(traceId: string) {
  const start = micros(Date.now() - 500);
  const clientId = hex(8);
  return [
    {
      traceId,
      id: clientId,
      name: "get /api/tickets",
      kind: "CLIENT",
      timestamp: start,
      duration: micros(120),
      localEndpoint: { serviceName: "gateway-service" },
      remoteEndpoint: { serviceName: "ticket-service" },
      tags: { "http.method": "GET", "http.path": "/api/tickets" },
    },
    {
      traceId,
      id: hex(8),
      parentId: clientId,
      name: "get /api/tickets",
      kind: "SERVER",
      timestamp: start + micros(5),
      duration: micros(100),
      localEndpoint: { serviceName: "ticket-service" },
      tags: { "http.method": "GET", "http.status_code": "200" },
    },
  ];
}

/** One trace of one OTLP span, as an app with OTEL_RESOURCE_ATTRIBUTES sends it. */
function otlpTrace(traceId: string, options: { durationMs: number; error: boolean; service?: string }) {
  const end = BigInt(Date.now()) * 1_000_000n;
  const start = end - BigInt(options.durationMs) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: options.service ?? "queue-service" } },
            { key: "deployment.environment", value: { stringValue: "test" } },
            { key: "k8s.namespace.name", value: { stringValue: "tiketi-spring" } },
          ],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: hex(8),
                name: "POST /api/queue/enter",
                kind: 2,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(end),
                attributes: [{ key: "http.request.method", value: { stringValue: "POST" } }],
                status: { code: options.error ? 2 : 1 },
              },
            ],
          },
        ],
      },
    ],
  };
}

async function sinkTrace(sink: { base: string }, traceId: string): Promise<Json[] | undefined> {
  const response = await fetch(`${sink.base}/traces/${traceId}`);
  return response.ok ? ((await response.json()) as Json[]) : undefined;
}

test("the built collector has exactly the components the generated configs use, no more", async () => {
  const sections = ["receivers", "processors", "exporters", "connectors", "extensions"] as const;
  const used = new Map<string, Set<string>>(sections.map((s) => [s, new Set<string>()]));
  for (const stack of STACKS) {
    const { objects } = await rendered(stack);
    for (const configMap of ["otel-collector-config", "otel-collector-aggregator-config"]) {
      const data = objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === configMap)
        ? (yaml.load(configMapData(objects, configMap)["config.yaml"]) as Json)
        : {};
      for (const section of sections) {
        Object.keys((data[section] as Json | undefined) ?? {}).forEach((id) =>
          used.get(section)?.add(id.split("/")[0]),
        );
      }
    }
  }
  const { stdout } = await promisify(execFile)(tools.otelcol(), ["components"]);
  const built = yaml.load(stdout) as Record<string, { name: string }[]>;
  for (const section of sections) {
    expect([section, built[section].map((c) => c.name).sort()]).toEqual([
      section,
      [...(used.get(section) ?? [])].sort(),
    ]);
  }
});

test("the collector's manifest and its builder are one release", () => {
  const toolsDir = path.resolve(__dirname, "../../tools");
  const builder = /go\.opentelemetry\.io\/collector\/cmd\/builder (v\S+)/.exec(
    fs.readFileSync(path.join(toolsDir, "ocb/go.mod"), "utf8"),
  )?.[1];
  const manifest = yaml.load(fs.readFileSync(path.join(toolsDir, "otelcol/manifest.yaml"), "utf8")) as Json;
  const versions = ["receivers", "processors", "exporters", "connectors", "extensions"].flatMap((section) =>
    (manifest[section] as Json[]).map((c) => (c.gomod as string).split(" ")[1]),
  );
  expect(builder).toBeDefined();
  expect(new Set([...versions, `v${manifest.dist.version as string}`])).toEqual(new Set([builder]));
});

describe("the collector with the kind stack's config (one tier, no tail sampling)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let sink: Awaited<ReturnType<typeof startSink>>;
  let prometheus: Running[];
  let collector: LocalCollector;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "collector-kind-"));
    objects = (await rendered("kind")).objects;
    ({ sink, prometheus } = await startBackends(servers, objects, dir, "otel-collector-config"));
    collector = await startCollector(
      servers,
      "otel-collector",
      configMapData(objects, "otel-collector-config")["config.yaml"],
      dir,
      { tempo: sink.grpc, prometheus },
    );
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("1. the collector starts with the generated config and reports healthy; Prometheus is ready", async () => {
    expect((await fetch(`${collector.base}/`)).status).toBe(200);
    for (const p of prometheus) expect((await fetch(`${p.base}/-/ready`)).status).toBe(200);
  });

  test("3. Zipkin spans on 9411 and OTLP spans on 4318 reach the trace store by trace ID, with their attributes", async () => {
    const zipkinTrace = hex(16);
    const otlpTraceId = hex(16);
    await postJson(`http://127.0.0.1:${collector.ports.get(9411)}/api/v2/spans`, zipkinCall(zipkinTrace));
    await postJson(
      `http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`,
      otlpTrace(otlpTraceId, { durationMs: 30, error: false }),
    );
    const zipkin = await eventually(() => sinkTrace(sink, zipkinTrace), "the Zipkin trace", 30000);
    expect(zipkin.map((s) => s.resourceAttributes["service.name"]).sort()).toEqual([
      "gateway-service",
      "ticket-service",
    ]);
    const server = zipkin.find((s) => s.resourceAttributes["service.name"] === "ticket-service") as Json;
    expect(server.attributes).toMatchObject({ "http.method": "GET", "http.status_code": "200" });
    // k8sattributes ran: it tagged the span with the address it came from.
    expect(server.resourceAttributes["k8s.pod.ip"]).toBe("127.0.0.1");

    const otlp = await eventually(() => sinkTrace(sink, otlpTraceId), "the OTLP trace", 30000);
    expect(otlp[0].resourceAttributes).toMatchObject({
      "service.name": "queue-service",
      "deployment.environment": "test",
      "k8s.namespace.name": "tiketi-spring",
      "k8s.pod.ip": "127.0.0.1",
    });
    expect(otlp[0].attributes).toEqual({ "http.request.method": "POST" });
  });

  test("4. span metrics and the service graph reach every Prometheus replica under the names the dashboards and their rules read", async () => {
    const names = traceMetricNames(objects);
    expect(names).toEqual([
      "traces_service_graph_request_total",
      "traces_spanmetrics_calls_total",
      "traces_spanmetrics_duration_seconds_bucket",
      "traces_spanmetrics_duration_seconds_count",
      "traces_spanmetrics_duration_seconds_sum",
    ]);
    const call = () =>
      postJson(`http://127.0.0.1:${collector.ports.get(9411)}/api/v2/spans`, zipkinCall(hex(16)));
    for (const p of prometheus) {
      for (const name of names) {
        expect((await seriesOf(p, name, collector, call))[0].metric).toHaveProperty(
          "collector_pod",
          "otel-collector-0",
        );
      }
      const edge = await seriesOf(
        p,
        'traces_service_graph_request_total{client="gateway-service",server="ticket-service"}',
        collector,
        call,
      );
      expect(edge).toHaveLength(1);
      const calls = await seriesOf(
        p,
        'traces_spanmetrics_calls_total{service_name="ticket-service"}',
        collector,
        call,
      );
      expect(calls).not.toEqual([]);
    }
  });
});

describe("the collector with the prod stack's config (gateway and aggregator tiers, tail sampling)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let sink: Awaited<ReturnType<typeof startSink>>;
  let prometheus: Running[];
  let aggregator: LocalCollector;
  let gateway: LocalCollector;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "collector-prod-"));
    objects = (await rendered("prod")).objects;
    ({ sink, prometheus } = await startBackends(servers, objects, dir, "otel-collector-aggregator-config"));
    aggregator = await startCollector(
      servers,
      "otel-collector-aggregator",
      configMapData(objects, "otel-collector-aggregator-config")["config.yaml"],
      dir,
      { tempo: sink.grpc, prometheus },
    );
    gateway = await startCollector(
      servers,
      "otel-collector",
      configMapData(objects, "otel-collector-config")["config.yaml"],
      dir,
      { tempo: sink.grpc, prometheus: [], aggregator: aggregator.ports.get(4317) },
    );
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const otlpUrl = () => `http://127.0.0.1:${gateway.ports.get(4318)}/v1/traces`;

  test("1. both tiers start with the generated configs and report healthy; both Prometheus replicas are ready", async () => {
    expect(prometheus).toHaveLength(2);
    for (const base of [gateway.base, aggregator.base]) expect((await fetch(`${base}/`)).status).toBe(200);
    for (const p of prometheus) expect((await fetch(`${p.base}/-/ready`)).status).toBe(200);
  });

  test("3. Zipkin and OTLP spans sent to the gateway reach the trace store through the aggregator, with their attributes", async () => {
    // Both are kept whatever the probability: the Zipkin call is slow, the OTLP trace failed.
    const zipkinTrace = hex(16);
    const otlpTraceId = hex(16);
    const slowCall = zipkinCall(zipkinTrace).map((span) => ({ ...span, duration: micros(1500) }));
    await postJson(`http://127.0.0.1:${gateway.ports.get(9411)}/api/v2/spans`, slowCall);
    await postJson(otlpUrl(), otlpTrace(otlpTraceId, { durationMs: 30, error: true }));
    const zipkin = await eventually(() => sinkTrace(sink, zipkinTrace), "the Zipkin trace", 40000);
    expect(zipkin.map((s) => s.resourceAttributes["service.name"]).sort()).toEqual([
      "gateway-service",
      "ticket-service",
    ]);
    // The gateway's k8sattributes tagged the spans before routing them.
    for (const span of zipkin) expect(span.resourceAttributes["k8s.pod.ip"]).toBe("127.0.0.1");
    const otlp = await eventually(() => sinkTrace(sink, otlpTraceId), "the OTLP trace", 40000);
    expect(otlp[0]).toMatchObject({
      status: "Error",
      resourceAttributes: { "service.name": "queue-service", "k8s.namespace.name": "tiketi-spring" },
    });
  });

  test("4. the aggregator's span metrics and service graph reach both Prometheus replicas, labelled with its pod", async () => {
    const call = () =>
      postJson(`http://127.0.0.1:${gateway.ports.get(9411)}/api/v2/spans`, zipkinCall(hex(16)));
    for (const p of prometheus) {
      for (const name of traceMetricNames(objects)) {
        expect((await seriesOf(p, name, aggregator, call))[0].metric).toHaveProperty(
          "collector_pod",
          "otel-collector-aggregator-0",
        );
      }
    }
  });

  test("5. of 1,000 traces, every error and every slow trace is kept, and the kept share of the rest matches the probability", async () => {
    const config = yaml.load(
      configMapData(objects, "otel-collector-aggregator-config")["config.yaml"],
    ) as Json;
    const policies = config.processors.tail_sampling.policies as Json[];
    const probability =
      (policies.find((p) => p.type === "probabilistic") as Json).probabilistic.sampling_percentage / 100;
    const thresholdMs = (policies.find((p) => p.type === "latency") as Json).latency.threshold_ms as number;
    expect({ probability, thresholdMs }).toEqual({ probability: 0.1, thresholdMs: 1000 });

    const kinds = [
      ...Array.from({ length: 100 }, () => ({ kind: "error", durationMs: 40, error: true })),
      ...Array.from({ length: 100 }, () => ({ kind: "slow", durationMs: thresholdMs + 500, error: false })),
      ...Array.from({ length: 800 }, () => ({ kind: "ordinary", durationMs: 20, error: false })),
    ];
    const traces = kinds.map((k) => ({ ...k, traceId: hex(16) }));
    for (let i = 0; i < traces.length; i += 50) {
      const batch = traces.slice(i, i + 50);
      await postJson(otlpUrl(), {
        resourceSpans: batch.flatMap(
          (t) => otlpTrace(t.traceId, { ...t, service: "sampling-probe" }).resourceSpans,
        ),
      });
    }

    // Decisions come 10 s (decision_wait) after a trace's first span: wait for the traces the
    // policies must keep (a slow machine decides late), then until the store settles.
    const ids = async () => new Set((await getJson(`${sink.base}/traces`)) as unknown as string[]);
    let kept = await ids();
    const keptOf = (kind: string) => traces.filter((t) => t.kind === kind && kept.has(t.traceId)).length;
    await eventually(
      async () => {
        kept = await ids();
        return keptOf("error") === 100 && keptOf("slow") === 100 ? true : undefined;
      },
      "every error and slow trace in the store",
      120000,
    ).catch(() => undefined);
    let previous = -1;
    while (kept.size !== previous) {
      previous = kept.size;
      await sleep(3000);
      kept = await ids();
    }
    const ordinary = keptOf("ordinary");
    console.log(
      `tail sampling: kept ${keptOf("error")}/100 error, ${keptOf("slow")}/100 slow, ${ordinary}/800 ordinary traces`,
    );
    expect(keptOf("error")).toBe(100);
    expect(keptOf("slow")).toBe(100);
    // Each ordinary trace is kept independently with p = 0.1 (the policy hashes the random trace
    // ID), so the count is Binomial(800, 0.1): mean 80, standard deviation sqrt(800·0.1·0.9) ≈ 8.5.
    // Four standard deviations either side, [46, 114], fail a correct collector about once in
    // 16,000 runs; a probability applied at 0.05 or 0.2 would land outside it almost surely.
    const mean = 800 * probability;
    const sd = Math.sqrt(800 * probability * (1 - probability));
    expect(ordinary).toBeGreaterThanOrEqual(Math.floor(mean - 4 * sd));
    expect(ordinary).toBeLessThanOrEqual(Math.ceil(mean + 4 * sd));
  });
});
