// Loki's canary (the real loki-canary of the Loki release the stack ships, with the prod render's
// flags) writing to its stdout, which goes to its pod's CRI log file as the kubelet writes it; the
// real Alloy (the prod render's node-mode config) ships it with the apps' pipeline to the real Loki
// (prod render, tenant `platform`), and the canary tails and queries its lines back. The test
// then loses lines on purpose, between the canary and the log file (as a node losing them would),
// and counts them itself; and it stops Loki for a while, which Alloy's retries must cover.
// `-wait` and `-max-wait` are shortened (rendered: 1 min and 10 min) so that a line is judged
// within a minute.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseQuantity } from "../../../config/quantity";
import { rendered, stackConfig } from "../../renderedStacks";
import { getJson } from "../../../testkit/http";
import { CanaryCounts, LocalCanary, startLokiCanary } from "../../../testkit/lokiCanary";
import { LocalLoki, LogPod, startAlloy, startLoki, writePodLog } from "../../../testkit/localServers";
import { CANARY_LINE_FILTER } from "../../../components/logs/canaryWorkload";
import { Servers, eventually, restartServer } from "../../../testkit/processes";
import { Json } from "../../../testkit/json";
import { sleep } from "../../../testkit/sleep";
import { logFault, seconds } from "./faultLog";

const WAIT_S = 10;
const MAX_WAIT_S = 45;
const PRUNE_S = 5;
/** Long enough for every line written so far to have been judged found or missing. */
const JUDGED_MS = (MAX_WAIT_S + 2 * PRUNE_S + 5) * 1000;
const DROP_MS = 8000;
const LOKI_DOWN_MS = 10000;

const POD: LogPod = {
  namespace: stackConfig("prod").namespaces.observability,
  name: "loki-canary-6f7c9d8b4-q2w5e",
  uid: "0c3f6a2e-8d1b-4f7a-9e5c-3b2a1d0f9e8c",
  container: "loki-canary",
  labels: { "app.kubernetes.io/name": "loki-canary", "pod-template-hash": "6f7c9d8b4" },
  node: "ip-10-0-12-34.ap-northeast-2.compute.internal",
  ip: "10.0.12.80",
};

/** The canary's lines Loki holds since `since` (ms), and how many distinct ones. */
async function storedCanaryLines(
  loki: LocalLoki,
  since: number,
): Promise<{ lines: number; distinct: number }> {
  const params = new URLSearchParams({
    query: `{pod="${POD.name}"} ${CANARY_LINE_FILTER}`,
    start: String(since * 1_000_000),
    end: String((Date.now() + 60000) * 1_000_000),
    limit: "5000",
    direction: "forward",
  });
  const { data } = await getJson(`${loki.base}/loki/api/v1/query_range?${params.toString()}`, loki.headers);
  const lines = (data.result as Json[]).flatMap((stream) =>
    (stream.values as [string, string][]).map(([, line]) => line),
  );
  return { lines: lines.length, distinct: new Set(lines).size };
}

describe("Loki's canary through Alloy and Loki (prod render)", () => {
  const servers = new Servers();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loki-canary-"));
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("steady: none missing; lines lost on the node are counted exactly; a Loki outage makes lines late, not missing", async () => {
    const { objects } = await rendered("prod");
    // Nothing is sent to this Alertmanager address: the test makes no alert fire.
    const loki = await startLoki(servers, objects, dir, "http://127.0.0.1:9");
    const startedAt = Date.now();
    // The kubelet creates the container's log file as it starts it; the agent finds it from its start.
    writePodLog(dir, POD, []);
    await startAlloy(servers, objects, dir, loki.base, [POD]);
    const canary: LocalCanary = await startLokiCanary(servers, objects, loki.base, {
      podLog: { dir, pod: POD },
      flags: { "-wait": `${WAIT_S}s`, "-max-wait": `${MAX_WAIT_S}s`, "-pruneinterval": `${PRUNE_S}s` },
    });

    // Its lines reach Loki with the labels the pipeline gives every pod, under the tenant.
    const streams = await eventually(
      async () => {
        const params = new URLSearchParams({
          query: `{pod="${POD.name}"} ${CANARY_LINE_FILTER}`,
          limit: "10",
        });
        const { data } = await getJson(
          `${loki.base}/loki/api/v1/query_range?${params.toString()}`,
          loki.headers,
        );
        return (data.result as Json[]).length > 0 ? (data.result as Json[]) : undefined;
      },
      "the canary's lines in Loki",
      30000,
    );
    expect(streams[0].stream).toMatchObject({
      namespace: POD.namespace,
      pod: POD.name,
      container: "loki-canary",
      app: "loki-canary",
      cluster: stackConfig("prod").cluster.name,
    });

    await sleep(JUDGED_MS);
    const steady = await canary.counts();
    expect(steady.written).toBeGreaterThan(MAX_WAIT_S);
    expect(steady).toMatchObject({ missing: 0, duplicates: 0, unexpected: 0 });

    canary.dropLines(true);
    await sleep(DROP_MS);
    canary.dropLines(false);
    const dropped = canary.stdout.dropped;

    await sleep(5000);
    const stoppedAt = Date.now();
    loki.server.process.kill("SIGKILL");
    await sleep(LOKI_DOWN_MS);
    await restartServer(servers, loki.server, `${loki.base}/ready`, { timeoutMs: 90000, cwd: dir });
    const readyAfterMs = Date.now() - stoppedAt;

    await sleep(JUDGED_MS);
    const judged: CanaryCounts = await canary.counts();
    // Stopped, it writes no more; its last lines reach Loki within Alloy's batch wait.
    await canary.server.stop();
    const stored = await eventually(
      async () => {
        const found = await storedCanaryLines(loki, startedAt);
        return found.lines >= canary.stdout.forwarded ? found : undefined;
      },
      "every canary line passed to the pod log in Loki",
      15000,
    ).catch(() => storedCanaryLines(loki, startedAt));
    logFault({
      fault: `the canary's lines lost between its stdout and the pod log for ${seconds(DROP_MS)}, then Loki SIGKILLed and restarted after ${seconds(LOKI_DOWN_MS)} (prod render; the real loki-canary, Alloy in node mode)`,
      sent: `${judged.written} canary lines written, ${canary.stdout.forwarded} passed to the pod log, ${dropped} dropped by the test`,
      arrived: `${stored.distinct} distinct canary lines queryable in Loki (${stored.lines - stored.distinct} duplicates); the canary counted ${judged.missing} missing, ${judged.late} late (not on its tail within ${WAIT_S} s), ${judged.duplicates} duplicates, ${judged.unexpected} unexpected (lines its tail sent again after reconnecting to the restarted Loki)`,
      lost: `${dropped} lines dropped by the test, ${judged.missing} counted missing by the canary`,
      gap: `Loki ready ${seconds(readyAfterMs)} after the kill`,
    });
    expect(dropped).toBeGreaterThanOrEqual(DROP_MS / 1000 - 1);
    expect(judged.missing).toBe(dropped);
    expect(judged.late).toBeGreaterThanOrEqual(dropped);
    expect(judged.duplicates).toBe(0);
    expect(stored).toEqual({ lines: canary.stdout.forwarded, distinct: canary.stdout.forwarded });
  }, 300000);
});

describe("Loki's canary pushing straight to Loki (kind render: no tenant)", () => {
  const servers = new Servers();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loki-canary-push-"));
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("its pushed lines all come back; its resident memory stays under the rendered limit", async () => {
    const { objects } = await rendered("kind");
    const loki = await startLoki(servers, objects, dir, "http://127.0.0.1:9");
    expect(loki.headers).toEqual({});
    const canary = await startLokiCanary(servers, objects, loki.base, {
      flags: { "-wait": `${WAIT_S}s`, "-max-wait": `${MAX_WAIT_S}s`, "-pruneinterval": `${PRUNE_S}s` },
    });
    await sleep(JUDGED_MS);
    const counts = await canary.counts();
    const status = fs.readFileSync(`/proc/${canary.server.process.pid}/status`, "utf8");
    const residentMiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
    console.log(
      `loki-canary push mode: ${JSON.stringify(counts)}, peak resident ${residentMiB.toFixed(1)} MiB`,
    );
    expect(counts.written).toBeGreaterThan(MAX_WAIT_S);
    expect(counts).toMatchObject({ missing: 0, duplicates: 0, unexpected: 0 });
    expect(residentMiB * 2 ** 20).toBeLessThan(
      parseQuantity(stackConfig("kind").resources.lokiCanary.limits.memory),
    );
  }, 180000);
});
