// A month of metrics in the bucket, with the real Prometheus, Thanos sidecar, store gateway,
// compactor and Thanos Query of the prod render, all on gofakes3's S3 server (the rendered bucket and
// region). Two clusters share the bucket: the prod cluster, which is also the hub (its store gateway
// serves every cluster's blocks, and its Thanos Query reads the staging cluster's sidecars over
// mutual TLS, published here as a load balancer would publish them), and a staging cluster (the prod
// render named tiketi-staging).
//
// The prod cluster turns the bucket on as a running stack does (docs/day-two.md): its two replicas
// have kept 45 days on their volumes, 32 of them history that promtool wrote and Prometheus compacted
// itself; the update turns uploads on keeping that retention, and every block reaches the bucket;
// the next update shortens the retention to the render's two days, and Prometheus deletes what is
// older. The staging cluster's month is in the bucket already (uploaded with the sidecar's shipper).
// Then each cluster's compactor compacts and downsamples its own blocks only, the store gateways
// serve them, and range queries from an hour to a year read across the bucket and the sidecars.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parseQuantity } from "../../config/quantity";
import { KubeObject } from "../../render/manifest";
import { renderWithConfig } from "../../render/renderStack";
import { stackConfig } from "../support/renderedStacks";
import { hubConfig } from "../support/hubProd";
import { LocalHttpServer, listen } from "../kit/httpServers";
import { Json } from "../kit/json";
import { HistoryFamily, writeHistoryBlocks } from "../kit/metricHistory";
import { startS3 } from "../kit/objectStore";
import { Servers } from "../kit/processes";
import { machine, writeMeasured } from "../kit/measured";
import { workloadNamed } from "../kit/rendered";
import { Sampler } from "../../scripts/benchLoad/sampler";
import {
  LocalBucket,
  RunningBucketProcess,
  bucketMetas,
  localBucket,
  uploadBlocks,
} from "../kit/thanosBucket";
import {
  LocalReplica,
  compactorCaughtUp,
  externalLabels,
  metricSettled,
  replicaPods,
  startClusterCompactor,
  startClusterQuery,
  startClusterStore,
  startReplicaPrometheus,
  startReplicaSidecar,
  stopProcess,
  uploadedEverything,
  COMPACTOR_CATCH_UP,
} from "../kit/thanosCluster";
import { metricValue } from "../kit/http";
import { RunningThanos } from "../kit/localServers";
import { GAP_STEP_S, gapsOf } from "../../review/history/backtest";
import { HISTORY_DEFAULTS, requestSpanSeconds } from "../../review/history/queryHistory";
import { TlsFiles, issueTls } from "../kit/tls";
import { TlsTerminator, startTlsTerminator } from "../kit/tlsTerminator";

/** Set to 1 to write what the test measured to docs/measured/thanos-range-queries.md. */
const RECORD = "RECORD_MEASURED";
const DAY_S = 86400;
const HISTORY_DAYS = 32;
/** One sample a minute over the month: fine enough to downsample, few enough for a CI run. */
const HISTORY_STEP_S = 60;
const SERIES = 4;
const STAGING = "tiketi-staging";
/** A gauge whose 5-minute and hourly averages differ from its samples, so each resolution shows. */
const GAUGE = "tiketi_history_queue_depth";
const gaugeValue = (i: number, t: number) => ((t + 97 * i) % 1009) / 10;
const seriesLabels = (instance: string) =>
  Array.from({ length: SERIES }, (_, i) => ({ job: "history", instance, series: `s${i}` }));
/** A gauge that has no sample for three hours 20 days back, in the compactor's 5-minute blocks. */
const OUTAGE_GAUGE = "tiketi_history_worker_up";
/** The outage ends 30 s after a step of the gap check, so its first sample after is not on one. */
const outageOf = (historyEnd: number) => {
  const from = Math.floor((historyEnd - 20 * DAY_S) / 3600) * 3600;
  return { from, to: from + 3 * 3600 + 30 };
};

/** The history and the live target serve the same series, so the month runs on into the head. */
function families(instance: string, historyEnd: number): HistoryFamily[] {
  const outage = outageOf(historyEnd);
  return [
    { name: GAUGE, type: "gauge", series: seriesLabels(instance), value: gaugeValue },
    {
      name: OUTAGE_GAUGE,
      type: "gauge",
      series: [{ job: "history", instance }],
      value: (_, t) => (t >= outage.from && t < outage.to ? undefined : 1),
    },
  ];
}

/** A service the replicas scrape: the history's series at the current time. */
function historyTarget(): Promise<LocalHttpServer> {
  return listen((_req: http.IncomingMessage, res: http.ServerResponse) => {
    const now = Math.floor(Date.now() / 1000);
    const lines = [
      `# TYPE ${GAUGE} gauge`,
      ...Array.from({ length: SERIES }, (_, i) => `${GAUGE}{series="s${i}"} ${gaugeValue(i, now)}`),
      `# TYPE ${OUTAGE_GAUGE} gauge`,
      `${OUTAGE_GAUGE} 1`,
    ];
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
    res.end(`${lines.join("\n")}\n`);
  });
}

/** A prod stack file edited as the test's updates edit it (the metrics section's keys, the cluster's). */
async function render(tls: TlsFiles, edit: (config: Record<string, string>) => Record<string, string>) {
  const { config, secretKeys } = hubConfig({
    ca: tls.pem.ca,
    certificate: tls.pem.clientCertificate,
    key: tls.pem.clientKey,
  });
  return (await renderWithConfig("prod", edit(config), secretKeys)).objects;
}

const metricsEdit = (edit: (metrics: Json) => void) => (config: Record<string, string>) => {
  const metrics = JSON.parse(config["observability:metrics"]) as Json;
  edit(metrics);
  return { ...config, "observability:metrics": JSON.stringify(metrics) };
};

/**
 * Waits until a replica's Prometheus has compacted its persisted blocks as far as its block ranges
 * go: it compacts once a minute, one plan after another, until none is left.
 */
function compacted(replica: LocalReplica): Promise<number> {
  return metricSettled(
    replica.prometheus?.base ?? "",
    "prometheus_tsdb_compactions_total",
    "Prometheus compacting the history",
    1000,
    120000,
  );
}

/**
 * The store gateways and compactors list the month of blocks (two clusters, about 140 blocks) every
 * 15 s: listed every 3 to 5 s, the listings alone kept the S3 stand-in answering in 0.66 s on
 * average under CI's other lanes, and the compactors downloaded too slowly to catch up in 7 minutes.
 */
const LISTING = { everySeconds: 15 };

const FIVE_MINUTES_MS = 300000;
const ONE_HOUR_MS = 3600000;

/** The ranges of the range-query table, from a panel's last hour to a year. */
const RANGES: readonly (readonly [string, number])[] = [
  ["1h", 3600],
  ["2d", 2 * DAY_S],
  ["7d", 7 * DAY_S],
  ["30d", 30 * DAY_S],
  ["90d", 90 * DAY_S],
  ["1y", 365 * DAY_S],
];

/** The step Grafana asks for a full-width panel of about 1,000 points, never below the scrape interval. */
const grafanaStep = (rangeS: number) => Math.max(15, Math.round(rangeS / 1000));

/** The time of a replica's oldest block on its volume (ms): where its sidecar's data begins. */
function oldestLocalBlock(replica: LocalReplica): number {
  const data = path.join(replica.directory, "data");
  return Math.min(
    ...fs
      .readdirSync(data)
      .filter((entry) => fs.existsSync(path.join(data, entry, "meta.json")))
      .map(
        (entry) =>
          (JSON.parse(fs.readFileSync(path.join(data, entry, "meta.json"), "utf8")) as Json)
            .minTime as number,
      ),
  );
}

/**
 * The longest time between consecutive points of any series within two steps of `boundary`, beyond
 * the step itself (seconds): 0 when every step around it has its point.
 */
function boundaryGap(series: readonly Json[], boundary: number, stepS: number): number {
  return Math.max(
    0,
    ...series.map((s) => {
      const times = (s.values as [number, string][])
        .map(([t]) => t)
        .filter((t) => Math.abs(t - boundary) <= 2 * stepS);
      return Math.max(0, ...times.slice(1).map((t, i) => t - times[i] - stepS));
    }),
  );
}

/** Instant query through Thanos Query; its result vector. */
async function query(base: string, params: Record<string, string>): Promise<Json[]> {
  const response = await fetch(`${base}/api/v1/query`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") {
    throw new Error(`query ${JSON.stringify(params)}: ${JSON.stringify(body)}`);
  }
  return body.data.result as Json[];
}

/**
 * Which resolution answered the bucket's part of a range query: the one whose explicit
 * `max_source_resolution` gives the same points before `boundary` (the gauge's averages differ
 * from its samples at each resolution). Thanos Query also widens the lookback delta to an hour
 * when the resolution it chooses is coarser than 5 minutes (its hidden `--query.dynamic-lookback-delta`,
 * on by default), while an explicit 5m keeps 5 minutes: each resolution is tried with the default
 * lookback and with an hour's, and the one that matched is named.
 */
async function resolutionUsed(
  base: string,
  params: Record<string, string>,
  auto: readonly Json[],
  boundary: number,
): Promise<string> {
  const before = (series: readonly Json[]) =>
    JSON.stringify(
      [...series]
        .sort((a, b) => String(a.metric.series).localeCompare(String(b.metric.series)))
        .map((s) => (s.values as [number, string][]).filter(([t]) => t < boundary)),
    );
  if (before(auto) === before(auto.map((s) => ({ ...s, values: [] })))) {
    return "raw (the sidecars' days)";
  }
  for (const resolution of ["1h", "5m", "0s"]) {
    for (const lookback of [undefined, "1h"]) {
      const { series } = await queryRange(base, {
        ...params,
        max_source_resolution: resolution,
        ...(lookback === undefined ? {} : { lookback_delta: lookback }),
      });
      if (before(series) === before(auto)) {
        return `${resolution === "0s" ? "raw" : resolution}${lookback === undefined ? "" : `, lookback ${lookback}`}`;
      }
    }
  }
  return "none of them";
}

/** Range query through Thanos Query, as Grafana's datasource sends it; the series and the time it took. */
async function queryRange(base: string, params: Record<string, string>) {
  const started = Date.now();
  const response = await fetch(`${base}/api/v1/query_range`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") {
    throw new Error(`query_range ${JSON.stringify(params)}: ${JSON.stringify(body)}`);
  }
  return { series: body.data.result as Json[], ms: Date.now() - started };
}

describe("a month of metrics on S3 across two clusters (the real Thanos v0.42.4 on gofakes3)", () => {
  const servers = new Servers();
  let dir: string;
  let tls: TlsFiles;
  let target: LocalHttpServer;
  let bucket: LocalBucket;
  let prod: readonly KubeObject[];
  let staging: readonly KubeObject[];
  const prodReplicas: LocalReplica[] = [];
  const stagingReplicas: LocalReplica[] = [];
  let prodStore: RunningBucketProcess & { readonly grpc: string };
  let stagingStore: RunningBucketProcess & { readonly grpc: string };
  const historyStart = () => historyEnd - HISTORY_DAYS * DAY_S;
  let hubQuery: RunningThanos;
  let stagingQuery: RunningThanos;
  const terminators: TlsTerminator[] = [];
  let scrapeConfigs: Json[];
  let historyEnd: number;
  const log: string[] = [];
  /** The prod store gateway's and compactor's memory and CPU, from the compaction to the last range query. */
  let footprint: Sampler | undefined;
  const step = (line: string) => {
    log.push(line);
    process.stdout.write(`${line}\n`);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-history-"));
    tls = await issueTls(path.join(dir, "tls"), ["thanos.staging.tiketi.example.com"]);
    const storage = stackConfig("prod").metrics.objectStorage;
    if (typeof storage?.bucket !== "string") throw new Error("Pulumi.prod.yaml names a metrics bucket");
    const s3 = await startS3(servers, storage.bucket, storage.region);
    target = await historyTarget();
    const instance = `127.0.0.1:${target.port}`;
    scrapeConfigs = [
      { job_name: "history", scrape_interval: "15s", static_configs: [{ targets: [instance] }] },
    ];
    historyEnd = Math.floor(Date.now() / 1000) - 60;
    const history = {
      families: families(instance, historyEnd),
      from: historyEnd - HISTORY_DAYS * DAY_S,
      to: historyEnd,
      stepSeconds: HISTORY_STEP_S,
    };

    // The committed render is the last update; the bucket's config is the same in each.
    prod = await render(tls, (c) => c);
    bucket = localBucket(prod, s3, path.join(dir, "bucket"));
    staging = await render(tls, (c) => {
      const cluster = JSON.parse(c["observability:cluster"]) as Json;
      const metrics = JSON.parse(c["observability:metrics"]) as Json;
      delete metrics.objectStorage.hub;
      return {
        ...c,
        "observability:cluster": JSON.stringify({ ...cluster, name: STAGING, env: "staging" }),
        "observability:metrics": JSON.stringify(metrics),
      };
    });

    // Prod: 32 days on each replica's volume, as 18-hour blocks that Prometheus, before uploads were
    // on, compacts into 54-hour ones itself (it keeps 45 days). Its compaction runs a minute after
    // it starts; the staging cluster is set up meanwhile.
    const before = await render(
      tls,
      metricsEdit((m) => {
        delete m.objectStorage;
        m.retentionTime = "45d";
      }),
    );
    for (const pod of replicaPods(prod)) {
      const replica: LocalReplica = { pod, directory: path.join(dir, "prod", pod) };
      const written = await writeHistoryBlocks(path.join(replica.directory, "data"), {
        ...history,
        blockHours: 18,
      });
      step(`prod ${pod}: promtool wrote ${written.blocks} blocks, ${written.samples} samples`);
      prodReplicas.push(replica);
    }
    await Promise.all(prodReplicas.map((r) => startReplicaPrometheus(servers, before, r, scrapeConfigs)));
    const compacting = Date.now();

    // Staging: its month in the bucket, uploaded by the shipper with its replicas' external labels,
    // and its last two days on its volumes.
    for (const pod of replicaPods(staging)) {
      const uploaded = path.join(dir, "staging-history", pod);
      const replica: LocalReplica = { pod, directory: path.join(dir, "staging", pod) };
      const boundary = historyEnd - 2 * DAY_S;
      await writeHistoryBlocks(uploaded, { ...history, to: boundary - HISTORY_STEP_S, blockHours: 54 });
      await uploadBlocks(bucket, uploaded, externalLabels(staging, pod));
      await writeHistoryBlocks(path.join(replica.directory, "data"), {
        ...history,
        from: boundary,
        blockHours: 2,
      });
      await startReplicaPrometheus(servers, staging, replica, scrapeConfigs);
      await startReplicaSidecar(servers, staging, replica, bucket);
      stagingReplicas.push(replica);
    }
    stagingStore = await startClusterStore(servers, staging, bucket, path.join(dir, "staging"), LISTING);
    // The staging sidecars, published to the hub over TLS that asks for its client certificate.
    for (const replica of stagingReplicas) {
      terminators.push(
        await startTlsTerminator(replica.sidecar?.grpc ?? "", {
          certFile: tls.serverCertFile,
          keyFile: tls.serverKeyFile,
          clientCaFile: tls.caFile,
        }),
      );
    }
    step(`staging: set up in ${((Date.now() - compacting) / 1000).toFixed(1)} s`);

    for (const replica of prodReplicas) {
      const compactions = await compacted(replica);
      step(
        `prod ${replica.pod}: Prometheus (no uploads, 45d) compacted ${compactions} times, ${((Date.now() - compacting) / 1000).toFixed(1)} s after it started`,
      );
    }
    await Promise.all(prodReplicas.map((r) => stopProcess(r.prometheus)));

    // The update that turns uploads on, keeping the retention.
    const turnedOn = await render(
      tls,
      metricsEdit((m) => (m.retentionTime = "45d")),
    );
    for (const replica of prodReplicas) {
      await startReplicaPrometheus(servers, turnedOn, replica, scrapeConfigs);
      await startReplicaSidecar(servers, turnedOn, replica, bucket);
    }
    for (const replica of prodReplicas) {
      const uploads = await uploadedEverything(replica.sidecar as RunningThanos);
      step(`prod ${replica.pod}: the sidecar uploaded ${uploads} blocks, the compacted history among them`);
    }
    // The update that shortens it rolls each pod (Prometheus and its sidecar): Prometheus deletes the
    // blocks past two days as it opens the TSDB.
    for (const replica of prodReplicas) {
      await stopProcess(replica.sidecar);
      await stopProcess(replica.prometheus);
      await startReplicaPrometheus(servers, prod, replica, scrapeConfigs);
      await startReplicaSidecar(servers, prod, replica, bucket);
    }
    prodStore = await startClusterStore(servers, prod, bucket, path.join(dir, "prod"), LISTING);
    // The hub's TLS files, as the Secret thanos-query-tls mounts them.
    const tlsDir = path.join(dir, "query-tls");
    fs.mkdirSync(tlsDir);
    fs.copyFileSync(tls.caFile, path.join(tlsDir, "ca.crt"));
    fs.copyFileSync(tls.clientCertFile, path.join(tlsDir, "tls.crt"));
    fs.copyFileSync(tls.clientKeyFile, path.join(tlsDir, "tls.key"));
    hubQuery = await startClusterQuery(
      servers,
      prod,
      prodReplicas,
      prodStore,
      (address) => {
        const pod = /^(prometheus-\d+)\./.exec(address)?.[1];
        return terminators[stagingReplicas.findIndex((r) => r.pod === pod)]?.address;
      },
      tlsDir,
    );
    stagingQuery = await startClusterQuery(servers, staging, stagingReplicas, stagingStore);
  }, 600000);

  afterAll(async () => {
    footprint?.stop();
    await Promise.all(terminators.map((t) => t.close()));
    await servers.stopAll();
    await target?.close();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${log.join("\n")}\n`);
  });

  test("turning uploads on kept every sample: every block the volumes held is in the bucket, and a month of raw samples reads back once each", async () => {
    const metas = await bucketMetas(bucket);
    for (const replica of prodReplicas) {
      const stream = metas.filter(
        (m) =>
          m.thanos.labels.cluster === "tiketi-prod" && m.thanos.labels.prometheus_replica === replica.pod,
      );
      // Prometheus' own compactions (level 2) among them: --shipper.upload-compacted at work.
      expect(stream.some((m) => m.compaction.level > 1)).toBe(true);
      expect(stream.length).toBeGreaterThan(10);
    }
    // Before any compaction or retention: the raw samples of 30 days, each series once, through
    // the store gateway and the sidecars (whose volumes keep the last two days).
    const at = historyEnd;
    const days = 30;
    const answer = await query(hubQuery.base, {
      query: `count_over_time(${GAUGE}{cluster="tiketi-prod"}[${days}d])`,
      time: String(at),
      max_source_resolution: "0s",
    });
    expect(answer.map((r) => [r.metric.series, Number(r.value[1])]).sort()).toEqual(
      Array.from({ length: SERIES }, (_, i) => [`s${i}`, (days * DAY_S) / HISTORY_STEP_S]),
    );
    step(
      `prod: ${SERIES} series × ${(days * DAY_S) / HISTORY_STEP_S} raw samples over ${days} days read back once each`,
    );
  });

  test(
    "each cluster's compactor compacts and downsamples its own blocks, side by side on one bucket, neither halting",
    async () => {
      const uploaded = await bucketMetas(bucket);
      const started = Date.now();
      const compactors = [
        await startClusterCompactor(servers, prod, bucket, path.join(dir, "prod"), LISTING),
        await startClusterCompactor(servers, staging, bucket, path.join(dir, "staging"), LISTING),
      ];
      footprint = new Sampler(
        new Map([
          ["thanos-store", prodStore.server.process.pid as number],
          ["thanos-compactor", compactors[0].server.process.pid as number],
        ]),
      );
      const runs = await Promise.all(compactors.map((c) => compactorCaughtUp(c)));
      step(
        `compactors caught up in ${((Date.now() - started) / 1000).toFixed(1)} s (runs: prod ${runs[0]}, staging ${runs[1]})`,
      );
      const metas = await bucketMetas(bucket, { live: true });
      for (const cluster of ["tiketi-prod", STAGING]) {
        const own = metas.filter((m) => m.thanos.labels.cluster === cluster);
        const at = (resolution: number) => own.filter((m) => m.thanos.downsample.resolution === resolution);
        // Compacted beyond what was uploaded, and downsampled to 5 minutes and 1 hour.
        const uploadedLevel = Math.max(
          ...uploaded.filter((m) => m.thanos.labels.cluster === cluster).map((m) => m.compaction.level),
        );
        expect(Math.max(...own.map((m) => m.compaction.level))).toBeGreaterThan(uploadedLevel);
        const covered = (resolution: number) =>
          at(resolution).reduce((sum, m) => sum + (m.maxTime - m.minTime), 0) /
          1000 /
          DAY_S /
          replicaPods(prod).length;
        expect(covered(FIVE_MINUTES_MS)).toBeGreaterThanOrEqual(28);
        expect(covered(ONE_HOUR_MS)).toBeGreaterThanOrEqual(10);
        step(
          `${cluster}: ${own.length} live blocks, highest level ${Math.max(...own.map((m) => m.compaction.level))}, 5m covering ${covered(FIVE_MINUTES_MS).toFixed(1)} days and 1h ${covered(ONE_HOUR_MS).toFixed(1)} days per replica`,
        );
      }
      for (const compactor of compactors) {
        expect(await metricValue(compactor.base, "thanos_compact_halted")).toBe(0);
        // The other cluster's blocks, left out by the selector.
        expect(
          await metricValue(compactor.base, "thanos_blocks_meta_synced", (l) =>
            l.includes('state="label-excluded"'),
          ),
        ).toBeGreaterThan(0);
      }
    },
    COMPACTOR_CATCH_UP.timeoutMs + 120_000,
  );

  test("Grafana's range queries over an hour to a year: the resolution Thanos picks for the step, every series once, no gap where the sidecars' days meet the bucket", async () => {
    // The store gateway picks up the compactors' last blocks on its next listings: the table waits
    // until the blocks it serves stop changing, so each range's answers all read the same blocks.
    await metricSettled(
      prodStore.base,
      "thanos_bucket_store_blocks_loaded",
      "the store gateway's blocks settling",
      (LISTING.everySeconds + 1) * 1000,
      180000,
    );
    const boundary = Math.max(...prodReplicas.map((r) => oldestLocalBlock(r))) / 1000;
    const rows: string[] = [];
    for (const [label, rangeS] of RANGES) {
      const end = historyEnd;
      const start = end - rangeS;
      const stepS = grafanaStep(rangeS);
      const params = {
        query: `${GAUGE}{cluster="tiketi-prod"}`,
        start: String(start),
        end: String(end),
        step: String(stepS),
      };
      const answer = await queryRange(hubQuery.base, params);
      expect(answer.series.map((r) => r.metric.series).sort()).toEqual(
        Array.from({ length: SERIES }, (_, i) => `s${i}`),
      );
      const expectedPoints =
        Math.floor((Math.min(end, historyEnd) - Math.max(start, historyStart())) / stepS) + 1;
      for (const series of answer.series) {
        const times = (series.values as [number, string][]).map(([t]) => t);
        expect(new Set(times).size).toBe(times.length);
        expect(times.length).toBeGreaterThanOrEqual(expectedPoints - 1);
      }
      const gap = boundaryGap(answer.series, boundary, stepS);
      expect(gap).toBe(0);
      const resolution = await resolutionUsed(hubQuery.base, params, answer.series, boundary);
      const samples = answer.series.reduce((sum, r) => sum + (r.values as unknown[]).length, 0);
      rows.push(
        `| ${label} | ${stepS} s | ${resolution} | ${answer.series.length} | ${samples} | ${answer.ms} ms | ${gap} s |`,
      );
    }
    step(
      [
        "| range | step | resolution used | series | samples | answer time | gap at the boundary |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
      ].join("\n"),
    );
    footprint?.stop();
    step(
      "footprint from the compactors' start to the last range query (peak and median of a sample a second), beside the prod render's resources:",
    );
    for (const name of ["thanos-store", "thanos-compactor"]) {
      const measured = footprint?.summary(name, 0);
      if (measured === undefined) throw new Error("the compactor test did not run: nothing was sampled");
      const { requests, limits } = workloadNamed(prod, name).spec.template.spec.containers.find(
        (c: Json) => c.name === name,
      ).resources;
      const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
      step(
        `${name}: RSS peak ${mib(measured.peakRss)}, median ${mib(measured.steadyRss)}; CPU peak ${measured.peakCpu.toFixed(2)} cores, median ${measured.steadyCpu.toFixed(2)}; ` +
          `prod requests ${requests.memory} and ${requests.cpu} CPU, limits ${limits.memory} and ${limits.cpu} CPU`,
      );
      expect(measured.peakRss).toBeLessThan(parseQuantity(limits.memory));
    }
    if (process.env[RECORD] === "1") {
      writeMeasured(
        "thanos-range-queries",
        "Thanos range queries over a month in the bucket",
        `${RECORD}=1 npx jest tests/servers/thanosHistory.test.ts`,
        [`on ${machine()}`, ...log].join("\n"),
      );
    }
    expect(rows.filter((row) => row.includes("none of them"))).toEqual([]);
  });

  test("the review's gap check over 30 days finds the three-hour outage in the 5-minute blocks, and no gap in the rest, the sidecars' days among it", async () => {
    const outage = outageOf(historyEnd);
    const source = {
      url: hubQuery.base,
      headers: {},
      maxSeries: HISTORY_DEFAULTS.maxSeries,
      maxSamples: HISTORY_DEFAULTS.maxSamples,
      engine: HISTORY_DEFAULTS.engine,
    };
    const period = { start: historyEnd - 30 * DAY_S, end: historyEnd };
    // The first step with no sample in the step before it, to the first with one again.
    expect(await gapsOf([GAUGE, OUTAGE_GAUGE], source, period, requestSpanSeconds(60))).toEqual([
      { from: outage.from + GAP_STEP_S, to: outage.from + 3 * 3600 + GAP_STEP_S, missing: [OUTAGE_GAUGE] },
    ]);
  });

  test("the hub: every cluster's month from the bucket, the staging cluster's last samples from its sidecars over mutual TLS; the staging cluster's own view is its own", async () => {
    const now = Math.floor(Date.now() / 1000);
    const clusters = await query(hubQuery.base, {
      query: `count by (cluster) (${GAUGE})`,
      time: String(now),
    });
    expect(clusters.map((r) => [r.metric.cluster, Number(r.value[1])]).sort()).toEqual([
      ["tiketi-prod", SERIES],
      [STAGING, SERIES],
    ]);
    expect(terminators.reduce((sum, t) => sum + t.accepted(), 0)).toBeGreaterThan(0);
    // A month of staging through the hub: the bucket's history and its sidecars' days, without a gap.
    const month = await queryRange(hubQuery.base, {
      query: `${GAUGE}{cluster="${STAGING}"}`,
      start: String(historyEnd - 30 * DAY_S),
      end: String(historyEnd),
      step: String(grafanaStep(30 * DAY_S)),
    });
    expect(month.series).toHaveLength(SERIES);
    expect(boundaryGap(month.series, historyEnd - 2 * DAY_S, grafanaStep(30 * DAY_S))).toBe(0);
    const own = await query(stagingQuery.base, {
      query: `count by (cluster) (${GAUGE})`,
      time: String(historyEnd),
    });
    expect(own.map((r) => r.metric.cluster)).toEqual([STAGING]);
  });
});
