// The trace store unreachable. The kind render's collector exports to a port nothing listens on
// for 60 s (or FAULT_TRACE_STORE_OUTAGE_S) while an app sends spans as the Java SDK does, and is SIGKILLed and restarted half-way
// through; then the sink (in Tempo's place) starts there. The exporter's persistent sending queue
// (on disk, as many requests as the stated outage has spans) and its retry (5 s growing to 30 s,
// never giving up) hold every span across the kill and deliver it. Beyond the queue: the same
// collector with only its queue shrunk (a few requests, so a test can fill it) refuses what does
// not fit with an error, so the app knows it was never acknowledged; it counts each refusal in its
// own telemetry, and the stack's TracesDropped alert, evaluated by a real Prometheus with the
// rendered rules on that telemetry, fires.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { PROMETHEUS_PATHS } from "../../../components/metrics/names";
import { KubeObject } from "../../../render/manifest";
import { rendered } from "../../support/renderedStacks";
import { getJson } from "../../kit/http";
import { Running, Servers, eventually, restartServer, freePort } from "../../kit/processes";
import { configMapData } from "../../kit/rendered";
import { logFault, seconds } from "./faultLog";
import {
  LocalCollector,
  reloadPrometheusConfig,
  startCollector,
  startPrometheus,
  startSink,
} from "../../kit/localServers";
import { startOtlpApp } from "../otlpApp";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

/**
 * 60 s in CI. FAULT_TRACE_STORE_OUTAGE_S runs it for longer by hand: past the 300 s after which
 * the in-memory queue's retry used to give up, up to the stated minutes (`tracing.queue`).
 */
const OUTAGE_MS = Number(process.env.FAULT_TRACE_STORE_OUTAGE_S ?? 60) * 1000;
const KILL_AFTER_MS = OUTAGE_MS / 2;
const EXPORTER = "otlp/tempo";

/** Bytes the files under `directory` take on disk. */
function diskBytes(directory: string): number {
  return fs
    .readdirSync(directory)
    .reduce((sum, file) => sum + fs.statSync(path.join(directory, file)).blocks * 512, 0);
}

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
 * The kind collector's config with its Tempo exporter's persistent sending queue holding
 * `queueSize` requests instead of the rendered number; nothing else changes.
 */
function withQueueSize(objects: readonly KubeObject[], queueSize: number): string {
  const config = yaml.load(configMapData(objects, "otel-collector-config")["config.yaml"]) as Json;
  config.exporters[EXPORTER].sending_queue.queue_size = queueSize;
  return yaml.dump(config);
}

/**
 * Points a running Prometheus at the collector's telemetry with the rendered rule files, which it
 * reloads by itself.
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
  await reloadPrometheusConfig(prometheus, config);
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

  test(
    "for 60 s, with a collector kill in it: the persistent queue holds every span and delivers it afterwards",
    async () => {
      const prometheus = await startPrometheus(servers, objects, dir);
      const tempoPort = await freePort();
      const collector = await startCollector(
        servers,
        "otel-collector",
        configMapData(objects, "otel-collector-config")["config.yaml"],
        dir,
        { tempo: `127.0.0.1:${tempoPort}`, prometheus: [prometheus] },
      );
      const app = servers.add(
        startOtlpApp(`http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`, "ticket-service", 20),
      );
      let queuedMax = 0;
      const outageStarts = Date.now();
      const outageEnds = outageStarts + OUTAGE_MS;
      let killed = false;
      let ackedAtKill = 0;
      while (Date.now() < outageEnds) {
        await sleep(5000);
        queuedMax = Math.max(
          queuedMax,
          (await exporterTelemetry(collector)).otelcol_exporter_queue_size ?? 0,
        );
        if (!killed && Date.now() - outageStarts >= KILL_AFTER_MS) {
          killed = true;
          ackedAtKill = app.stats.acknowledged;
          collector.server.process.kill("SIGKILL");
          await sleep(3000);
          await restartServer(servers, collector.server, `${collector.base}/`, {
            env: { POD_NAME: "otel-collector-0" },
          });
        }
      }
      const queueDirectory = path.join(dir, "otel-collector-file_storage-queue");
      const queuedBytes = diskBytes(queueDirectory);
      const queuedSpans = app.stats.acknowledged;
      const sink = await startSink(servers, tempoPort);
      const upAt = Date.now();
      await app.stop();
      const { stats } = app;
      await eventually(
        async () => ((await sinkCount(sink)) === stats.acknowledged ? true : undefined),
        "every acknowledged span in the sink",
        // As below: the exporter's retry and gRPC's reconnect backoff.
        150000,
      ).catch(() => undefined);
      const deliveredAfterMs = Date.now() - upAt;
      const arrived = await sinkCount(sink);
      const telemetry = await exporterTelemetry(collector);
      logFault({
        fault: `trace store unreachable for ${seconds(OUTAGE_MS)}, the collector SIGKILLed and restarted on its queue directory at ${seconds(KILL_AFTER_MS)} (kind collector, rendered persistent sending_queue and retry)`,
        sent: `${stats.ended} spans ended by the app at 20/s; ${stats.acknowledged} acknowledged by the collector, ${stats.failed} given up by the SDK, ${stats.droppedQueueFull} dropped in its queue`,
        arrived: `${arrived} spans in the trace store; the exporter queue held up to ${queuedMax} requests during the outage, ${ackedAtKill} spans acknowledged before the SIGKILL at ${seconds(KILL_AFTER_MS)} among them; ${(queuedBytes / queuedSpans).toFixed(0)} bytes per queued span on disk at the end of the outage`,
        lost: `${stats.acknowledged - arrived} spans; collector counted enqueue_failed ${telemetry.otelcol_exporter_enqueue_failed_spans_total ?? 0}, send_failed ${telemetry.otelcol_exporter_send_failed_spans_total ?? 0}`,
        gap: `outage ${seconds(OUTAGE_MS)}; everything delivered ${seconds(deliveredAfterMs)} after the store came back (retry backoff up to 30 s)`,
      });
      expect(stats.failed + stats.droppedQueueFull).toBe(0);
      expect(queuedMax).toBeGreaterThan(0);
      expect(ackedAtKill).toBeGreaterThan(0);
      expect(arrived).toBe(stats.acknowledged);
      expect(telemetry.otelcol_exporter_enqueue_failed_spans_total ?? 0).toBe(0);
      expect(telemetry.otelcol_exporter_send_failed_spans_total ?? 0).toBe(0);
    },
    OUTAGE_MS + 200000,
  );

  test("beyond the queue: what does not fit is refused, never acknowledged, counted, and raises TracesDropped", async () => {
    const directory = path.join(dir, "prometheus-alerts");
    const prometheus = await startPrometheus(servers, objects, dir, { directory });
    const tempoPort = await freePort();
    const queueSize = 2;
    const renderedConfig = yaml.load(configMapData(objects, "otel-collector-config")["config.yaml"]) as Json;
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
    // Far more requests than the queue and its consumers hold while the store is down, spread over
    // several scrapes: increase() sees a counter grow only between two of them.
    const sendingFrom = Date.now();
    const app = servers.add(
      startOtlpApp(`http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`, "ticket-service", 1000),
    );
    await sleep(30000);
    await app.stop();
    const { stats } = app;
    // The store comes back once the traffic ends; the counters the alert reads stop there anyway.
    const sink = await startSink(servers, tempoPort);
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
    const dropped = async () => {
      const t = await exporterTelemetry(collector);
      const [queueFull, retriesExhausted] = [
        t.otelcol_exporter_enqueue_failed_spans_total ?? 0,
        t.otelcol_exporter_send_failed_spans_total ?? 0,
      ];
      return { queueFull, retriesExhausted };
    };
    // A full persistent queue makes the receiver answer with an error: what it acknowledged is
    // on disk and is delivered; what it refused the SDK retries, then gives up on.
    await eventually(
      async () => ((await sinkCount(sink)) === stats.acknowledged ? true : undefined),
      "the queue delivered",
      // The exporter's retry waits up to 30 s, and gRPC's reconnect backoff after a long outage up to 120 s.
      150000,
    ).catch(() => undefined);
    const arrived = await sinkCount(sink);
    const counted = await dropped();
    logFault({
      fault: `trace store unreachable, more than the queue holds (kind collector with its persistent queue_size ${queueSize} instead of ${renderedConfig.exporters[EXPORTER].sending_queue.queue_size})`,
      sent: `${stats.ended} spans at 1000/s for 30 s; ${stats.acknowledged} acknowledged by the collector; ${stats.failed} refused until the SDK gave up, ${stats.droppedQueueFull} dropped in the SDK's full queue meanwhile`,
      arrived: `${arrived} spans in the trace store after it came back`,
      lost: `0 acknowledged spans (${stats.acknowledged - arrived} missing); ${stats.failed + stats.droppedQueueFull} never acknowledged; the collector counted ${counted.queueFull} refused span exports (enqueue_failed, every SDK attempt), send_failed ${counted.retriesExhausted}; TracesDropped fired (reason=${alert.labels.reason}, value ${Number(alert.value).toFixed(0)})`,
      gap: `TracesDropped firing ${seconds(firedAfterMs)} after the traffic began (scrape and evaluation every 15 s)`,
    });
    expect(stats.failed).toBeGreaterThan(0);
    // Every span the SDK gave up on was refused, and counted, at least once.
    expect(counted.queueFull).toBeGreaterThanOrEqual(stats.failed);
    expect(counted.retriesExhausted).toBe(0);
    expect(arrived).toBe(stats.acknowledged);
    expect(alert.labels).toMatchObject({ exporter: EXPORTER, reason: "queue_full", severity: "warning" });
  }, 300000);
});
