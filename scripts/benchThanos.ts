// `npm run bench:thanos [-- --days 30 --step-seconds 1800 --record]`: the metrics bucket's store
// gateway and compactor (prod's metrics.objectStorage) at prod's rated load with a month of blocks,
// the real Thanos binaries of the prod render on moto's S3.
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
//    dashboards over 30, 7 and 2 days through the rendered Thanos Query (the store gateway its only
//    store), at the step Grafana asks for a full-width panel; the store gateway sampled throughout.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { KubeObject } from "../render/manifest";
import { renderStack } from "../render/renderStack";
import { startAlertmanager } from "../testkit/alertmanager";
import { Json } from "../testkit/json";
import { startPrometheus } from "../testkit/localServers";
import { machine, writeMeasured } from "../testkit/measured";
import { HistoryFamily, writeHistoryBlocks } from "../testkit/metricHistory";
import { Servers } from "../testkit/processes";
import { configMapData, containerEnv, workloadNamed } from "../testkit/rendered";
import { bucketMetas, directoryBucket, startStoreGateway, uploadBlocks } from "../testkit/thanosBucket";
import {
  compactorCaughtUp,
  externalLabels,
  metricSettled,
  metricValue,
  startClusterCompactor,
} from "../testkit/thanosCluster";
import { startThanosQuery } from "../testkit/localServers";
import { GoTool, toolDirectory } from "../testkit/tools";
import { RATED } from "./benchLoad/load";
import { Sampler, Summary } from "./benchLoad/sampler";
import { ScrapeJob, ScrapeTargets } from "./benchLoad/targets";

const TOOLS: Readonly<Record<string, GoTool>> = {
  PROMETHEUS_DIR: "prometheus",
  ALERTMANAGER_DIR: "alertmanager",
  THANOS_DIR: "thanos",
};
const DAY_S = 86400;
const COUNTER = /_(total|count|sum|bucket)$/;

const printed: string[] = [];
const print = (line: string) => {
  printed.push(line);
  process.stdout.write(`${line}\n`);
};
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

function option(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number, got ${args[index + 1]}`);
  }
  return value;
}

/** An API answer's data and its warnings (a store that timed out makes a partial answer). */
async function post(
  url: string,
  params: Record<string, string>,
): Promise<{ data: unknown; warnings: string[] }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") {
    throw new Error(`${url}: ${JSON.stringify(body).slice(0, 500)}`);
  }
  return { data: body.data as unknown, warnings: (body.warnings ?? []) as string[] };
}

/** The series of prod's rated load, as the rendered Prometheus keeps them once its rules have run. */
async function ratedSeries(servers: Servers, objects: readonly KubeObject[], dir: string): Promise<Json[]> {
  const alertmanager = await startAlertmanager(servers, objects, dir);
  const rendered = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as {
    scrape_configs: ScrapeJob[];
  };
  const targets = new ScrapeTargets(rendered.scrape_configs, dir);
  await targets.start(RATED.prod.nodes);
  await targets.scaleServices(RATED.prod.podsPerService);
  const prometheus = await startPrometheus(servers, objects, dir, {
    directory: path.join(dir, "rated-prometheus"),
    scrapeConfigs: targets.scrapeConfigs(),
    alertmanager: alertmanager.base,
    env: containerEnv(objects, "prometheus"),
  });
  // Every target scraped and every rule group run once the series stop growing for 30 s.
  await metricSettled(
    prometheus.base,
    "prometheus_tsdb_head_series",
    "the rated load's series settling",
    30000,
    900000,
  );
  const end = Math.floor(Date.now() / 1000);
  const { data } = await post(`${prometheus.base}/api/v1/series`, {
    "match[]": '{__name__=~".+"}',
    start: String(end - 120),
    end: String(end),
  });
  const series = data as Json[];
  await prometheus.server.stop();
  await alertmanager.server.stop();
  targets.close();
  return series;
}

/** The series as history families: counters rise by a different slope each, gauges wander. */
function families(series: readonly Json[], from: number, step: number): HistoryFamily[] {
  const byName = new Map<string, Record<string, string>[]>();
  for (const { __name__: name, ...labels } of series as Record<string, string>[]) {
    byName.set(name, [...(byName.get(name) ?? []), labels]);
  }
  return [...byName].map(([name, labels]) => ({
    name,
    type: "gauge",
    series: labels,
    value: COUNTER.test(name)
      ? (i: number, t: number) => ((t - from) / step) * (1 + (i % 7))
      : (i: number, t: number) => ((t / step + 31 * i) % 97) + (i % 13),
  }));
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Copies every block of `from` into `to` under a new ULID (the same time, other randomness), as
 * the other replica's sidecar would have uploaded its own blocks of the same range.
 */
function copyUnderNewIds(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const ulid of fs.readdirSync(from).filter((e) => fs.existsSync(path.join(from, e, "meta.json")))) {
    const other =
      ulid.slice(0, 10) +
      Array.from({ length: 16 }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join("");
    fs.cpSync(path.join(from, ulid), path.join(to, other), { recursive: true });
    const metaFile = path.join(to, other, "meta.json");
    const meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as Json;
    fs.writeFileSync(metaFile, JSON.stringify({ ...meta, ulid: other }));
  }
}

/** The parts of a dashboard (or a row of it) this bench reads. */
interface Panel {
  readonly panels?: readonly Panel[];
  readonly datasource?: { readonly type?: string };
  readonly targets?: readonly { readonly expr?: string; readonly datasource?: { readonly type?: string } }[];
}

/** The parts of a block's meta.json this bench reads. */
interface BlockMeta {
  readonly compaction: { readonly level: number };
  readonly thanos: { readonly downsample: { readonly resolution: number } };
}

interface Resources {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

/** The step Grafana asks for a full-width panel of about 1,000 points, never below the scrape interval. */
const grafanaStep = (rangeS: number) => Math.max(15, Math.round(rangeS / 1000));

/**
 * Every Prometheus query of the rendered dashboards, as Grafana sends it for a range: its interval
 * variables filled in for the step, every template variable matching everything.
 */
function dashboardQueries(objects: readonly KubeObject[], rangeS: number): string[] {
  const step = grafanaStep(rangeS);
  const exprs: string[] = [];
  const walk = (panels: readonly Panel[]) => {
    for (const panel of panels) {
      walk(panel.panels ?? []);
      for (const target of panel.targets ?? []) {
        const type = target.datasource?.type ?? panel.datasource?.type;
        if (typeof target.expr === "string" && type !== "loki") exprs.push(target.expr);
      }
    }
  };
  for (const object of objects) {
    if (object.kind !== "ConfigMap" || !object.metadata.name.includes("dashboard")) continue;
    const data = (object as { data?: Record<string, string> }).data ?? {};
    for (const [file, text] of Object.entries(data)) {
      if (file.endsWith(".json")) walk((JSON.parse(text) as Panel).panels ?? []);
    }
  }
  return [
    ...new Set(
      exprs.map((expr) =>
        expr
          // Grafana's $__rate_interval: the step plus a scrape interval, at least four scrape intervals.
          .replace(/\$__rate_interval/g, `${step + 10}s`)
          .replace(/\$__interval/g, `${step}s`)
          .replace(/\$__range/g, `${rangeS}s`)
          .replace(/"\$\{?\w+\}?"/g, '".*"')
          .replace(/(\w+)="\.\*"/g, '$1=~".*"'),
      ),
    ),
  ].filter((expr) => !expr.includes("$"));
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const days = option(args, "--days", 30);
  const stepSeconds = option(args, "--step-seconds", 1800);
  for (const [variable, tool] of Object.entries(TOOLS)) {
    process.env[variable] ??= toolDirectory(tool);
  }
  print(`bench:thanos on ${machine()}`);
  const objects = (await renderStack("prod")).objects;
  const servers = new Servers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-thanos-"));
  try {
    let started = Date.now();
    const series = await ratedSeries(servers, objects, dir);
    print(
      `prod's rated load: ${series.length} series (its rules' among them), read in ${seconds(started)} s`,
    );

    started = Date.now();
    const end = Math.floor(Date.now() / 1000 / 7200) * 7200;
    const from = end - days * DAY_S;
    const written = await writeHistoryBlocks(path.join(dir, "history", "prometheus-0"), {
      families: families(series, from, stepSeconds),
      from,
      to: end - stepSeconds,
      stepSeconds,
      blockHours: 54,
    });
    copyUnderNewIds(path.join(dir, "history", "prometheus-0"), path.join(dir, "history", "prometheus-1"));
    print(
      `history: ${days} days, a sample every ${stepSeconds} s, ${written.blocks} 54-hour blocks per replica ` +
        `(${written.samples} samples each), written by promtool in ${seconds(started)} s`,
    );

    const bucket = directoryBucket(path.join(dir, "bucket"));
    started = Date.now();
    for (const pod of ["prometheus-0", "prometheus-1"]) {
      await uploadBlocks(bucket, path.join(dir, "history", pod), externalLabels(objects, pod));
    }
    fs.rmSync(path.join(dir, "history"), { recursive: true });
    print(`uploaded ${(await bucketMetas(bucket)).length} blocks in ${seconds(started)} s`);

    started = Date.now();
    const compactor = await startClusterCompactor(servers, objects, bucket, dir);
    const compacting = new Sampler(new Map([["thanos-compactor", compactor.server.process.pid as number]]));
    const runs = await compactorCaughtUp(compactor, 4 * 3600 * 1000);
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
    print(
      "| range | step | dashboard queries | whole answers | partial | series | samples | median | slowest |",
    );
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    const slowest: { ms: number; label: string; expr: string; warning?: string }[] = [];
    for (const [label, rangeS] of [
      ["30d", 30 * DAY_S],
      ["7d", 7 * DAY_S],
      ["2d", 2 * DAY_S],
    ] as const) {
      const times: number[] = [];
      let [seriesCount, samples, partial] = [0, 0, 0];
      const queries = dashboardQueries(objects, rangeS);
      for (const expr of queries) {
        const start = Date.now();
        const { data, warnings } = await post(`${query.base}/api/v1/query_range`, {
          query: expr,
          start: String(queryEnd - rangeS),
          end: String(queryEnd),
          step: String(grafanaStep(rangeS)),
        });
        const ms = Date.now() - start;
        times.push(ms);
        slowest.push({ ms, label, expr, ...(warnings.length > 0 ? { warning: warnings[0] } : {}) });
        if (warnings.length > 0) partial++;
        const { result } = data as { result: { values: unknown[] }[] };
        seriesCount += result.length;
        samples += result.reduce((sum, r) => sum + r.values.length, 0);
      }
      times.sort((a, b) => a - b);
      print(
        `| ${label} | ${grafanaStep(rangeS)} s | ${queries.length} | ${queries.length - partial} | ${partial} | ` +
          `${seriesCount} | ${samples} | ${times[Math.floor(times.length / 2)]} ms | ${times[times.length - 1]} ms |`,
      );
    }
    print("the slowest answers:");
    for (const { ms, label, expr, warning } of slowest.sort((a, b) => b.ms - a.ms).slice(0, 5)) {
      print(`  ${ms} ms over ${label}: ${expr}${warning === undefined ? "" : ` (partial: ${warning})`}`);
    }
    serving.stop();
    querying.stop();
    print(footprintLine("thanos-store", serving.summary("thanos-store", 0), objects));
    print(footprintLine("thanos-query", querying.summary("thanos-query", 0), objects));
    if (args.includes("--record")) {
      writeMeasured(
        "thanos-footprint",
        "Store gateway and compactor at prod's rated load with a month of blocks",
        ["npm run bench:thanos --", ...args].join(" "),
        printed.join("\n"),
      );
    }
  } finally {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
