// The trace store unreachable. The kind render's collector exports to a port
// nothing listens on for 60 s while an app sends spans as the Java SDK does; then the sink (in
// Tempo's place) starts there. The exporter's in-memory sending queue (5000 batches) and retry
// (5 s growing to 30 s, for up to 300 s) hold every span and deliver it. Beyond the queue: the
// same collector with only its queue shrunk (a few batches, so a test can fill it) drops what does
// not fit, counts it in its own telemetry, and the stack's TracesDropped alert, evaluated by a
// real Prometheus with the rendered rules on that telemetry, fires.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { PROMETHEUS_PATHS } from "../../components/metrics/names";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../renderedStacks";
import { getJson } from "../../testkit/http";
import { Running, Servers, eventually, freePort } from "../../testkit/processes";
import { configMapData } from "../../testkit/rendered";
import { logFault, seconds } from "./faultLog";
import { LocalCollector, startCollector, startPrometheus, startSink } from "../../testkit/localServers";
import { startOtlpApp } from "./otlpApp";
import { Json } from "../../testkit/json";
import { sleep } from "../../testkit/sleep";

const OUTAGE_MS = 60000;
const EXPORTER = "otlp/tempo";

/** The collector's own counters and gauges for the Tempo exporter, by metric name. */
async function exporterTelemetry(collector: LocalCollector): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${collector.ports.get(8888)}/metrics`)).text();
  const values: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^(otelcol_exporter_[a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match !== null && match[2].includes(`exporter="${EXPORTER}"`)) {
      values[match[1]] = (values[match[1]] ?? 0) + Number(match[3]);
    }
  }
  return values;
}

const sinkCount = async (sink: { base: string }) =>
  ((await getJson(`${sink.base}/traces`)) as unknown as string[]).length;

/**
 * The kind collector's config with its Tempo exporter's sending queue holding `queueSize` batches
 * instead of the rendered one; nothing else changes.
 */
function withQueueSize(objects: readonly KubeObject[], queueSize: number): string {
  const config = yaml.load(configMapData(objects, "otel-collector-config")["config.yaml"]) as Json;
  config.exporters[EXPORTER].sending_queue.queue_size = queueSize;
  return yaml.dump(config);
}

/**
 * Points a running Prometheus at the collector's telemetry with the rendered rule files, and
 * reloads it (the rendered flags enable the reload endpoint, which the config reloader uses).
 */
async function evaluateRulesOn(
  objects: readonly KubeObject[],
  prometheus: Running,
  directory: string,
  collector: LocalCollector,
): Promise<void> {
  const rendered = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json;
  const rules = path.join(directory, "rules");
  fs.mkdirSync(rules, { recursive: true });
  for (const [file, content] of Object.entries(configMapData(objects, "prometheus-rules"))) {
    fs.writeFileSync(path.join(rules, file), content);
  }
  const config = {
    global: rendered.global,
    rule_files: (rendered.rule_files as string[]).map((f) => f.replace(PROMETHEUS_PATHS.rulesDir, rules)),
    scrape_configs: [
      {
        job_name: "otel-collector",
        static_configs: [
          {
            targets: [`127.0.0.1:${collector.ports.get(8888)}`],
            labels: { namespace: "observability", pod: "otel-collector-0" },
          },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(directory, "prometheus.yml"), yaml.dump(config));
  const response = await fetch(`${prometheus.base}/-/reload`, { method: "POST" });
  expect(response.status).toBe(200);
}

describe("the trace store unreachable (kind render)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-trace-store-"));
    objects = (await rendered("kind")).objects;
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("for 60 s: the collector's queue holds every span and delivers it afterwards", async () => {
    const prometheus = await startPrometheus(servers, objects, dir);
    const tempoPort = await freePort();
    const collector = await startCollector(
      servers,
      "otel-collector",
      configMapData(objects, "otel-collector-config")["config.yaml"],
      dir,
      { tempo: `127.0.0.1:${tempoPort}`, prometheus: [prometheus] },
    );
    const app = startOtlpApp(`http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`, "ticket-service", 20);
    let queuedMax = 0;
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      await sleep(5000);
      queuedMax = Math.max(queuedMax, (await exporterTelemetry(collector)).otelcol_exporter_queue_size ?? 0);
    }
    const sink = await startSink(servers, tempoPort);
    const upAt = Date.now();
    await app.stop();
    const { stats } = app;
    await eventually(
      async () => ((await sinkCount(sink)) === stats.acknowledged ? true : undefined),
      "every acknowledged span in the sink",
      60000,
    ).catch(() => undefined);
    const deliveredAfterMs = Date.now() - upAt;
    const arrived = await sinkCount(sink);
    const telemetry = await exporterTelemetry(collector);
    logFault({
      fault: "trace store unreachable for 60 s (kind collector, rendered sending_queue and retry)",
      sent: `${stats.ended} spans ended by the app at 20/s; ${stats.acknowledged} acknowledged by the collector, ${stats.failed} given up by the SDK, ${stats.droppedQueueFull} dropped in its queue`,
      arrived: `${arrived} spans in the trace store; the exporter queue held up to ${queuedMax} batches during the outage`,
      lost: `${stats.acknowledged - arrived} spans; collector counted enqueue_failed ${telemetry.otelcol_exporter_enqueue_failed_spans_total ?? 0}, send_failed ${telemetry.otelcol_exporter_send_failed_spans_total ?? 0}`,
      gap: `outage ${seconds(OUTAGE_MS)}; everything delivered ${seconds(deliveredAfterMs)} after the store came back (retry backoff up to 30 s)`,
    });
    expect(stats.failed + stats.droppedQueueFull).toBe(0);
    expect(queuedMax).toBeGreaterThan(0);
    expect(arrived).toBe(stats.acknowledged);
    expect(telemetry.otelcol_exporter_enqueue_failed_spans_total ?? 0).toBe(0);
    expect(telemetry.otelcol_exporter_send_failed_spans_total ?? 0).toBe(0);
  }, 200000);

  test("beyond the queue: what is dropped is counted and raises TracesDropped", async () => {
    const directory = path.join(dir, "prometheus-alerts");
    const prometheus = await startPrometheus(servers, objects, dir, { directory });
    const tempoPort = await freePort();
    const queueSize = 2;
    const collector = await startCollector(
      servers,
      "otel-collector-small-queue",
      withQueueSize(objects, queueSize),
      dir,
      {
        tempo: `127.0.0.1:${tempoPort}`,
        prometheus: [prometheus],
      },
    );
    await evaluateRulesOn(objects, prometheus, directory, collector);
    // Far more batches than the queue and its consumers hold while the store is down, spread over
    // several scrapes: increase() sees a counter grow only between two of them.
    const sendingFrom = Date.now();
    const app = startOtlpApp(
      `http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`,
      "ticket-service",
      1000,
    );
    await sleep(30000);
    await app.stop();
    const { stats } = app;
    const alert = await eventually(
      async () => {
        const { data } = await getJson(`${prometheus.base}/api/v1/alerts`);
        return (data.alerts as Json[]).find(
          (a) => a.labels.alertname === "TracesDropped" && a.state === "firing",
        );
      },
      "TracesDropped firing",
      90000,
    );
    const firedAfterMs = Date.now() - sendingFrom;
    const sink = await startSink(servers, tempoPort);
    const dropped = async () => {
      const t = await exporterTelemetry(collector);
      const [queueFull, retriesExhausted] = [
        t.otelcol_exporter_enqueue_failed_spans_total ?? 0,
        t.otelcol_exporter_send_failed_spans_total ?? 0,
      ];
      return { queueFull, retriesExhausted, total: queueFull + retriesExhausted };
    };
    // Everything acknowledged is either delivered or counted as dropped: nothing vanishes unseen.
    await eventually(
      async () =>
        (await sinkCount(sink)) + (await dropped()).total === stats.acknowledged ? true : undefined,
      "the queue delivered",
      60000,
    ).catch(() => undefined);
    const arrived = await sinkCount(sink);
    const counted = await dropped();
    logFault({
      fault: `trace store unreachable, more than the queue holds (kind collector with queue_size ${queueSize} instead of 5000)`,
      sent: `${stats.ended} spans at 1000/s for 30 s; ${stats.acknowledged} acknowledged by the collector, ${stats.failed + stats.droppedQueueFull} lost in the SDK`,
      arrived: `${arrived} spans in the trace store after it came back`,
      lost: `${counted.total} spans, counted by the collector (enqueue_failed ${counted.queueFull}, send_failed ${counted.retriesExhausted}); TracesDropped fired (reason=${alert.labels.reason}, value ${Number(alert.value).toFixed(0)})`,
      gap: `TracesDropped firing ${seconds(firedAfterMs)} after the traffic began (scrape and evaluation every 15 s)`,
    });
    expect(counted.queueFull).toBeGreaterThan(0);
    expect(arrived + counted.total).toBe(stats.acknowledged);
    expect(alert.labels).toMatchObject({ exporter: EXPORTER, reason: "queue_full", severity: "warning" });
  }, 240000);
});
