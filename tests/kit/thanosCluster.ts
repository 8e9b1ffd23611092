// One cluster's metrics path of a render, on 127.0.0.1 over the local S3 store: its Prometheus
// replicas (each on its own data directory, scraping the given jobs) with their Thanos sidecars,
// then the store gateway, the compactor and Thanos Query as rendered. Each step is its own call, so
// a test can stop, restart or re-render a part between them.
import * as fs from "fs";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { metricValue } from "./http";
import { Json } from "./json";
import { RunningThanos, startRenderedPrometheus, startThanosQuery, startThanosSidecar } from "./localServers";
import { Running, Servers, eventually, eventuallyWhileProgressing, restartServer } from "./processes";
import { prometheusYml } from "./rendered";
import { sleep } from "./sleep";
import { HistorySpec, WrittenHistory, writeHistoryBlocks } from "./metricHistory";
import {
  BucketClient,
  RunningBucketProcess,
  copyBlocksUnderNewIds,
  startCompactor,
  startStoreGateway,
  uploadBlocks,
} from "./thanosBucket";

/** A Prometheus replica: its pod name, data directory (the volume) and processes. */
export interface LocalReplica {
  readonly pod: string;
  /** The pod's directory: `data/` is its volume. */
  readonly directory: string;
  prometheus?: Running;
  sidecar?: RunningThanos;
}

/** The replicas' pod names as the rendered StatefulSet names them. */
export function replicaPods(objects: readonly KubeObject[], replicas?: number): string[] {
  const set = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "prometheus") as Json;
  return Array.from({ length: replicas ?? (set.spec.replicas as number) }, (_, i) => `prometheus-${i}`);
}

/** The external labels a replica's blocks carry, as its rendered global section sets them. */
export function externalLabels(objects: readonly KubeObject[], pod: string): Record<string, string> {
  const labels = prometheusYml(objects).global.external_labels as Record<string, string>;
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v.replace("${POD_NAME}", pod)]));
}

/**
 * Starts (or restarts on its data) a replica's Prometheus with the render's flags and global
 * section, scraping `scrapeConfigs`, as the pod's container would start.
 */
export async function startReplicaPrometheus(
  servers: Servers,
  objects: readonly KubeObject[],
  replica: LocalReplica,
  scrapeConfigs: readonly Json[],
): Promise<Running> {
  fs.mkdirSync(replica.directory, { recursive: true });
  replica.prometheus = await startRenderedPrometheus(
    servers,
    objects,
    replica.directory,
    (config) => ({ global: config.global, scrape_configs: scrapeConfigs }),
    { env: { POD_NAME: replica.pod } },
  );
  return replica.prometheus;
}

/** Starts a replica's rendered sidecar, uploading to `bucket` where the render uploads. */
export async function startReplicaSidecar(
  servers: Servers,
  objects: readonly KubeObject[],
  replica: LocalReplica,
  bucket: BucketClient,
): Promise<RunningThanos> {
  if (replica.prometheus === undefined) {
    throw new Error(`${replica.pod}: start its Prometheus first`);
  }
  replica.sidecar = await startThanosSidecar(
    servers,
    objects,
    replica.prometheus,
    path.join(replica.directory, "data"),
    {
      bucket,
    },
  );
  return replica.sidecar;
}

/** Stops a process (SIGTERM, as a pod is stopped) and waits for it to exit. */
export async function stopProcess(running: Running | undefined): Promise<void> {
  await running?.server.stop();
}

/** Restarts a stopped or killed Thanos process on its arguments, ports and data. */
export async function restartThanos<T extends Running & { readonly env: Readonly<Record<string, string>> }>(
  servers: Servers,
  running: T,
): Promise<T> {
  return {
    ...running,
    server: await restartServer(servers, running.server, `${running.base}/-/ready`, {
      env: running.env,
      timeoutMs: 120000,
    }),
  };
}

/**
 * Waits until a process's metric (summed as metricValue reads it) is above zero and the same in
 * two readings `intervalMs` apart: work that comes in rounds (scrapes, compactions, block loads)
 * has settled. Returns the value.
 */
export async function metricSettled(
  base: string,
  name: string,
  what: string,
  intervalMs: number,
  timeoutMs: number,
): Promise<number> {
  let last = -1;
  return eventually(
    async () => {
      const now = await metricValue(base, name);
      const settled = now > 0 && now === last;
      last = now;
      await sleep(intervalMs);
      return settled ? now : undefined;
    },
    what,
    timeoutMs,
  );
}

/** Waits until a sidecar has uploaded every block of its replica's volume, the compacted ones too. */
export async function uploadedEverything(sidecar: RunningThanos, timeoutMs = 120000): Promise<number> {
  return eventually(
    async () =>
      (await metricValue(sidecar.base, "thanos_shipper_upload_compacted_done")) === 1
        ? metricValue(sidecar.base, "thanos_shipper_uploads_total")
        : undefined,
    "the sidecar's uploads",
    timeoutMs,
  );
}

/**
 * How often the store gateways and compactors below list the bucket, in seconds: in minutes in a
 * cluster, in seconds here. Each listing reads every block's markers and metadata from the S3
 * stand-in, so a bucket of a month of blocks is listed less often than a few blocks are, or the
 * listings of the gateways and compactors together keep the stand-in too busy to serve the
 * compactors' downloads and uploads.
 */
export interface Listing {
  /** @default 3 for a store gateway, 5 for a compactor */
  readonly everySeconds?: number;
}

/** One of the rendered store gateways (they are alike), listing the bucket every few seconds instead of 3 minutes. */
export function startClusterStore(
  servers: Servers,
  objects: readonly KubeObject[],
  bucket: BucketClient,
  dir: string,
  listing: Listing = {},
): Promise<RunningBucketProcess & { readonly grpc: string }> {
  return startStoreGateway(servers, objects, bucket, path.join(dir, "store"), {
    "--sync-block-duration": `${listing.everySeconds ?? 3}s`,
  });
}

/** How long the test compactors wait between runs, and may take to sync the bucket's metas. */
const COMPACTOR_WAIT_INTERVAL = "60s";

/**
 * The rendered compactor, with the intervals a cluster waits out in minutes shortened: it works on
 * fresh uploads at once (its consistency delay, 30 minutes, allows for a listing that lags the
 * uploads), runs every minute instead of every 5, and reports its backlog and cleans up at the
 * listing's interval.
 */
export function startClusterCompactor(
  servers: Servers,
  objects: readonly KubeObject[],
  bucket: BucketClient,
  dir: string,
  listing: Listing = {},
): Promise<RunningBucketProcess> {
  const every = `${listing.everySeconds ?? 5}s`;
  return startCompactor(servers, objects, bucket, path.join(dir, "compactor"), {
    "--consistency-delay": "0s",
    // Also the timeout of each sync of the bucket's metas: 5 s ran out on every try on a machine
    // loaded many times over, and 20 s on 12 of 13 tries on a machine half as fast (the filters'
    // reads of 113 blocks' marks from the S3 stand-in under a CI run's load), so the compactor never
    // started.
    "--wait-interval": COMPACTOR_WAIT_INTERVAL,
    "--compact.progress-interval": every,
    "--compact.cleanup-interval": every,
  });
}

/** The compactor's progress counters, for a wait that gives up: what it last showed. */
const COMPACTOR_PROGRESS = [
  "thanos_blocks_meta_syncs_total",
  "thanos_blocks_meta_sync_failures_total",
  "thanos_compact_iterations_total",
  "thanos_compact_group_compaction_runs_started_total",
  "thanos_compact_group_compaction_runs_completed_total",
  "thanos_compact_group_compactions_total",
  "thanos_compact_todo_compactions",
  "thanos_compact_todo_downsample_blocks",
  "thanos_compact_halted",
  "thanos_objstore_bucket_operation_failures_total",
];

/** What a compactor shows of its progress now: its counters, and the end of its log. */
export async function compactorProgress(compactor: Running): Promise<string> {
  const counters = await Promise.all(
    COMPACTOR_PROGRESS.map(async (name) => `${name} ${await metricValue(compactor.base, name)}`),
  ).catch((error: unknown) => [`its metrics unreadable: ${String(error)}`]);
  return `${counters.join(", ")}\ncompactor log:\n${compactor.server.output().slice(-3000)}`;
}

/**
 * How long a compactor may take to catch up on a few days of blocks: as long as it keeps compacting
 * or downsampling (on a loaded machine that takes many minutes), until it has done nothing for
 * `stallMs`.
 */
export const COMPACTOR_CATCH_UP = { stallMs: 240_000, timeoutMs: 1_500_000 };

/** The benches' compactors, over months of blocks: one compaction alone can take most of an hour. */
export const BENCH_CATCH_UP = { stallMs: 3_600_000, timeoutMs: 4 * 3_600_000 };

/**
 * Waits until a compactor has nothing left to compact or downsample, after at least two runs and
 * `compactions` compactions (a bucket whose blocks fill no range yet gives it none to make); returns
 * its runs.
 */
export async function compactorCaughtUp(
  compactor: Running,
  bounds = COMPACTOR_CATCH_UP,
  compactions = 1,
): Promise<number> {
  return eventuallyWhileProgressing(
    async () => {
      const [runs, made, todo, downsamples, groupRuns] = await Promise.all(
        [
          "thanos_compact_iterations_total",
          "thanos_compact_group_compactions_total",
          "thanos_compact_todo_compactions",
          "thanos_compact_todo_downsample_blocks",
          "thanos_compact_group_compaction_runs_completed_total",
        ].map((name) => metricValue(compactor.base, name)),
      );
      const done = runs >= 2 && made >= compactions && todo === 0 && downsamples === 0;
      return { value: done ? runs : undefined, progress: [runs, made, todo, downsamples, groupRuns].join() };
    },
    "the compactor catching up",
    bounds,
    () => compactorProgress(compactor),
  );
}

/**
 * The rendered Thanos Query over the replicas' sidecars and the first store gateway; `remote` maps
 * other clusters' stores (a hub's) to where they are published here, with `tlsDir` its TLS files.
 */
export function startClusterQuery(
  servers: Servers,
  objects: readonly KubeObject[],
  replicas: readonly LocalReplica[],
  store: { readonly grpc: string },
  remote: (address: string) => string | undefined = () => undefined,
  tlsDir?: string,
): Promise<RunningThanos> {
  return startThanosQuery(
    servers,
    objects,
    (endpoint) => {
      const replica = replicas.find((r) => endpoint.startsWith(`${r.pod}.prometheus-peers.`));
      if (replica !== undefined) {
        return replica.sidecar?.grpc;
      }
      if (endpoint.startsWith("thanos-store-0.")) {
        return store.grpc;
      }
      return endpoint.startsWith("thanos-store-") ? undefined : remote(endpoint);
    },
    tlsDir === undefined ? {} : { tlsDir },
  );
}

/** The two Prometheus replicas whose sidecars upload the same history, each its own blocks. */
const HISTORY_REPLICAS = ["prometheus-0", "prometheus-1"];

/**
 * The history of `spec` as both replicas kept it, under `dir`: prometheus-0's blocks written by
 * promtool, the same under new IDs as prometheus-1's.
 */
export async function writeReplicaHistory(dir: string, spec: HistorySpec): Promise<WrittenHistory> {
  const [first, second] = HISTORY_REPLICAS.map((pod) => path.join(dir, pod));
  const written = await writeHistoryBlocks(first, spec);
  copyBlocksUnderNewIds(first, second);
  return written;
}

/** Uploads the replicas' blocks of `writeReplicaHistory` into `bucket`, each with its replica's external labels, then removes `dir`. */
export async function uploadReplicaHistory(
  dir: string,
  bucket: BucketClient,
  objects: readonly KubeObject[],
): Promise<void> {
  for (const pod of HISTORY_REPLICAS) {
    await uploadBlocks(bucket, path.join(dir, pod), externalLabels(objects, pod));
  }
  fs.rmSync(dir, { recursive: true });
}
