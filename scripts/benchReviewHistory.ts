// `npm run bench:review-history [-- --days 14 --alerts 10 --step-seconds 3600 --bucket <dir> --record]`: how long
// `npm run review -- --history` takes at prod's rated load, through the rendered Thanos Query over
// the rendered store gateway, for a change of the ten alerts that read the most series.
//
// 1. The rated load's series (scripts/benchRange/ratedLoad.ts), and the prod render's alerts
//    ranked by how many of them their selectors read; the change gives each of the first --alerts
//    another `for` (metrics.alerts.overrides), so both sides of each are evaluated.
// 2. A history of --days days and one more (the longest range an alert reads is a day): the series
//    those alerts read at full resolution (each scraped series at its job's scrape interval, each
//    recorded one at its group's evaluation interval), every other series of the rated load thinned
//    to one sample every --step-seconds, so the blocks' index holds the rated load whole. Written by
//    promtool as 54-hour blocks, prometheus-0's and the same under new IDs as prometheus-1's (with
//    each replica's external labels), compacted by the rendered compactor.
//    With --bucket, the bucket is that directory and kept: a later run with it skips 1 and 2 and
//    reviews the same change over the same history (its end stays where it was written).
// 3. The rendered store gateway over the bucket (a directory, as in bench:thanos: what is measured
//    is Thanos, not the store) and the rendered Thanos Query, then the review's history of the change
//    over the last --days days, as `npm run review -- --history <query> --days N` asks it.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { RuleFile } from "../components/common/prometheusTypes";
import { durationMs } from "../config/durations";
import { KubeObject } from "../render/manifest";
import { PROJECT_ROOT, renderStack } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { configSide } from "../review/configEdit";
import { StackHistory, backtest } from "../review/history/backtest";
import { historyLines } from "../review/history/historyFormat";
import { selectedNames } from "../review/history/inlineRecorded";
import { ENGINES, Engine, HISTORY_DEFAULTS } from "../review/history/queryHistory";
import { snapshotOf } from "../review/snapshot";
import { metricValue } from "../tests/kit/http";
import { Json } from "../tests/kit/json";
import { startThanosQuery } from "../tests/kit/localServers";
import { HistoryFamily } from "../tests/kit/metricHistory";
import { configMapData } from "../tests/kit/rendered";
import { BucketClient, bucketMetas, directoryBucket, startStoreGateway } from "../tests/kit/thanosBucket";
import {
  BENCH_CATCH_UP,
  compactorCaughtUp,
  startClusterCompactor,
  uploadReplicaHistory,
  writeReplicaHistory,
} from "../tests/kit/thanosCluster";
import { configSetJson } from "../tests/kit/userEdits";
import { atRatedLoad, families, heldSeries } from "./benchRange/ratedLoad";
import { option } from "./benchRange/options";
import { BenchRun, runBench } from "./benchRange/runBench";

const DAY_S = 86400;
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** The parts of the rendered prometheus.yml the history's intervals come from. */
interface PrometheusYml {
  readonly global: { readonly scrape_interval: string; readonly evaluation_interval: string };
  readonly scrape_configs: readonly { readonly job_name: string; readonly scrape_interval?: string }[];
}

const prometheusYml = (objects: readonly KubeObject[]) =>
  yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as PrometheusYml;

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly intervalSeconds: number;
}

/** Every rule of Prometheus and of Thanos Ruler in the render, each with its group's interval. */
function renderedRules(objects: readonly KubeObject[]): Rule[] {
  const evaluation = durationMs(prometheusYml(objects).global.evaluation_interval) / 1000;
  return ["prometheus-rules", "thanos-ruler-rules"].flatMap((name) =>
    Object.values(configMapData(objects, name))
      .flatMap((text) => (yaml.load(text) as RuleFile).groups)
      .flatMap((group) =>
        group.rules.map((rule) => ({
          ...(rule as Omit<Rule, "intervalSeconds">),
          intervalSeconds: group.interval === undefined ? evaluation : durationMs(group.interval) / 1000,
        })),
      ),
  );
}

/** Seconds between two samples of a series as the render writes it: its rule's interval, or its job's scrape interval. */
function writtenEvery(objects: readonly KubeObject[], rules: readonly Rule[]): (series: Json) => number {
  const config = prometheusYml(objects);
  const scrape = durationMs(config.global.scrape_interval) / 1000;
  const jobs = new Map(
    config.scrape_configs.map((job) => [
      job.job_name,
      job.scrape_interval === undefined ? scrape : durationMs(job.scrape_interval) / 1000,
    ]),
  );
  const recorded = new Map(
    rules.flatMap((r) => (r.record === undefined ? [] : [[r.record, r.intervalSeconds]])),
  );
  return (series) => recorded.get(series.__name__ as string) ?? jobs.get(series.job as string) ?? scrape;
}

/** The alerts whose selectors read the most of `series`, the most first (then by name), with how many each reads. */
function heaviestAlerts(rules: readonly Rule[], series: readonly Json[], count: number) {
  const perName = new Map<string, number>();
  for (const s of series) perName.set(s.__name__ as string, (perName.get(s.__name__ as string) ?? 0) + 1);
  const byAlert = new Map<string, { names: Set<string>; for?: string }>();
  for (const rule of rules) {
    if (rule.alert === undefined) continue;
    const seen = byAlert.get(rule.alert) ?? { names: new Set<string>(), for: rule.for };
    for (const name of selectedNames(rule.expr)) seen.names.add(name);
    byAlert.set(rule.alert, seen);
  }
  return [...byAlert]
    .map(([alert, { names, for: waits }]) => ({
      alert,
      names,
      for: waits,
      reads: [...names].reduce((sum, name) => sum + (perName.get(name) ?? 0), 0),
    }))
    .sort((a, b) => b.reads - a.reads || (a.alert < b.alert ? -1 : 1))
    .slice(0, count);
}

/** Another `for`: twice the rule's, or 10 minutes for a rule that fires at once. */
const anotherFor = (waits: string | undefined) =>
  waits === undefined || durationMs(waits) === 0 ? "10m" : `${(2 * durationMs(waits)) / 60000}m`;

/** `series` as history families from `from`, each at the interval the render writes it at, else every `otherwise` seconds. */
function historyFamilies(
  series: readonly Json[],
  from: number,
  fullResolution: (series: Json) => number | undefined,
  otherwise: number,
): HistoryFamily[] {
  const byStep = new Map<number, Json[]>();
  for (const s of series) {
    const step = fullResolution(s) ?? otherwise;
    byStep.set(step, [...(byStep.get(step) ?? []), s]);
  }
  return [...byStep].flatMap(([step, part]) =>
    families(part, from, step).map((family) => ({ ...family, stepSeconds: step })),
  );
}

/** What a bucket holds for the bench: its history's end and days, the change it reviews and how it was written. */
interface WrittenBucket {
  readonly end: number;
  readonly days: number;
  readonly overrides: Record<string, { readonly for: string }>;
  /** The report's lines of how it was written, printed again when a later run reuses it. */
  readonly lines: readonly string[];
}

/** Steps 1 and 2: the change and the history of the alerts it changes, written into `bucket` and compacted. */
async function writeBucket(
  { args, servers, dir, print }: BenchRun,
  objects: readonly KubeObject[],
  days: number,
  bucket: BucketClient,
): Promise<WrittenBucket> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  const count = option(args, "--alerts", 10);
  const thinnedStep = option(args, "--step-seconds", 3600);
  const rules = renderedRules(objects);

  let started = Date.now();
  const series = await atRatedLoad(servers, objects, dir, "prod", heldSeries);
  say(`prod's rated load: ${series.length} series, read in ${seconds(started)} s`);
  const changed = heaviestAlerts(rules, series, count);
  const overrides = Object.fromEntries(changed.map((a) => [a.alert, { for: anotherFor(a.for) }]));
  say(
    `the change: metrics.alerts.overrides gives another for to the ${changed.length} alerts reading the most series: ` +
      changed
        .map((a) => `${a.alert} (${a.reads} series, for ${a.for ?? "0s"} → ${overrides[a.alert].for})`)
        .join(", "),
  );

  started = Date.now();
  const read = new Set(changed.flatMap((a) => [...a.names]));
  const every = writtenEvery(objects, rules);
  const end = Math.floor(Date.now() / 1000 / 7200) * 7200;
  const from = end - (days + 1) * DAY_S;
  const fullResolution = (s: Json) => (read.has(s.__name__ as string) ? every(s) : undefined);
  const written = await writeReplicaHistory(path.join(dir, "history"), {
    families: historyFamilies(series, from, fullResolution, thinnedStep),
    from,
    to: end,
    stepSeconds: thinnedStep,
    blockHours: 54,
  });
  const steps = [...new Set(series.flatMap((s) => fullResolution(s) ?? []))].sort((a, b) => a - b);
  say(
    `history: ${days + 1} days; the ${series.filter((s) => fullResolution(s) !== undefined).length} series the ` +
      `alerts read every ${steps.join(" or ")} s, the other ${series.filter((s) => fullResolution(s) === undefined).length} ` +
      `every ${thinnedStep} s; ${written.blocks} 54-hour blocks per replica (${written.samples} samples each), ` +
      `written by promtool in ${seconds(started)} s`,
  );

  await uploadReplicaHistory(path.join(dir, "history"), bucket, objects);
  started = Date.now();
  const compactor = await startClusterCompactor(servers, objects, bucket, dir);
  const runs = await compactorCaughtUp(compactor, BENCH_CATCH_UP, 0);
  const compactions = await metricValue(compactor.base, "thanos_compact_group_compactions_total");
  await compactor.server.stop();
  say(
    `compactor caught up in ${seconds(started)} s (${runs} runs, ${compactions} compactions): ` +
      `${(await bucketMetas(bucket, { live: true })).length} live blocks`,
  );
  return { end, days, overrides, lines };
}

runBench(
  {
    script: "bench:review-history",
    record: "review-history",
    title: "The review's history at prod's rated load, through Thanos Query",
    tools: { PROMETHEUS_DIR: "prometheus", ALERTMANAGER_DIR: "alertmanager", THANOS_DIR: "thanos" },
  },
  async ({ args, servers, dir, print }) => {
    const days = option(args, "--days", HISTORY_DEFAULTS.days);
    const objects = (await renderStack("prod")).objects;
    const kept = args.includes("--bucket") ? args[args.indexOf("--bucket") + 1] : undefined;
    const bucketDir = kept ?? path.join(dir, "bucket");
    const bucket = directoryBucket(bucketDir);
    const keptHistory = path.join(bucketDir, "history.json");
    let history: WrittenBucket;
    if (kept !== undefined && fs.existsSync(keptHistory)) {
      history = JSON.parse(fs.readFileSync(keptHistory, "utf8")) as WrittenBucket;
      if (history.days !== days)
        throw new Error(`${kept} holds ${history.days} days of history, not ${days}`);
      history.lines.forEach((line) => print(`${line} (kept in ${kept})`));
    } else {
      history = await writeBucket({ args, servers, dir, print }, objects, days, bucket);
      if (kept !== undefined) fs.writeFileSync(keptHistory, JSON.stringify(history));
    }
    const { end, overrides } = history;

    const store = await startStoreGateway(servers, objects, bucket, path.join(dir, "store"));
    const query = await startThanosQuery(servers, objects, (endpoint) =>
      endpoint.startsWith("thanos-store-0.") ? store.grpc : undefined,
    );
    print(
      `store gateway ready with ${await metricValue(store.base, "thanos_bucket_store_blocks_loaded")} blocks loaded`,
    );

    let started = Date.now();
    const prod = readStackFile("prod", PROJECT_ROOT);
    const base = await configSide("prod", prod);
    const head = await configSide(
      "prod",
      {
        config: configSetJson(prod.config, "metrics.alerts.overrides", overrides),
        secretKeys: prod.secretKeys,
      },
      base,
    );
    print(`both sides rendered in ${seconds(started)} s`);

    // The review's own engine first, then the other: the same lines from both, and each one's time.
    const told = new Map<Engine, StackHistory>();
    for (const engine of [HISTORY_DEFAULTS.engine, ...ENGINES.filter((e) => e !== HISTORY_DEFAULTS.engine)]) {
      started = Date.now();
      const history = await backtest(
        snapshotOf("prod", base.render, {}),
        snapshotOf("prod", head.render, {}),
        {
          url: query.base,
          headers: {},
          maxSeries: HISTORY_DEFAULTS.maxSeries,
          maxSamples: HISTORY_DEFAULTS.maxSamples,
          engine,
        },
        { start: end - days * DAY_S, end },
      );
      const took = seconds(started);
      const untold = history.alerts.flatMap((a) =>
        [a.before, a.after].flatMap((side) => (side.kind === "cannot" ? [`${a.name}: ${side.why}`] : [])),
      );
      if (history.alerts.length !== Object.keys(overrides).length || untold.length > 0) {
        throw new Error(
          `the history told ${history.alerts.length} of ${Object.keys(overrides).length} changed alerts; not evaluated: ${untold.join("; ")}`,
        );
      }
      const { requests, slowest } = history.requests;
      print(
        `the review's history of the ${history.alerts.length} changed alerts over ${days} days, both sides of each evaluated, with ${engine === HISTORY_DEFAULTS.engine ? "the review's own engine" : "the other engine"} (engine=${engine}): ` +
          `${took} s, ${requests} requests to Thanos Query` +
          (slowest === undefined ? "" : `, the slowest ${slowest.seconds.toFixed(2)} s (${slowest.what})`),
      );
      told.set(engine, history);
    }
    const [own, other] = [...told.values()].map((history) => historyLines(history, "text").slice(0, -2));
    historyLines(told.get(HISTORY_DEFAULTS.engine)!, "text").forEach(print);
    if (JSON.stringify(own) !== JSON.stringify(other)) {
      throw new Error(`the other engine told another history:\n${other.join("\n")}`);
    }
    print("both engines told the same of every alert");
  },
);
