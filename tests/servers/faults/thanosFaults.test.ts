// Faults of the metrics bucket's path, on the real Thanos v0.42.4 of the prod render over gofakes3's S3
// (the rendered bucket and region), reached through a TCP path the test can cut: a store gateway
// SIGKILLed under a query a second (the other serves the same blocks), the compactor SIGKILLed
// mid-compaction and restarted (no sample lost, no overlap, no halt), the bucket unreachable
// while a sidecar has blocks to upload (uploads fail and are counted, the alerts' conditions hold, and
// every block arrives once the bucket is back), and a sidecar SIGKILLed mid-upload and restarted on
// its volume (every block in the bucket once, each sample once). Short in CI; by hand FAULT_THANOS_STORE_KILL_S and
// FAULT_THANOS_S3_OUTAGE_S=600 run the issue's ten minutes (the alerts' `for` is not waited out
// either way: their expressions are evaluated by a real Prometheus on the processes' own metrics).
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { RuleFile } from "../../../components/common/prometheusTypes";
import { KubeObject } from "../../../render/manifest";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { Json } from "../../kit/json";
import { RunningThanos, startThanosQuery } from "../../kit/localServers";
import { HistoryFamily, writeHistoryBlocks } from "../../kit/metricHistory";
import { listObjects, startS3 } from "../../kit/objectStore";
import { Servers, eventually } from "../../kit/processes";
import { configMapData } from "../../kit/rendered";
import { sleep } from "../../kit/sleep";
import { TcpProxy, startTcpProxy } from "../../kit/tcpProxy";
import {
  LocalBucket,
  RunningBucketProcess,
  bucketMetas,
  localBucket,
  uploadBlocks,
} from "../../kit/thanosBucket";
import {
  COMPACTOR_CATCH_UP,
  LocalReplica,
  compactorCaughtUp,
  compactorProgress,
  externalLabels,
  restartThanos,
  startClusterCompactor,
  startClusterStore,
  startReplicaPrometheus,
  startReplicaSidecar,
  uploadedEverything,
} from "../../kit/thanosCluster";
import { metricValue } from "../../kit/http";
import { logFault, seconds } from "./faultLog";

const DAY_S = 86400;
const HISTORY_DAYS = 3;
const STEP_S = 60;
const SERIES = 3;
const GAUGE = "tiketi_bucket_fault_probe";
/** 15 s in CI; FAULT_THANOS_STORE_KILL_S runs longer. */
const STORE_KILL_MS = Number(process.env.FAULT_THANOS_STORE_KILL_S ?? 15) * 1000;
/** 45 s in CI (a sidecar tries its uploads every 30 s); FAULT_THANOS_S3_OUTAGE_S=600 runs ten minutes. */
const S3_OUTAGE_MS = Number(process.env.FAULT_THANOS_S3_OUTAGE_S ?? 45) * 1000;
/**
 * The compactor's waits, bounded for a machine loaded many times over: its first compaction starts
 * after it has synced every block's meta.json from the bucket, and it catches up after a restart
 * while it makes progress (COMPACTOR_CATCH_UP); the store gateways re-list the bucket every 3 s.
 */
const FIRST_COMPACTION_MS = 300_000;
const STORES_SYNCED_MS = 60_000;
const COMPACTION_TEST_MS =
  30_000 + FIRST_COMPACTION_MS + 30_000 + COMPACTOR_CATCH_UP.timeoutMs + STORES_SYNCED_MS + 60_000;
/** The link to the bucket while a sidecar is killed mid-upload: a block's objects take a second or two. */
const UPLOAD_BYTES_PER_S = 4096;

const history = (from: number, to: number): { families: HistoryFamily[]; from: number; to: number } => ({
  families: [
    {
      name: GAUGE,
      type: "gauge",
      series: Array.from({ length: SERIES }, (_, i) => ({ job: "probe", series: `s${i}` })),
      value: (i, t) => ((t + 31 * i) % 997) / 10,
    },
  ],
  from,
  to,
});

/**
 * Raw samples per series over the `days` before `at`, through Thanos Query (deduplicated, or one
 * replica's alone); and the time it took.
 */
async function rawCounts(
  base: string,
  at: number,
  options: { readonly days?: number; readonly replica?: string } = {},
): Promise<{ counts: number[]; ms: number }> {
  const started = Date.now();
  const selector =
    options.replica === undefined ? GAUGE : `${GAUGE}{prometheus_replica="${options.replica}"}`;
  const response = await fetch(`${base}/api/v1/query`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      query: `count_over_time(${selector}[${options.days ?? HISTORY_DAYS}d])`,
      time: String(at),
      max_source_resolution: "0s",
      dedup: String(options.replica === undefined),
    }).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") throw new Error(JSON.stringify(body));
  return {
    counts: (body.data.result as Json[]).map((r) => Number(r.value[1])),
    ms: Date.now() - started,
  };
}

/** The rendered alert's expression, from the thanos rule file. */
function alertExpr(objects: readonly KubeObject[], alert: string): string {
  const file = yaml.load(configMapData(objects, "prometheus-rules")["thanos.yaml"]) as RuleFile;
  const rule = file.groups.flatMap((g) => g.rules).find((r) => "alert" in r && r.alert === alert);
  if (rule === undefined) throw new Error(`the render has no alert ${alert}`);
  return rule.expr;
}

/** Whether `expr` gives any series on the Prometheus at `base` now. */
async function holds(base: string, expr: string): Promise<boolean> {
  const body = (await (
    await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`)
  ).json()) as Json;
  return (body.data.result as Json[]).length > 0;
}

describe("faults of the metrics bucket's path (the real Thanos of the prod render on gofakes3)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let proxy: TcpProxy;
  let bucket: LocalBucket;
  let stores: (RunningBucketProcess & { readonly grpc: string })[];
  let query: RunningThanos;
  let historyEnd: number;
  let expected: number;
  let blocks: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-faults-"));
    objects = (await rendered("prod")).objects;
    const storage = stackConfig("prod").metrics.objectStorage;
    if (typeof storage?.bucket !== "string") throw new Error("Pulumi.prod.yaml names a metrics bucket");
    const s3 = await startS3(servers, storage.bucket, storage.region);
    proxy = await startTcpProxy(s3.endpoint);
    bucket = localBucket(objects, { ...s3, endpoint: proxy.address }, path.join(dir, "bucket"));
    // Three days of one replica's 2-hour blocks in the bucket, as its sidecar uploaded them.
    historyEnd = Math.floor(Date.now() / 1000) - 3 * 3600;
    const from = historyEnd - HISTORY_DAYS * DAY_S + STEP_S;
    const written = await writeHistoryBlocks(path.join(dir, "uploaded"), {
      ...history(from, historyEnd),
      stepSeconds: STEP_S,
      blockHours: 2,
    });
    blocks = written.blocks;
    expected = written.samples / SERIES;
    await uploadBlocks(bucket, path.join(dir, "uploaded"), externalLabels(objects, "prometheus-0"));
    stores = [
      await startClusterStore(servers, objects, bucket, path.join(dir, "a")),
      await startClusterStore(servers, objects, bucket, path.join(dir, "b")),
    ];
    query = await startThanosQuery(servers, objects, (endpoint) => {
      const ordinal = /^thanos-store-(\d+)\./.exec(endpoint)?.[1];
      return ordinal === undefined ? undefined : stores[Number(ordinal)]?.grpc;
    });
    await eventually(
      async () => ((await rawCounts(query.base, historyEnd)).counts.length === SERIES ? true : undefined),
      "Thanos Query reading the bucket through both store gateways",
      60000,
    );
  }, 300000);

  afterAll(async () => {
    await proxy?.close();
    await servers.stopAll();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a store gateway SIGKILLed under a query a second: the other answers every query, each sample once", async () => {
    expect(stores).toHaveLength(
      (objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "thanos-store") as Json).spec
        .replicas,
    );
    let answered = 0;
    let failed = 0;
    let wrong = 0;
    let slowest = 0;
    const started = Date.now();
    let killedAt = 0;
    while (Date.now() - started < STORE_KILL_MS + 2000) {
      if (killedAt === 0 && Date.now() - started >= 2000) {
        stores[0].server.process.kill("SIGKILL");
        killedAt = Date.now();
      }
      try {
        const { counts, ms } = await rawCounts(query.base, historyEnd);
        slowest = Math.max(slowest, ms);
        answered++;
        if (counts.length !== SERIES || counts.some((c) => c !== expected)) wrong++;
      } catch {
        failed++;
      }
      await sleep(1000);
    }
    stores[0] = await restartThanos(servers, stores[0]);
    logFault({
      fault: `thanos-store-0 SIGKILLed for ${seconds(Date.now() - killedAt)} under a query a second (two store gateways of the prod render, one bucket)`,
      sent: `${answered + failed} queries, each the raw samples of ${SERIES} series over ${HISTORY_DAYS} days`,
      arrived: `${answered} answered, ${answered - wrong} with every sample once, slowest ${slowest} ms`,
      lost: `${failed} queries failed, ${wrong} answers wrong`,
      gap: `none: thanos-store-1 serves the same blocks`,
    });
    expect(failed).toBe(0);
    expect(wrong).toBe(0);
  });

  test(
    "the compactor SIGKILLed mid-compaction and restarted: it finishes, nothing overlaps, every raw sample reads back once",
    async () => {
      let compactor = await startClusterCompactor(servers, objects, bucket, path.join(dir, "compactor"));
      const startedRuns = await eventually(
        async () => {
          const runs = await metricValue(
            compactor.base,
            "thanos_compact_group_compaction_runs_started_total",
          );
          return runs > 0 ? runs : undefined;
        },
        "the compactor's first compaction",
        FIRST_COMPACTION_MS,
        () => compactorProgress(compactor),
      );
      const completedBefore = await metricValue(
        compactor.base,
        "thanos_compact_group_compaction_runs_completed_total",
      );
      compactor.server.process.kill("SIGKILL");
      const killedAt = Date.now();
      compactor = await restartThanos(servers, compactor);
      const runs = await compactorCaughtUp(compactor);
      expect(await metricValue(compactor.base, "thanos_compact_halted")).toBe(0);
      const metas = await bucketMetas(bucket, { live: true });
      for (const resolution of [0, 300000, 3600000]) {
        const ranges = metas
          .filter((m) => m.thanos.downsample.resolution === resolution)
          .map((m) => [m.minTime as number, m.maxTime as number])
          .sort((a, b) => a[0] - b[0]);
        ranges.slice(1).forEach(([min], i) => expect(min).toBeGreaterThanOrEqual(ranges[i][1]));
      }
      const levels = metas.map((m) => m.compaction.level as number);
      expect(Math.max(...levels)).toBeGreaterThan(1);
      // The store gateways list the bucket every 3 s: the compacted blocks replace the uploaded ones.
      let counts: number[] = [];
      await eventually(
        async () => {
          counts = (await rawCounts(query.base, historyEnd)).counts;
          return counts.length === SERIES && counts.every((c) => c === expected) ? counts : undefined;
        },
        "the store gateways answering from the compacted blocks",
        STORES_SYNCED_MS,
      ).catch(() => undefined);
      logFault({
        fault: `the compactor SIGKILLed mid-compaction (${startedRuns} compaction started, ${completedBefore} completed), restarted on its volume`,
        sent: `${blocks} uploaded 2-hour blocks, ${expected} raw samples per series`,
        arrived: `caught up ${seconds(Date.now() - killedAt)} after the kill (${runs} runs); ${metas.length} live blocks, highest level ${Math.max(...levels)}, none overlapping; ${counts.join(", ")} raw samples per series`,
        lost: `${SERIES * expected - counts.reduce((a, b) => a + b, 0)} samples`,
        gap: "none",
      });
      expect(counts).toEqual(Array.from({ length: SERIES }, () => expected));
      // The tests below count what the sidecars upload, block by block, partial ones included: a
      // compactor still running would compact their blocks and clean up a partial upload under them.
      await compactor.server.stop();
    },
    COMPACTION_TEST_MS,
  );

  test("the bucket unreachable while a sidecar has blocks to upload: failures counted, the alerts' conditions hold, every block arrives after", async () => {
    // A replica whose volume holds a day of blocks its sidecar has not uploaded yet.
    const replica: LocalReplica = { pod: "prometheus-1", directory: path.join(dir, "prometheus-1") };
    const written = await writeHistoryBlocks(path.join(replica.directory, "data"), {
      ...history(historyEnd - DAY_S + STEP_S, historyEnd),
      stepSeconds: STEP_S,
      blockHours: 2,
    });
    proxy.cut();
    const cutAt = Date.now();
    await startReplicaPrometheus(servers, objects, replica, []);
    const sidecar = await startReplicaSidecar(servers, objects, replica, bucket);
    // A Prometheus watching the sidecar and a store gateway, as the stack's scrape jobs do.
    const watched = await startReplicaPrometheus(
      servers,
      objects,
      { pod: "prometheus-0", directory: path.join(dir, "watcher") },
      [
        {
          job_name: "thanos-sidecar",
          scrape_interval: "2s",
          static_configs: [{ targets: [new URL(sidecar.base).host] }],
        },
        {
          job_name: "thanos-store",
          scrape_interval: "2s",
          static_configs: [{ targets: [new URL(stores[1].base).host] }],
        },
      ],
    );
    const conditions = ["ThanosSidecarUploadsFailing", "ThanosBucketOperationsFailing"];
    const heldAfter: Record<string, number> = {};
    while (Date.now() - cutAt < S3_OUTAGE_MS) {
      for (const alert of conditions) {
        if (heldAfter[alert] === undefined && (await holds(watched.base, alertExpr(objects, alert)))) {
          heldAfter[alert] = Date.now() - cutAt;
        }
      }
      await sleep(2000);
    }
    const failures = await metricValue(sidecar.base, "thanos_shipper_dir_sync_failures_total");
    proxy.restore();
    const restoredAt = Date.now();
    const uploads = await uploadedEverything(sidecar, 120000);
    const arrived = (await bucketMetas(bucket)).filter(
      (m) => m.thanos.labels.prometheus_replica === replica.pod,
    ).length;
    logFault({
      fault: `the metrics bucket unreachable for ${seconds(restoredAt - cutAt)} while prometheus-1's sidecar had ${written.blocks} blocks to upload`,
      sent: `${written.blocks} blocks`,
      arrived: `${arrived} in the bucket, uploaded ${seconds(Date.now() - restoredAt)} after it was back (${uploads} uploads); ${failures} of its syncs failed meanwhile; conditions held: ${conditions.map((a) => `${a} after ${heldAfter[a] === undefined ? "never" : seconds(heldAfter[a])}`).join(", ")}`,
      lost: `${written.blocks - arrived} blocks`,
      gap: "none in the bucket; the uploads wait on the volume",
    });
    expect(failures).toBeGreaterThan(0);
    expect(Object.keys(heldAfter).sort()).toEqual([...conditions].sort());
    expect(arrived).toBe(written.blocks);
  });

  test("a sidecar SIGKILLed mid-upload and restarted on its volume: every block in the bucket once, each sample once", async () => {
    // Two days of prometheus-1's blocks before the day the outage test uploaded, not yet shipped.
    const replica: LocalReplica = { pod: "prometheus-1", directory: path.join(dir, "prometheus-1-restart") };
    const dataDir = path.join(replica.directory, "data");
    const end = historyEnd - DAY_S;
    const written = await writeHistoryBlocks(dataDir, {
      ...history(end - 2 * DAY_S + STEP_S, end),
      stepSeconds: STEP_S,
      blockHours: 2,
    });
    const ulids = fs.readdirSync(dataDir).filter((name) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(name));
    expect(ulids).toHaveLength(written.blocks);
    await startReplicaPrometheus(servers, objects, replica, []);
    // A slow link to the bucket (4 KiB/s): each block's upload (chunks, index, then meta.json) takes
    // a second or two instead of milliseconds, so the kill can land half-way through one.
    proxy.limit(UPLOAD_BYTES_PER_S);
    const sidecar = await startReplicaSidecar(servers, objects, replica, bucket);
    // Blocks with objects but no meta.json (the shipper writes it last): an upload cut short.
    const shipped = async () => {
      const keys = await listObjects(bucket.s3, "");
      const objectsOf = (ulid: string) => keys.filter((key) => key.startsWith(`${ulid}/`));
      return {
        complete: ulids.filter((ulid) => objectsOf(ulid).includes(`${ulid}/meta.json`)).length,
        partial: ulids.filter(
          (ulid) => objectsOf(ulid).length > 0 && !objectsOf(ulid).includes(`${ulid}/meta.json`),
        ).length,
      };
    };
    // Killed once a block after the first is partly written: seen so (listed as fast as the store
    // answers), the link is held so that upload cannot finish, and once two listings a second apart
    // agree (a request the link passed whole before it was held is stored), the sidecar is killed
    // if the block is still partly written; else the link lets the next one go.
    const deadline = Date.now() + 180000;
    const late = (progress: unknown) =>
      new Error(
        `no block caught half-way through its upload in 180 s; last seen ${JSON.stringify(progress)}`,
      );
    let held = await shipped();
    for (;;) {
      if (held.partial > 0 && held.complete > 0) {
        proxy.limit(0);
        let before: string;
        do {
          before = JSON.stringify(held);
          await sleep(1000);
          held = await shipped();
          if (Date.now() > deadline) throw late(held);
        } while (JSON.stringify(held) !== before);
        if (held.partial > 0) break;
        proxy.limit(UPLOAD_BYTES_PER_S);
      }
      if (Date.now() > deadline) throw late(held);
      held = await shipped();
    }
    // The held bytes die with the process: its connections are dropped, not passed on.
    proxy.cut();
    sidecar.server.process.kill("SIGKILL");
    const killedAt = Date.now();
    proxy.restore();
    proxy.limit();
    const { complete, partial } = await shipped();
    expect({ complete, partial }).toEqual(held);
    expect(complete).toBeLessThan(written.blocks);
    replica.sidecar = await restartThanos(servers, sidecar);
    const uploadedAfter = await uploadedEverything(replica.sidecar, 120000);
    const inBucket = (await bucketMetas(bucket))
      .map((m) => m.ulid as string)
      .filter((ulid) => ulids.includes(ulid));
    const perSeries = written.samples / SERIES;
    // stores[1] lists the bucket every 3 s; Thanos Query reads no sidecar here, so the answer is the bucket's.
    let counts: number[] = [];
    const answered = Date.now() + 60000;
    while (Date.now() < answered && !(counts.length === SERIES && counts.every((c) => c === perSeries))) {
      await sleep(1000);
      counts = (await rawCounts(query.base, end, { days: 2, replica: replica.pod })).counts;
    }
    logFault({
      fault: `prometheus-1's sidecar SIGKILLed mid-upload (${complete} of ${written.blocks} blocks in the bucket, ${partial} partly written) and restarted on its volume`,
      sent: `${written.blocks} blocks, ${perSeries} raw samples per series`,
      arrived: `${inBucket.length} blocks in the bucket, each once (${uploadedAfter} uploaded after the restart, all done ${seconds(Date.now() - killedAt)} after the kill); ${counts.join(", ")} raw samples per series from the bucket`,
      lost: `${written.blocks - new Set(inBucket).size} blocks, ${SERIES * perSeries - counts.reduce((a, b) => a + b, 0)} samples`,
      gap: "none; the partly written block was uploaded again whole under its own ULID",
    });
    expect(inBucket.sort()).toEqual([...ulids].sort());
    expect(counts).toEqual(Array.from({ length: SERIES }, () => perSeries));
  });
});
