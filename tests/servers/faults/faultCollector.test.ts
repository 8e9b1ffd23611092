// The collector (kind render, one tier) killed with SIGKILL while an app streams spans to it as
// the Java SDK does by default, the instant the collector has acknowledged an export, and started
// again on the same ports and the same queue directory 3 s later, as the kubelet restarts a killed
// container on the pod's volume. The SDK's exports that meet the dead collector are retried (5
// attempts over about 8 s) and arrive. What the collector had acknowledged is on its persistent
// queue, written before the acknowledgement, so the restarted collector sends it: nothing
// acknowledged is lost.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rendered } from "../../support/renderedStacks";
import { getJson } from "../../kit/http";
import { Servers, eventually, restartServer } from "../../kit/processes";
import { configMapData } from "../../kit/rendered";
import { logFault, seconds } from "./faultLog";
import { startBackends, startCollector } from "../../kit/localServers";
import { startOtlpApp } from "../otlpApp";
import { sleep } from "../../kit/sleep";

const RATE = 200;
const BEFORE_KILL_MS = 12000;
const RESTART_AFTER_MS = 3000;
const AFTER_RESTART_MS = 10000;
/**
 * How long the restarted collector may take to send what its queue holds (retry backoff starts at
 * 5 s; it takes about 8 s on an idle machine).
 */
const DRAIN_MS = 60000;

describe("the collector killed mid-stream (kind render)", () => {
  const servers = new Servers();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-collector-"));
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("what the SDK retries arrives, and every span the killed collector acknowledged arrives too", async () => {
    const { objects } = await rendered("kind");
    const configText = configMapData(objects, "otel-collector-config")["config.yaml"];
    expect(configText).toMatch(/storage: file_storage\/queue/);
    const { sink, prometheus } = await startBackends(servers, objects, dir, "otel-collector-config");
    const collector = await startCollector(servers, "otel-collector", configText, dir, {
      tempo: sink.grpc,
      prometheus,
    });
    const app = servers.add(
      startOtlpApp(`http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`, "ticket-service", RATE),
    );
    await sleep(BEFORE_KILL_MS);
    const ackedBefore = app.stats.acknowledged;
    await app.nextAcknowledgement();

    const killedAt = Date.now();
    collector.server.process.kill("SIGKILL");
    const ackedJustBeforeKill = app.stats.acknowledged - ackedBefore;
    await sleep(RESTART_AFTER_MS);
    await restartServer(servers, collector.server, `${collector.base}/`, {
      env: { POD_NAME: "otel-collector-0" },
    });
    const upAfterMs = Date.now() - killedAt;
    await sleep(AFTER_RESTART_MS);
    await app.stop();

    const { stats } = app;
    const arrivedTraces = async () => new Set((await getJson(`${sink.base}/traces`)) as unknown as string[]);
    await eventually(
      async () => {
        const arrived = await arrivedTraces();
        return stats.acks.every((a) => arrived.has(a.traceId)) ? true : undefined;
      },
      "every acknowledged span in the trace store",
      DRAIN_MS,
    ).catch(() => undefined);
    const arrived = await arrivedTraces();
    const lost = stats.acks.filter((a) => !arrived.has(a.traceId));
    const retried = stats.acks.filter((a) => a.retried);
    logFault({
      fault: `collector SIGKILLed mid-stream right after acknowledging ${ackedJustBeforeKill} spans, restarted on the same ports and queue directory after ${seconds(RESTART_AFTER_MS)} (kind render, persistent queue)`,
      sent: `${stats.ended} spans ended at ${RATE}/s; ${stats.acknowledged} acknowledged (${retried.length} only after the SDK retried), ${stats.failed} given up by the SDK, ${stats.droppedQueueFull} dropped in its queue`,
      arrived: `${arrived.size} spans in the trace store; ${retried.filter((a) => arrived.has(a.traceId)).length} of the ${retried.length} retried ones`,
      lost: `${lost.length} acknowledged spans, ${lost.filter((a) => a.at <= killedAt).length} of them acknowledged before the kill`,
      gap: `collector down ${seconds(upAfterMs)}; SDK retry budget about 8 s (1 + 1.5 + 2.25 + 3.4 s)`,
    });
    expect(stats.failed + stats.droppedQueueFull).toBe(0);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((a) => arrived.has(a.traceId))).toBe(true);
    expect(lost).toEqual([]);
    expect(arrived.size).toBe(stats.acknowledged);
  }, 120000);
});
