// The collector (kind render, one tier) killed with SIGKILL while an app streams
// spans to it as the Java SDK does by default, and started again on the same ports 3 s later, as
// the kubelet restarts a killed container. The SDK's exports that meet the dead collector are
// retried (5 attempts over about 8 s) and arrive. What the collector had acknowledged but not yet
// exported dies with it: the batch processor holds spans up to its timeout (5 s) or 1024 spans,
// and the sending queue is in memory. That is the loss, and its bound.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rendered } from "../renderedStacks";
import { getJson } from "../../testkit/http";
import { Servers, restartServer } from "../../testkit/processes";
import { configMapData } from "../../testkit/rendered";
import { logFault, seconds } from "./faultLog";
import { startBackends, startCollector } from "../../testkit/localServers";
import { startOtlpApp } from "./otlpApp";
import { sleep } from "../../testkit/sleep";

const RATE = 200;
const BEFORE_KILL_MS = 12000;
const RESTART_AFTER_MS = 3000;
const AFTER_RESTART_MS = 10000;
/** The rendered batch processor's timeout: the longest a span waits in the collector's memory. */
const BATCH_TIMEOUT_MS = 5000;

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

  test("what the SDK retries arrives; only what the killed collector held in memory is lost", async () => {
    const { objects } = await rendered("kind");
    const configText = configMapData(objects, "otel-collector-config")["config.yaml"];
    expect(configText).toMatch(/batch:\n\s+send_batch_size: 1024\n\s+timeout: 5s/);
    const { sink, prometheus } = await startBackends(servers, objects, dir, "otel-collector-config");
    const collector = await startCollector(servers, "otel-collector", configText, dir, {
      tempo: sink.grpc,
      prometheus,
    });
    const app = startOtlpApp(
      `http://127.0.0.1:${collector.ports.get(4318)}/v1/traces`,
      "ticket-service",
      RATE,
    );
    await sleep(BEFORE_KILL_MS);

    const killedAt = Date.now();
    collector.server.process.kill("SIGKILL");
    await sleep(RESTART_AFTER_MS);
    await restartServer(servers, collector.server, `${collector.base}/`, {
      env: { POD_NAME: "otel-collector-0" },
    });
    const upAfterMs = Date.now() - killedAt;
    await sleep(AFTER_RESTART_MS);
    await app.stop();
    // Whatever the restarted collector holds leaves it within one batch timeout.
    await sleep(BATCH_TIMEOUT_MS + 3000);

    const { stats } = app;
    const arrived = new Set((await getJson(`${sink.base}/traces`)) as unknown as string[]);
    const lost = stats.acks.filter((a) => !arrived.has(a.traceId));
    const retried = stats.acks.filter((a) => a.retried);
    const heldAtKill = stats.acks.filter((a) => a.at <= killedAt && a.at > killedAt - BATCH_TIMEOUT_MS);
    logFault({
      fault: `collector SIGKILLed mid-stream, restarted on the same ports after ${seconds(RESTART_AFTER_MS)} (kind render)`,
      sent: `${stats.ended} spans ended at ${RATE}/s; ${stats.acknowledged} acknowledged (${retried.length} only after the SDK retried), ${stats.failed} given up by the SDK, ${stats.droppedQueueFull} dropped in its queue`,
      arrived: `${arrived.size} spans in the trace store; ${retried.filter((a) => arrived.has(a.traceId)).length} of the ${retried.length} retried ones`,
      lost: `${lost.length} acknowledged spans, ${lost.filter((a) => a.at <= killedAt).length} of them acknowledged before the kill (${heldAtKill.length} were acknowledged in the ${seconds(BATCH_TIMEOUT_MS)} batch timeout before it): the batch processor's and sending queue's memory`,
      gap: `collector down ${seconds(upAfterMs)}; SDK retry budget about 8 s (1 + 1.5 + 2.25 + 3.4 s)`,
    });
    expect(stats.failed + stats.droppedQueueFull).toBe(0);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((a) => arrived.has(a.traceId))).toBe(true);
    // Nothing acknowledged after the restart, nor long before the kill, is lost.
    expect(lost.every((a) => a.at <= killedAt && a.at > killedAt - BATCH_TIMEOUT_MS)).toBe(true);
    expect(arrived.size).toBe(stats.acknowledged - lost.length);
  }, 120000);
});
