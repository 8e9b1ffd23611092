// The prod collector tiers (gateway routing by trace ID to an aggregator that tail-samples), each
// killed with SIGKILL while an app streams spans to the gateway as the Java SDK does by default,
// and restarted on the same ports and queue directory 3 s later. The stack's probability is set
// to 1 so that every trace is kept and the sink should hold every acknowledged span. A gateway
// killed the instant it acknowledged an export loses nothing: its persistent queue has it. An
// aggregator holds each trace in tail sampling's memory for decision_wait before deciding, after
// acknowledging it to the gateway: killing it loses the traces it had not decided yet, and only
// those, i.e. spans acknowledged within decision_wait (plus one decision tick) before the kill.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { getJson } from "../../kit/http";
import { Json } from "../../kit/json";
import { LocalCollector, startBackends, startCollector } from "../../kit/localServers";
import { Servers, eventually, restartServer } from "../../kit/processes";
import { configMapData } from "../../kit/rendered";
import { sleep } from "../../kit/sleep";
import { configSetPath } from "../../kit/userEdits";
import { logFault, seconds } from "./faultLog";
import { startOtlpApp } from "../otlpApp";

const RATE = 200;
const BEFORE_KILL_MS = 15000;
const RESTART_AFTER_MS = 3000;
const AFTER_RESTART_MS = 10000;
/** The tail-sampling processor decides once a second. */
const DECISION_TICK_MS = 1000;

async function prodKeepingEveryTrace(): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  return (
    await renderWithConfig("prod", configSetPath(config, "tracing.samplingProbability", "1"), secretKeys)
  ).objects;
}

const arrivedTraces = async (sink: { base: string }) =>
  new Set((await getJson(`${sink.base}/traces`)) as unknown as string[]);

describe("the collector tiers killed mid-stream (prod render, every trace kept)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let sink: Awaited<ReturnType<typeof startBackends>>["sink"];
  let aggregator: LocalCollector;
  let gateway: LocalCollector;
  let decisionWaitMs: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-collector-tiers-"));
    objects = await prodKeepingEveryTrace();
    const aggregatorConfig = configMapData(objects, "otel-collector-aggregator-config")["config.yaml"];
    decisionWaitMs =
      parseFloat((yaml.load(aggregatorConfig) as Json).processors.tail_sampling.decision_wait as string) *
      1000;
    const backends = await startBackends(servers, objects, dir, "otel-collector-aggregator-config");
    sink = backends.sink;
    aggregator = await startCollector(servers, "otel-collector-aggregator", aggregatorConfig, dir, {
      tempo: sink.grpc,
      prometheus: backends.prometheus,
    });
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

  /** Streams spans to the gateway, kills `victim` right after an acknowledgement, restarts it. */
  async function killMidStream(victim: LocalCollector, podName: string) {
    const app = servers.add(
      startOtlpApp(`http://127.0.0.1:${gateway.ports.get(4318)}/v1/traces`, "ticket-service", RATE),
    );
    await sleep(BEFORE_KILL_MS);
    await app.nextAcknowledgement();
    const killedAt = Date.now();
    victim.server.process.kill("SIGKILL");
    await sleep(RESTART_AFTER_MS);
    await restartServer(servers, victim.server, `${victim.base}/`, { env: { POD_NAME: podName } });
    const upAfterMs = Date.now() - killedAt;
    await sleep(AFTER_RESTART_MS);
    await app.stop();
    const { stats } = app;
    // What is queued arrives after the retry backoff (5 s at first) and one decision_wait.
    await eventually(
      async () => {
        const arrived = await arrivedTraces(sink);
        return stats.acks.every((a) => arrived.has(a.traceId)) ? true : undefined;
      },
      "every acknowledged span in the sink",
      60000,
    ).catch(() => undefined);
    const arrived = await arrivedTraces(sink);
    const lost = stats.acks.filter((a) => !arrived.has(a.traceId));
    return { stats, killedAt, upAfterMs, lost, arrived: stats.acks.length - lost.length };
  }

  test("a gateway killed right after acknowledging loses nothing it acknowledged", async () => {
    const { stats, upAfterMs, lost, arrived } = await killMidStream(gateway, "otel-collector-0");
    logFault({
      fault: `collector gateway SIGKILLed right after acknowledging an export, restarted on its ports and queue directory after ${seconds(RESTART_AFTER_MS)} (prod render, probability 1)`,
      sent: `${stats.ended} spans at ${RATE}/s; ${stats.acknowledged} acknowledged (${stats.acks.filter((a) => a.retried).length} only after the SDK retried), ${stats.failed} given up by the SDK`,
      arrived: `${arrived} of them in the trace store, through the aggregator`,
      lost: `${lost.length} acknowledged spans`,
      gap: `gateway down ${seconds(upAfterMs)}`,
    });
    expect(stats.failed + stats.droppedQueueFull).toBe(0);
    expect(lost).toEqual([]);
  }, 150000);

  test("an aggregator killed loses only the traces it had not decided: those acknowledged within decision_wait before the kill", async () => {
    const { stats, killedAt, upAfterMs, lost, arrived } = await killMidStream(
      aggregator,
      "otel-collector-aggregator-0",
    );
    const window = decisionWaitMs + DECISION_TICK_MS;
    const inWindow = stats.acks.filter((a) => a.at <= killedAt && a.at > killedAt - window);
    logFault({
      fault: `collector aggregator SIGKILLed mid-stream, restarted on its ports and queue directory after ${seconds(RESTART_AFTER_MS)} (prod render, probability 1)`,
      sent: `${stats.ended} spans at ${RATE}/s; ${stats.acknowledged} acknowledged by the gateway, ${stats.failed} given up by the SDK`,
      arrived: `${arrived} of them in the trace store`,
      lost: `${lost.length} acknowledged spans, all acknowledged within the ${seconds(window)} before the kill (decision_wait ${seconds(decisionWaitMs)} + one decision tick), when ${inWindow.length} were: tail sampling's undecided traces`,
      gap: `aggregator down ${seconds(upAfterMs)}; the gateway's queue held and resent what it routed meanwhile`,
    });
    expect(stats.failed + stats.droppedQueueFull).toBe(0);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((a) => a.at <= killedAt && a.at > killedAt - window)).toBe(true);
  }, 150000);
});
