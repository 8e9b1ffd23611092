// Loki unreachable for 5 s while the real Alloy (the prod render's node-mode config, startAlloy)
// tails a Spring pod's CRI log file and pushes: the Loki stand-in (tests/kit/lokiStandIn.ts) stops
// listening, so pushes are refused as by a Loki whose pod is gone, then listens again on the same
// port. What this shows is Alloy's side, as rendered: it holds the batches and retries them, and
// every line written to the file is queryable afterwards, once. Loki's own side of a crash (its WAL
// replayed after SIGKILL) was measured on Loki 3.7.8 until 2026-11-25
// (docs/measured/loki-real-until-2026-11-25.md).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { getJson } from "../../kit/http";
import { Servers, eventually, freePort } from "../../kit/processes";
import { logFault, seconds } from "./faultLog";
import { LogPod, alloyWriteCounters, startAlloy, startLoki, writePodLog } from "../../kit/localServers";
import { LokiStandIn } from "../../kit/lokiStandIn";
import { faultProbeLine, faultProbeSequence } from "../../kit/springLogs";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

const SERVICE = "ticket-service";
const POD: LogPod = {
  namespace: stackConfig("prod").apps.namespaces[0],
  name: `${SERVICE}-7d9f8c6b5-x2k4q`,
  uid: "5b2e9c1d-7a4f-4e8b-9c3d-2f1a0b9c8d7e",
  container: SERVICE,
  labels: { "app.kubernetes.io/name": SERVICE, "pod-template-hash": "7d9f8c6b5" },
  node: "ip-10-0-12-34.ap-northeast-2.compute.internal",
  ip: "10.0.12.77",
};
const LINES_PER_SECOND = 50;
const BEFORE_OUTAGE_MS = 10000;
const DOWN_MS = 5000;
const AFTER_OUTAGE_MS = 15000;

/** The probe lines Loki returns, by sequence number (a line stored twice counts twice). */
async function storedSequence(loki: LokiStandIn, since: number): Promise<number[]> {
  const params = new URLSearchParams({
    query: `{namespace="${POD.namespace}", app="${SERVICE}"} |= "fault probe"`,
    start: String(since * 1_000_000),
    end: String((Date.now() + 60000) * 1_000_000),
    limit: "5000",
    direction: "forward",
  });
  const { data } = await getJson(`${loki.base}/loki/api/v1/query_range?${params.toString()}`, loki.headers);
  return (data.result as Json[]).flatMap((stream) =>
    (stream.values as [string, string][]).map(([, line]) => faultProbeSequence(line)),
  );
}

describe("Loki unreachable while Alloy pushes (prod render)", () => {
  const servers = new Servers();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-loki-"));
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("no line written is lost or stored twice; Alloy retries; the gap is measured", async () => {
    const { objects } = await rendered("prod");
    // Below the kernel's ephemeral range: no other server can take the port while Loki is away.
    const loki = await startLoki(servers, objects, await freePort());
    const startedAt = Date.now();
    const alloy = await startAlloy(servers, objects, dir, loki.base, [POD]);

    let written = 0;
    const writer = setInterval(
      () => writePodLog(dir, POD, [faultProbeLine(SERVICE, written++)]),
      1000 / LINES_PER_SECOND,
    );
    servers.add({ stop: () => clearInterval(writer) });

    await sleep(BEFORE_OUTAGE_MS);
    const downAt = Date.now();
    const firstWhileDown = written;
    await loki.stop();
    await sleep(DOWN_MS);
    await loki.resume();
    // loki.write retries a batch for at least 500 ms × (2^10 − 1) ≈ 8.5 min; the test bounds it lower.
    const gapMs = await eventually(
      async () =>
        (await storedSequence(loki, startedAt)).includes(firstWhileDown) ? Date.now() - downAt : undefined,
      "a line written while Loki was away",
      90000,
    );
    await sleep(AFTER_OUTAGE_MS);
    clearInterval(writer);

    const stored = await eventually(
      async () => {
        const seq = await storedSequence(loki, startedAt);
        return new Set(seq).size === written ? seq : undefined;
      },
      "every written line in Loki",
      30000,
    ).catch(() => storedSequence(loki, startedAt));
    const counters = await alloyWriteCounters(alloy);
    const distinct = new Set(stored);
    const missing = Array.from({ length: written }, (_, i) => i).filter((i) => !distinct.has(i));
    logFault({
      fault: `Loki (the stand-in) refusing connections for ${seconds(DOWN_MS)} while Alloy pushes (prod render; Alloy in node mode tailing a CRI pod log file)`,
      sent: `${written} Spring lines written at ${LINES_PER_SECOND}/s; Alloy's loki.write: ${counters.sent} entries sent, ${counters.retries} batch retries, ${counters.dropped} dropped`,
      arrived: `${distinct.size} distinct lines queryable by LogQL (${stored.length - distinct.size} duplicates)`,
      lost: `${missing.length} lines`,
      gap: `the first line written while Loki was away queryable ${seconds(gapMs)} after the outage began`,
    });
    expect(counters.dropped).toBe(0);
    expect(counters.retries).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(stored.length).toBe(written);
  }, 240000);
});
