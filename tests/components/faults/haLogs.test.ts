// The replicated Loki of the prod render: three real Loki processes, each in a zone of its own, in
// one memberlist ring with replication factor 3, on an S3-compatible store (moto's server) started
// here; only addresses, ports, the S3 endpoint and credentials, data directories and the zone are
// rewritten (testkit/lokiReplicas.ts). In front of them a stand-in for the `loki` Service (the
// rendered readiness probe decides who gets requests). The real Alloy with the prod render's
// node-mode config tails a Spring pod's CRI log file written at prod's rated 500 lines/s and pushes
// through the Service; a reader queries through it every second, as Grafana does. Faults, one after
// another: one replica SIGKILLed and restarted; all three restarted one after another (a rolling
// update: SIGTERM, then started again once the previous one is ready); one zone down for
// FAULT_LOKI_ZONE_OUTAGE_S (30 s in CI, 600 by hand).
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../../render/manifest";
import { RATED } from "../../../scripts/benchLoad/load";
import { rendered, stackConfig } from "../../renderedStacks";
import { getJson } from "../../../testkit/http";
import {
  LokiReplica,
  restartLokiReplica,
  startLokiReplicas,
  startLokiService,
} from "../../../testkit/lokiReplicas";
import { LogPod, alloyWriteCounters, startAlloy, writePodLog } from "../../../testkit/localServers";
import { faultProbeLine, faultProbeSequence } from "../../../testkit/springLogs";
import { LocalS3, listObjects, startS3 } from "../../../testkit/objectStore";
import { Running, Servers, eventually } from "../../../testkit/processes";
import { configMapData, objectNamed } from "../../../testkit/rendered";
import { knownText } from "../../../config/fields";
import { ENDPOINT_HEADER, ServiceStandIn } from "../../../testkit/serviceStandIn";
import { Json } from "../../../testkit/json";
import { sleep } from "../../../testkit/sleep";
import { LocalCanary, startLokiCanary } from "../../../testkit/lokiCanary";
import { logFault, seconds } from "./faultLog";

const SERVICE = "ticket-service";
const POD: LogPod = {
  namespace: stackConfig("prod").apps.namespaces[0],
  name: `${SERVICE}-7d9f8c6b5-h8w2m`,
  uid: "0c3f7a52-1e9d-4b6a-8f2c-7d5e4a3b2c1d",
  container: SERVICE,
  labels: { "app.kubernetes.io/name": SERVICE, "pod-template-hash": "7d9f8c6b5" },
  node: "ip-10-0-21-17.ap-northeast-2.compute.internal",
  ip: "10.0.21.90",
};
/** Loki's canary, its stdout in its pod's log file beside the app's, shipped by the same Alloy. */
const CANARY_POD: LogPod = {
  namespace: stackConfig("prod").namespaces.observability,
  name: "loki-canary-6f7c9d8b4-k7p3x",
  uid: "7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b",
  container: "loki-canary",
  labels: { "app.kubernetes.io/name": "loki-canary", "pod-template-hash": "6f7c9d8b4" },
  node: POD.node,
  ip: "10.0.21.91",
};
/**
 * The canary's `-wait` and `-max-wait`, shortened from the rendered 1 and 10 minutes so that its
 * lines are judged within the file's time; and how long after the faults every line is judged.
 */
const CANARY_WAIT_S = 10;
const CANARY_MAX_WAIT_S = 45;
const CANARY_PRUNE_S = 5;
const CANARY_JUDGED_MS = (CANARY_MAX_WAIT_S + 2 * CANARY_PRUNE_S + 5) * 1000;
const ZONES = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"];
const LINES_PER_SECOND = RATED.prod.linesPerSecond;
const WRITE_EVERY_MS = 100;
const READ_EVERY_MS = 1000;
/** 30 s in CI (the file stays near four minutes); FAULT_LOKI_ZONE_OUTAGE_S=600 runs the issue's ten minutes. */
const ZONE_OUTAGE_MS = Number(process.env.FAULT_LOKI_ZONE_OUTAGE_S ?? 30) * 1000;
/** How long a killed replica stays down before its pod restarts it. */
const KILLED_FOR_MS = 5000;
const QUERY = `{namespace="${POD.namespace}", app="${SERVICE}"} |= "fault probe"`;

/**
 * Every probe line Loki returns from `sinceMs` on, by sequence number (a line returned twice counts
 * twice), paged forward as logcli does: each page starts at the last one's newest timestamp, and
 * the entries at that timestamp already read are skipped.
 */
async function storedSequence(lokiBase: string, headers: Record<string, string>, sinceMs: number) {
  const seqs: number[] = [];
  let start = BigInt(sinceMs) * 1_000_000n;
  let atStart: string[] = [];
  const end = String((Date.now() + 60000) * 1_000_000);
  for (;;) {
    const params = new URLSearchParams({
      query: QUERY,
      start: String(start),
      end,
      limit: "5000",
      direction: "forward",
    });
    const { data } = await getJson(`${lokiBase}/loki/api/v1/query_range?${params.toString()}`, headers);
    const entries = (data.result as Json[])
      .flatMap((stream) => stream.values as [string, string][])
      .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    const skip = [...atStart];
    const fresh = entries.filter(([ts, line]) => {
      const i = BigInt(ts) === start ? skip.indexOf(line) : -1;
      return i < 0 || skip.splice(i, 1).length === 0;
    });
    seqs.push(...fresh.map(([, line]) => faultProbeSequence(line)));
    if (entries.length < 5000) {
      return seqs;
    }
    const newest = BigInt(entries[entries.length - 1][0]);
    atStart = [
      ...(newest === start ? atStart : []),
      ...fresh.filter(([ts]) => BigInt(ts) === newest).map(([, l]) => l),
    ];
    start = newest;
  }
}

interface Read {
  readonly at: number;
  readonly ms: number;
  /** The replica that answered, or the error. */
  readonly endpoint?: string;
  readonly error?: string;
}

/** What one fault's window saw: lines `from` ≤ seq < `to`, and the reads made meanwhile. */
interface Window {
  readonly from: number;
  readonly startedAt: number;
  readonly firstRead: number;
}

describe("three Loki replicas of the prod render on S3, under faults while Alloy pushes at the rated load", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let s3: LocalS3;
  let replicas: LokiReplica[];
  let service: ServiceStandIn;
  let alloy: Running;
  let canary: LocalCanary;
  /** Lines of the app's log file the test found missing or twice, over every fault. */
  const counted = { missing: 0, duplicates: 0 };
  let headers: Record<string, string>;
  let writer: NodeJS.Timeout;
  let written = 0;
  const reads: Read[] = [];
  let reading = true;
  let reader: Promise<void>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-logs-"));
    objects = (await rendered("prod")).objects;
    const bucket = stackConfig("prod").storage.s3?.loki;
    if (bucket === undefined) {
      throw new Error("the prod stack file names no Loki bucket (storage.s3.loki)");
    }
    s3 = await startS3(servers, knownText(bucket.bucket, "storage.s3.loki.bucket"), bucket.region);
    replicas = await startLokiReplicas(servers, objects, dir, s3, ZONES, "http://127.0.0.1:9");
    headers = replicas[0].headers;
    service = await startLokiService(objects, replicas);
    // The kubelet creates the container's log file as it starts it; the agent finds it from its start.
    writePodLog(dir, CANARY_POD, []);
    alloy = await startAlloy(servers, objects, dir, service.base, [POD, CANARY_POD]);
    canary = await startLokiCanary(servers, objects, service.base, {
      podLog: { dir, pod: CANARY_POD },
      flags: {
        "-wait": `${CANARY_WAIT_S}s`,
        "-max-wait": `${CANARY_MAX_WAIT_S}s`,
        "-pruneinterval": `${CANARY_PRUNE_S}s`,
      },
    });
    const perWrite = (LINES_PER_SECOND * WRITE_EVERY_MS) / 1000;
    writer = setInterval(
      () =>
        writePodLog(
          dir,
          POD,
          Array.from({ length: perWrite }, () => faultProbeLine(SERVICE, written++)),
        ),
      WRITE_EVERY_MS,
    );
    // Grafana's Explore view over the last minute, through the Service.
    reader = (async () => {
      while (reading) {
        const at = Date.now();
        const params = new URLSearchParams({
          query: QUERY,
          start: String((at - 60000) * 1_000_000),
          end: String(at * 1_000_000),
          limit: "100",
        });
        await fetch(`${service.base}/loki/api/v1/query_range?${params.toString()}`, { headers })
          .then(async (response) => {
            const endpoint = response.headers.get(ENDPOINT_HEADER) ?? "";
            const body = await response.text();
            reads.push(
              response.ok
                ? { at, ms: Date.now() - at, endpoint }
                : { at, ms: Date.now() - at, error: `${endpoint}: ${response.status} ${body}` },
            );
          })
          .catch((error: unknown) => reads.push({ at, ms: Date.now() - at, error: String(error) }));
        await sleep(Math.max(0, READ_EVERY_MS - (Date.now() - at)));
      }
    })();
  }, 120000);

  afterAll(async () => {
    clearInterval(writer);
    reading = false;
    await reader;
    await service?.close();
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (): Window => ({
    from: written,
    startedAt: Date.now(),
    firstRead: reads.length,
  });

  /**
   * Closes a fault's window once every line written in it is queryable (or 90 s passed), records
   * it in the fault log and returns what the assertions need.
   */
  /**
   * A SIGKILL: when, and the replica it hit. The one query in flight on that replica at that instant
   * fails, as it would in a pod killed mid-request (its client, as Grafana's, does not retry).
   */
  interface Kill {
    readonly at: number;
    readonly base: string;
  }
  const cutBy = (kill: Kill | undefined) => (read: Read) =>
    kill !== undefined &&
    read.at <= kill.at &&
    kill.at <= read.at + read.ms &&
    (read.error ?? "").includes(`upstream ${new URL(kill.base).host}:`);

  async function close(window: Window, fault: string, gap: string, kill?: Kill) {
    const to = written;
    const inWindow = (seqs: number[]) => seqs.filter((s) => s >= window.from && s < to);
    const stored = await eventually(
      async () => {
        const seqs = inWindow(await storedSequence(service.base, headers, window.startedAt - 10000));
        return new Set(seqs).size === to - window.from ? seqs : undefined;
      },
      "every line written in the window, queryable",
      90000,
    ).catch(async () => inWindow(await storedSequence(service.base, headers, window.startedAt - 10000)));
    const counters = await alloyWriteCounters(alloy);
    const windowReads = reads.slice(window.firstRead);
    const cut = windowReads.filter(cutBy(kill));
    const failed = windowReads.filter((r) => r.error !== undefined && !cut.includes(r));
    const answeredAt = windowReads.filter((r) => r.error === undefined).map((r) => r.at);
    const longestGapMs = Math.max(0, ...answeredAt.slice(1).map((t, i) => t - answeredAt[i]));
    const slowest = windowReads.reduce((a, b) => (b.ms > a.ms ? b : a), windowReads[0]);
    const distinct = new Set(stored);
    const missing = Array.from({ length: to - window.from }, (_, i) => window.from + i).filter(
      (s) => !distinct.has(s),
    );
    logFault({
      fault: `${fault} (three Loki replicas of the prod render, one per zone, replication factor 3, on moto's S3; the real Alloy in node mode at ${LINES_PER_SECOND} lines/s through a Service stand-in)`,
      sent: `${to - window.from} Spring lines written (seq ${window.from} to ${to - 1}); Alloy's loki.write had acknowledged ${counters.sent} of the ${written} lines written since the start when the window closed (${counters.retries} batch retries, ${counters.dropped} dropped since the start); ${windowReads.length} queries through the Service, one a second or as soon as the last was answered`,
      arrived: `${distinct.size} distinct lines queryable (${stored.length - distinct.size} duplicates in the query results); ${windowReads.length - failed.length - cut.length} queries answered`,
      lost: `${missing.length} lines; ${failed.length} failed queries${failed.length === 0 ? "" : ` (first: ${failed[0].error})`}; ${cut.length} in flight on the replica as it was killed${cut.length === 0 ? "" : ` (${cut[0].error})`}`,
      gap: `${gap}; longest time between answered queries ${seconds(longestGapMs)}, the slowest query ${seconds(slowest.ms)} (${slowest.endpoint ?? slowest.error})`,
    });
    counted.missing += missing.length;
    counted.duplicates += stored.length - distinct.size;
    return {
      missing,
      duplicates: stored.length - distinct.size,
      failed,
      cut,
      longestGapMs,
      dropped: counters.dropped,
      unacknowledged: Math.max(0, to - counters.sent),
    };
  }

  /**
   * Every line written in the window queryable once and acknowledged, none dropped, every query
   * answered but the one a kill can cut (the reader has one query in flight at a time): no other
   * tolerance, as the replicas are meant to hide each of these faults entirely.
   */
  function expectNothingLost(result: Awaited<ReturnType<typeof close>>): void {
    expect(result.missing).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.failed).toEqual([]);
    expect(result.cut.length).toBeLessThanOrEqual(1);
    expect(result.dropped).toBe(0);
    expect(result.unacknowledged).toBe(0);
  }

  /** Waits until the Service sends requests to every replica again. */
  const allReady = () =>
    eventually(
      () => Promise.resolve(service.ready().length === replicas.length ? true : undefined),
      "every replica back behind the Service",
      60000,
    );

  test("the rendered config, made local, runs one ring of three on the object store", async () => {
    const config = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
    expect(objectNamed(objects, "StatefulSet", "loki").spec.replicas).toBe(ZONES.length);
    expect(config.common.replication_factor).toBe(ZONES.length);
    expect(config.common.ring.kvstore.store).toBe("memberlist");
    expect(config.common.ring.zone_awareness_enabled).toBe(true);
    const ring = (await (
      await fetch(`${replicas[0].base}/ring`, { headers: { Accept: "application/json" } })
    ).json()) as Json;
    const instances = (ring.shards as Json[]).map((s) => [s.id, s.zone, s.state]);
    expect(instances.sort()).toEqual(replicas.map((r) => [r.name, r.zone, "ACTIVE"]));
    await sleep(2000);
    expect(written).toBeGreaterThan(0);
  });

  /**
   * SIGKILLs replica `index` (its pod, node or zone is gone), starts it again on its data after
   * `downMs`, and waits until the Service sends to it again.
   */
  async function killFor(index: number, downMs: number) {
    const victim = replicas[index];
    const writtenBefore = written;
    const killedAt = Date.now();
    victim.server.process.kill("SIGKILL");
    service.notReady(victim.base);
    await sleep(downMs);
    const linesWhileDown = written - writtenBefore;
    replicas[index] = await restartLokiReplica(servers, objects, victim);
    const readyAfterMs = Date.now() - killedAt;
    await allReady();
    return { victim, linesWhileDown, readyAfterMs, kill: { at: killedAt, base: victim.base } };
  }

  test("one replica SIGKILLed and restarted: no acknowledged line lost, no duplicate, every query answered but one in flight on it", async () => {
    const window = open();
    const { victim, readyAfterMs, kill } = await killFor(1, KILLED_FOR_MS);
    const result = await close(
      window,
      `Loki replica ${victim.name} (${victim.zone}) SIGKILLed, restarted after ${seconds(KILLED_FOR_MS)}`,
      `${victim.name} ready again ${seconds(readyAfterMs)} after the kill`,
      kill,
    );
    expectNothingLost(result);
  }, 240000);

  test("all three restarted one after another (a rolling update): the same", async () => {
    const window = open();
    const startedAt = Date.now();
    for (const [i, replica] of replicas.entries()) {
      service.notReady(replica.base);
      await replica.server.stop();
      replicas[i] = await restartLokiReplica(servers, objects, replica);
      await allReady();
    }
    const result = await close(
      window,
      "Loki replicas restarted one after another, each once the previous one is ready again (SIGTERM, then started on its data)",
      `the rollout took ${seconds(Date.now() - startedAt)}`,
    );
    expectNothingLost(result);
  }, 300000);

  test(
    `one zone down for ${seconds(ZONE_OUTAGE_MS)}: ingestion and queries continue`,
    async () => {
      const window = open();
      const { victim, linesWhileDown, readyAfterMs, kill } = await killFor(2, ZONE_OUTAGE_MS);
      const result = await close(
        window,
        `Zone ${victim.zone} (replica ${victim.name}) down for ${seconds(ZONE_OUTAGE_MS)}`,
        `${linesWhileDown} lines written while the zone was down; ${victim.name} ready again ${seconds(readyAfterMs)} after it went down`,
        kill,
      );
      expectNothingLost(result);
    },
    ZONE_OUTAGE_MS + 240000,
  );

  test(
    "Loki's canary, writing beside the app through every fault, reports the lost lines the test counted",
    async () => {
      await sleep(CANARY_JUDGED_MS);
      const judged = await canary.counts();
      logFault({
        fault: `Loki's canary (the real loki-canary, -wait ${CANARY_WAIT_S}s, -max-wait ${CANARY_MAX_WAIT_S}s) through the replica kill, the rolling restart and the zone outage above, through the Service stand-in`,
        sent: `${judged.written} canary lines written, ${canary.stdout.forwarded} to its pod log`,
        arrived: `the canary reports ${judged.missing} missing, ${judged.late} late on its tail, ${judged.duplicates} duplicates, ${judged.unexpected} unexpected`,
        lost: `the test counted ${counted.missing} app lines missing and ${counted.duplicates} duplicates over the same faults`,
        gap: `judged ${seconds(CANARY_JUDGED_MS)} after the last fault`,
      });
      expect(judged.written).toBeGreaterThan(CANARY_MAX_WAIT_S);
      expect(judged.missing).toBe(counted.missing);
      // Not compared: its duplicate and unexpected counts come from its WebSocket tail, which
      // reconnects when the replica it reads from goes (measured: 1 to 11 and 110 to 124 while
      // LogQL found no line stored twice); `missing` is judged by a direct query as well.
    },
    CANARY_JUDGED_MS + 30000,
  );

  test("every replica's chunks land in the shared bucket, under the tenant", async () => {
    // Chunks are cut after an idle period or an age far beyond this test; /flush cuts them now.
    for (const replica of replicas) {
      const flushed = await fetch(`${replica.base}/flush`, { method: "POST" });
      expect(flushed.status).toBeLessThan(300);
    }
    const chunks = await eventually(
      async () => {
        const keys = await listObjects(s3, `${headers["X-Scope-OrgID"]}/`);
        return keys.length > 0 ? keys : undefined;
      },
      "chunks in the bucket",
      60000,
    );
    expect(chunks.length).toBeGreaterThan(0);
  }, 90000);
});
