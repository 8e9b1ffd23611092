// `npm run bench:thanos [-- --days 30 --step-seconds 1800 --record]`: the metrics bucket's store
// gateway, compactor and ruler (prod's metrics.objectStorage) at prod's rated load with a month of blocks,
// the real Thanos binaries of the prod render on a bucket in a directory.
//
// 1. The rated load's series: the bench's targets (scripts/benchLoad/targets.ts: ten pods of each
//    reference service, ten nodes, kube-state-metrics) scraped through the rendered jobs by the
//    rendered Prometheus with its rules, its series read back once the rules have run.
// 2. A month of them as the sidecars upload it when object storage is turned on for a running stack
//    (docs/day-two.md): the 54-hour blocks Prometheus compacted on its volume, written by promtool,
//    prometheus-0's and the same blocks under new IDs as prometheus-1's, each with its replica's
//    external labels. Samples are thinned to one every --step-seconds (the scrape is every 10 s): a
//    2-core machine writes 130,000 series × 8,640 samples a day in no reasonable time. Series, label
//    values and blocks are at scale; each series' chunks hold fewer samples than real scrapes'.
// 3. The rendered compactor from an empty data directory until it has nothing left to compact or
//    downsample, sampled once a second.
// 4. The rendered store gateway over the result, then every Prometheus query of the rendered
//    dashboards (its variables at the values a dashboard opens with) over 30, 7 and 2 days through
//    the rendered Thanos Query (the store gateway its only store), at the step Grafana asks for a
//    full-width panel; the store gateway sampled throughout, and what each query made it touch
//    counted, for its per-request limits. Each range's slowest answer of the last record is printed
//    beside this run's. Then a user's Explore of the raw request histogram, every service's and one
//    service's, over 7 and 2 days: answered, or refused by those limits.
// 5. The rendered Thanos Ruler over that Query (the month in the bucket), writing what it records
//    into a Prometheus that receives it, for RULER_WINDOW_S: each group's evaluation time, and the
//    ruler sampled throughout. The month holds the hourly chunks its windows read: the rated
//    Prometheus records them once an hour, so the bench takes their series from the chunk rules'
//    expressions at the rated load.
import * as path from "path";
import { MICROMETER_SOURCE, quantile } from "../components/common/httpSources";
import { KubeObject } from "../render/manifest";
import { renderStack } from "../render/renderStack";
import { Json } from "../tests/kit/json";
import { previousRecord } from "../tests/kit/measured";
import { workloadNamed } from "../tests/kit/rendered";
import { bucketMetas, directoryBucket, startStoreGateway } from "../tests/kit/thanosBucket";
import { metricValue } from "../tests/kit/http";
import {
  BENCH_CATCH_UP,
  compactorCaughtUp,
  startClusterCompactor,
  uploadReplicaHistory,
  writeReplicaHistory,
} from "../tests/kit/thanosCluster";
import * as yaml from "js-yaml";
import { RuleFile } from "../components/common/prometheusTypes";
import { getJson } from "../tests/kit/http";
import { startPrometheus, startThanosQuery } from "../tests/kit/localServers";
import { Running } from "../tests/kit/processes";
import { configMapData } from "../tests/kit/rendered";
import { sleep } from "../tests/kit/sleep";
import { startThanosRuler } from "../tests/kit/thanosRuler";
import { Sampler, Summary } from "./benchLoad/sampler";
import { grafanaStep, slowestRecorded, timeRanges } from "./benchRange/dashboardQueries";
import { atRatedLoad, families, heldSeries, post } from "./benchRange/ratedLoad";
import { option } from "./benchRange/options";
import { runBench } from "./benchRange/runBench";

const DAY_S = 86400;
const RECORD = "thanos-footprint";
/** The service whose raw histogram the bench explores as a user would in Grafana's Explore. */
const RAW_SERVICE = "ticket-service";
/** The samples the store gateway's request-samples limit counts for each chunk it touches. */
const SAMPLES_PER_CHUNK = 120;

/** Long enough for every group of the ruler's to be evaluated (the longest interval but the hourly chunks' is 5 minutes). */
const RULER_WINDOW_S = 420;

/**
 * The series the hourly chunk rules of the rendered Prometheus record, from their expressions at
 * the rated load: they are recorded once an hour, so the few minutes of the rated load may hold none.
 */
async function hourChunkSeries(prometheus: Running, objects: readonly KubeObject[]): Promise<Json[]> {
  const rules = Object.values(configMapData(objects, "prometheus-rules"))
    .flatMap((text) => (yaml.load(text) as RuleFile).groups)
    .flatMap((g) => g.rules)
    .flatMap((r) => ("record" in r && r.record.endsWith(":hour_chunk") ? [r] : []));
  const found: Json[] = [];
  for (const rule of rules) {
    const { data } = await post(`${prometheus.base}/api/v1/query`, { query: rule.expr });
    for (const { metric } of (data as { result: { metric: Json }[] }).result) {
      found.push({ ...metric, ...rule.labels, __name__: rule.record });
    }
  }
  return found;
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

/** The parts of a block's meta.json this bench reads. */
interface BlockMeta {
  readonly compaction: { readonly level: number };
  readonly thanos: { readonly downsample: { readonly resolution: number } };
}

interface Resources {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

const footprintLine = (name: string, measured: Summary, objects: readonly KubeObject[]) => {
  const workload = workloadNamed(objects, name) as unknown as {
    spec: { template: { spec: { containers: { name: string; resources: Resources }[] } } };
  };
  const container = workload.spec.template.spec.containers.find((c) => c.name === name);
  if (container === undefined) throw new Error(`${name}: no container ${name} in the render`);
  const { requests, limits } = container.resources;
  return (
    `${name}: RSS peak ${mib(measured.peakRss)}, median ${mib(measured.steadyRss)}; CPU peak ` +
    `${measured.peakCpu.toFixed(2)} cores, median ${measured.steadyCpu.toFixed(2)}; prod requests ` +
    `${requests.memory} and ${requests.cpu} CPU, limits ${limits.memory} and ${limits.cpu} CPU`
  );
};

runBench(
  {
    script: "bench:thanos",
    record: RECORD,
    title: "Store gateway, compactor and ruler at prod's rated load with a month of blocks",
    tools: {
      PROMETHEUS_DIR: "prometheus",
      ALERTMANAGER_DIR: "alertmanager",
      THANOS_DIR: "thanos",
    },
  },
  async ({ args, servers, dir, print }) => {
    const days = option(args, "--days", 30);
    const stepSeconds = option(args, "--step-seconds", 1800);
    const objects = (await renderStack("prod")).objects;
    let started = Date.now();
    const series = await atRatedLoad(servers, objects, dir, "prod", async (prometheus) => [
      ...(await heldSeries(prometheus)),
      ...(await hourChunkSeries(prometheus, objects)),
    ]);
    print(
      `prod's rated load: ${series.length} series (its rules' among them), read in ${seconds(started)} s`,
    );

    started = Date.now();
    const end = Math.floor(Date.now() / 1000 / 7200) * 7200;
    const from = end - days * DAY_S;
    const written = await writeReplicaHistory(path.join(dir, "history"), {
      families: families(series, from, stepSeconds),
      from,
      to: end - stepSeconds,
      stepSeconds,
      blockHours: 54,
    });
    print(
      `history: ${days} days, a sample every ${stepSeconds} s, ${written.blocks} 54-hour blocks per replica ` +
        `(${written.samples} samples each), written by promtool in ${seconds(started)} s`,
    );

    const bucket = directoryBucket(path.join(dir, "bucket"));
    started = Date.now();
    await uploadReplicaHistory(path.join(dir, "history"), bucket, objects);
    print(`uploaded ${(await bucketMetas(bucket)).length} blocks in ${seconds(started)} s`);

    started = Date.now();
    const compactor = await startClusterCompactor(servers, objects, bucket, dir);
    const compacting = new Sampler(new Map([["thanos-compactor", compactor.server.process.pid as number]]));
    const runs = await compactorCaughtUp(compactor, BENCH_CATCH_UP);
    compacting.stop();
    const live = (await bucketMetas(bucket, { live: true })) as BlockMeta[];
    const byResolution = (resolution: number) =>
      live.filter((m) => m.thanos.downsample.resolution === resolution).length;
    print(
      `compactor caught up in ${seconds(started)} s (${runs} runs, ` +
        `${await metricValue(compactor.base, "thanos_compact_group_compactions_total")} compactions): ` +
        `${live.length} live blocks, ${byResolution(0)} raw, ${byResolution(300000)} at 5m, ` +
        `${byResolution(3600000)} at 1h, highest level ${Math.max(...live.map((m) => m.compaction.level))}`,
    );
    print(footprintLine("thanos-compactor", compacting.summary("thanos-compactor", 0), objects));
    await compactor.server.stop();

    started = Date.now();
    const store = await startStoreGateway(servers, objects, bucket, path.join(dir, "store"));
    const serving = new Sampler(new Map([["thanos-store", store.server.process.pid as number]]));
    const loaded = await metricValue(store.base, "thanos_bucket_store_blocks_loaded");
    print(`store gateway ready in ${seconds(started)} s with ${loaded} blocks loaded`);
    const query = await startThanosQuery(servers, objects, (endpoint) =>
      endpoint.startsWith("thanos-store-0.") ? store.grpc : undefined,
    );
    const querying = new Sampler(new Map([["thanos-query", query.server.process.pid as number]]));
    const queryEnd = end - 4 * 3600;
    const times = await timeRanges(
      objects,
      query.base,
      [
        ["30d", 30 * DAY_S],
        ["7d", 7 * DAY_S],
        ["2d", 2 * DAY_S],
      ],
      queryEnd,
      slowestRecorded(previousRecord(RECORD)),
      10,
      async () => ({
        series: await metricValue(store.base, "thanos_bucket_store_series_data_touched_sum", (l) =>
          l.includes('data_type="series"'),
        ),
        chunks: await metricValue(store.base, "thanos_bucket_store_series_data_touched_sum", (l) =>
          l.includes('data_type="chunks"'),
        ),
      }),
    );
    times.table.forEach(print);
    print("the slowest answers:");
    times.slowest.forEach(print);
    if (times.heaviest !== undefined) {
      const { expr, label, touched } = times.heaviest;
      print(
        `the query that touched most: ${touched.series} series and ${touched.chunks} chunks ` +
          `(${touched.chunks * SAMPLES_PER_CHUNK} samples as the store's limit counts them) over ${label}: ${expr.replace(/\s+/g, " ")}`,
      );
    }
    for (const [who, services] of [
      ["every service", ""],
      ["one service", `service="${RAW_SERVICE}"`],
    ] as const) {
      for (const [label, rangeS] of [
        ["7d", 7 * DAY_S],
        ["2d", 2 * DAY_S],
      ] as const) {
        const start = Date.now();
        const outcome = await post(`${query.base}/api/v1/query_range`, {
          query: quantile(MICROMETER_SOURCE, 0.99, "5m", { by: ["method", "uri"], services }),
          start: String(queryEnd - rangeS),
          end: String(queryEnd),
          step: String(grafanaStep(rangeS)),
        }).then(
          ({ warnings }) => (warnings.length > 0 ? `partial: ${warnings[0]}` : "answered whole"),
          (error: Error) => `refused: ${error.message.replace(/\s+/g, " ").slice(0, 300)}`,
        );
        print(`exploring ${who}'s raw buckets over ${label}: ${outcome} in ${Date.now() - start} ms`);
      }
    }

    started = Date.now();
    // A receiver for each Prometheus replica the ruler writes to, as on prod: the ruler refuses two
    // remote writes to one URL.
    const pods = Array.from(
      { length: (workloadNamed(objects, "prometheus").spec as { replicas: number }).replicas },
      (_, i) => `prometheus-${i}`,
    );
    const receivers = new Map<string, Running>();
    for (const pod of pods) {
      receivers.set(pod, await startPrometheus(servers, objects, dir, { scrapeConfigs: [] }));
    }
    const ruler = await startThanosRuler(servers, objects, {
      pod: "thanos-ruler-0",
      dir: path.join(dir, "ruler"),
      query: query.base,
      writes: (url) => {
        const pod = pods.find((p) => url.includes(`//${p}.`));
        if (pod === undefined) throw new Error(`the ruler writes to ${url}, no Prometheus replica's`);
        return `${receivers.get(pod)!.base}/api/v1/write`;
      },
      alertmanagers: () => undefined,
    });
    const ruling = new Sampler(new Map([["thanos-ruler", ruler.server.process.pid as number]]));
    await sleep(RULER_WINDOW_S * 1000);
    ruling.stop();
    const groups = ((await getJson(`${ruler.base}/api/v1/rules`)).data as Json).groups as {
      name: string;
      interval: number;
      evaluationTime: number;
      rules: unknown[];
    }[];
    print(
      `thanos-ruler over ${RULER_WINDOW_S} s: ${groups.length} groups, ${groups.reduce((n, g) => n + g.rules.length, 0)} rules; ` +
        `evaluation failures ${await metricValue(ruler.base, "prometheus_rule_evaluation_failures_total")}; ` +
        `each group's last evaluation: ${groups
          .map((g) => `${g.name} ${(g.evaluationTime * 1000).toFixed(1)} ms every ${g.interval} s`)
          .join(", ")}`,
    );
    serving.stop();
    querying.stop();
    print(footprintLine("thanos-store", serving.summary("thanos-store", 0), objects));
    print(footprintLine("thanos-query", querying.summary("thanos-query", 0), objects));
    print(footprintLine("thanos-ruler", ruling.summary("thanos-ruler", 0), objects));
    print(`(ruler run in ${seconds(started)} s)`);
  },
);
