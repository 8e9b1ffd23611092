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
import { KubeObject } from "../render/manifest";
import { renderStack } from "../render/renderStack";
import { Json } from "../testkit/json";
import { machine, previousRecord, writeMeasured } from "../testkit/measured";
import { writeHistoryBlocks } from "../testkit/metricHistory";
import { Servers } from "../testkit/processes";
import { workloadNamed } from "../testkit/rendered";
import { bucketMetas, directoryBucket, startStoreGateway, uploadBlocks } from "../testkit/thanosBucket";
import {
  compactorCaughtUp,
  externalLabels,
  metricValue,
  startClusterCompactor,
} from "../testkit/thanosCluster";
import { startThanosQuery } from "../testkit/localServers";
import { GoTool, toolDirectory } from "../testkit/tools";
import { Sampler, Summary } from "./benchLoad/sampler";
import { slowestRecorded, timeRanges } from "./benchRange/dashboardQueries";
import { atRatedLoad, families, heldSeries } from "./benchRange/ratedLoad";
import { option } from "./benchRange/options";

const TOOLS: Readonly<Record<string, GoTool>> = {
  PROMETHEUS_DIR: "prometheus",
  ALERTMANAGER_DIR: "alertmanager",
  THANOS_DIR: "thanos",
};
const DAY_S = 86400;
const RECORD = "thanos-footprint";

const printed: string[] = [];
const print = (line: string) => {
  printed.push(line);
  process.stdout.write(`${line}\n`);
};
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

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
    const series = await atRatedLoad(servers, objects, dir, "prod", heldSeries);
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
    );
    times.table.forEach(print);
    print("the slowest answers:");
    times.slowest.forEach(print);
    serving.stop();
    querying.stop();
    print(footprintLine("thanos-store", serving.summary("thanos-store", 0), objects));
    print(footprintLine("thanos-query", querying.summary("thanos-query", 0), objects));
    if (args.includes("--record")) {
      writeMeasured(
        RECORD,
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
