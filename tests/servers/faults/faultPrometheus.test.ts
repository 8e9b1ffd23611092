// Prometheus killed with SIGKILL while the collector's remote write flows into
// it, then restarted on the same volume. Every sample whose write Prometheus acknowledged (2xx)
// before the kill is queryable afterwards: the head block is replayed from the WAL, which the
// append path writes before it answers. A write in flight at the kill is not acknowledged; the
// collector's exporter retries it (its retry_on_failure), so the sender, not Prometheus, owns it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rendered } from "../../support/renderedStacks";
import { remoteWrite } from "../../kit/expositions/index";
import { getJson } from "../../kit/http";
import { Servers, exited } from "../../kit/processes";
import { logFault, seconds } from "./faultLog";
import { startPrometheus } from "../../kit/localServers";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

const METRIC = "tiketi_fault_probe";
/** How long writes flow before the kill. */
const INGEST_MS = 8000;

describe("Prometheus killed with SIGKILL mid-ingest (kind render)", () => {
  const servers = new Servers();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-prometheus-"));
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("every acknowledged sample is queryable after the restart on the same data directory", async () => {
    const { objects } = await rendered("kind");
    const directory = path.join(dir, "prometheus");
    const first = await startPrometheus(servers, objects, dir, { directory });
    const url = `${first.base}/api/v1/write`;

    // One series, one sample per write, the value its sequence number, written back to back as
    // a remote-write queue does.
    const acknowledged: number[] = [];
    let attempted = 0;
    let inFlight = false;
    let stop = false;
    const writer = (async () => {
      for (let seq = 0; !stop; seq++) {
        attempted = seq + 1;
        inFlight = true;
        try {
          await remoteWrite(url, [{ name: METRIC, labels: { service: "ticket-service" }, value: seq }]);
          acknowledged.push(seq);
        } catch {
          return;
        }
        inFlight = false;
        // Apart by more than the millisecond a sample is stamped with.
        await sleep(2);
      }
    })();
    await sleep(INGEST_MS);
    // The kill lands while a write is on its way.
    while (!inFlight) {
      await new Promise((r) => setImmediate(r));
    }
    const killedAt = Date.now();
    first.server.process.kill("SIGKILL");
    stop = true;
    await writer;
    await exited(first.server.process);
    expect(first.server.process.signalCode).toBe("SIGKILL");

    const second = await startPrometheus(servers, objects, dir, { directory });
    const downMs = Date.now() - killedAt;
    const { data } = await getJson(
      `${second.base}/api/v1/query?query=${encodeURIComponent(`${METRIC}[10m]`)}`,
    );
    const values = new Set(
      ((data.result as Json[])[0]?.values ?? []).map((v: [number, string]) => Number(v[1])),
    );
    const missing = acknowledged.filter((seq) => !values.has(seq));
    logFault({
      fault: "Prometheus SIGKILL mid remote-write, restarted on the same data directory (WAL replay)",
      sent: `${attempted} writes of 1 sample, ${acknowledged.length} acknowledged (2xx) before the kill`,
      arrived: `${values.size} samples queryable after the restart`,
      lost: `${missing.length} acknowledged samples; ${attempted - acknowledged.length} write(s) in flight unacknowledged (the sender retries them)`,
      gap: `${seconds(downMs)} from the kill until the restarted Prometheus was ready`,
    });
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  }, 120000);
});
