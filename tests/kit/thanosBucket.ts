// The metrics bucket's Thanos processes of a render, on 127.0.0.1 over the local S3 store: the
// store gateway and the compactor with their rendered flags and environment. Rewritten: listen
// addresses, data directories, and the bucket's client config, whose endpoint becomes the local
// store (plain HTTP) and whose credentials, which IRSA gives in a cluster, come from the
// environment through the same AWS SDK chain (`aws_sdk_auth`).
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { promisify } from "util";
import { KubeObject } from "../../render/manifest";
import { LocalS3, startS3 } from "./objectStore";
import { Running, Servers, freePort } from "./processes";
import { configMapData, containerArgs, containerEnv } from "./rendered";
import { tools } from "./tools";
import { Json } from "./json";

const run = promisify(execFile);

/** A bucket's client config as a local file, and the environment its client reads. */
export interface BucketClient {
  /** Stands in for THANOS_PATHS.objstoreFile. */
  readonly configFile: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The rendered bucket config pointed at a local S3 store, the environment its AWS SDK chain reads. */
export interface LocalBucket extends BucketClient {
  readonly s3: LocalS3;
}

/**
 * A bucket in a local directory (Thanos' filesystem provider), where what is measured is Thanos
 * and not the store.
 */
export function directoryBucket(dir: string): BucketClient {
  const configFile = path.join(dir, "objstore.yaml");
  fs.mkdirSync(path.join(dir, "objects"), { recursive: true });
  fs.writeFileSync(
    configFile,
    yaml.dump({ type: "FILESYSTEM", config: { directory: path.join(dir, "objects") } }),
  );
  return { configFile, env: {} };
}

/** Writes the rendered `thanos-objstore` config into `dir`, pointed at the local store. */
export function localBucket(objects: readonly KubeObject[], s3: LocalS3, dir: string): LocalBucket {
  const rendered = yaml.load(configMapData(objects, "thanos-objstore")["objstore.yaml"]) as Json;
  if (rendered.config.bucket !== s3.bucket || rendered.config.region !== s3.region) {
    throw new Error(
      `the local store holds ${s3.bucket} in ${s3.region}, the render names ${rendered.config.bucket}`,
    );
  }
  const configFile = path.join(dir, "objstore.yaml");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    configFile,
    yaml.dump({ ...rendered, config: { ...rendered.config, endpoint: s3.endpoint, insecure: true } }),
  );
  return {
    s3,
    configFile,
    env: {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      // No instance metadata service here for the chain to ask.
      AWS_EC2_METADATA_DISABLED: "true",
    },
  };
}

/**
 * The local store of the bucket the render's sidecars upload to (`thanos-objstore`), started in
 * `servers`; none when the render uploads nothing.
 */
export async function startRenderedBucket(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
): Promise<LocalBucket | undefined> {
  const objstore = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "thanos-objstore");
  if (objstore === undefined) return undefined;
  const { config } = yaml.load(configMapData(objects, "thanos-objstore")["objstore.yaml"]) as Json;
  return localBucket(objects, await startS3(servers, config.bucket, config.region), path.join(dir, "bucket"));
}

/** A Thanos process serving HTTP at `base`, and the StoreAPI at `grpc` where it has one. */
export interface RunningBucketProcess extends Running {
  readonly grpc?: string;
  /** Its data directory, which stands in for its volume. */
  readonly dataDir: string;
  /** What restarting it needs besides its arguments. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Flags a test shortens, each said where it is given: intervals a cluster waits out in minutes.
 * Maps a flag to its local value; a flag the render leaves at Thanos' default is added.
 */
type Rewrites = Readonly<Record<string, string>>;

function rewritten(args: readonly string[], rewrites: Rewrites): string[] {
  const replaced = args.map((arg) => {
    const flag = arg.split("=")[0];
    return flag in rewrites ? `${flag}=${rewrites[flag]}` : arg;
  });
  const added = Object.entries(rewrites)
    .filter(([flag]) => !args.some((a) => a.startsWith(`${flag}=`)))
    .map(([flag, value]) => `${flag}=${value}`);
  return [...replaced, ...added];
}

/** One of the rendered store gateways (they are alike), its index headers in `dataDir`. */
export async function startStoreGateway(
  servers: Servers,
  objects: readonly KubeObject[],
  bucket: BucketClient,
  dataDir: string,
  rewrites: Rewrites = {},
): Promise<RunningBucketProcess & { readonly grpc: string }> {
  const [http, grpc] = [await freePort(), await freePort()];
  const args = rewritten(
    containerArgs(objects, "thanos-store", {
      "--data-dir": dataDir,
      "--objstore.config-file": bucket.configFile,
      "--grpc-address": `127.0.0.1:${grpc}`,
      "--http-address": `127.0.0.1:${http}`,
    }),
    rewrites,
  );
  const env = { ...containerEnv(objects, "thanos-store"), ...bucket.env };
  const base = `http://127.0.0.1:${http}`;
  const server = await servers.start(tools.thanos(), args, `${base}/-/ready`, { env, timeoutMs: 120000 });
  return { base, server, grpc: `127.0.0.1:${grpc}`, dataDir, env };
}

/** The rendered compactor, working in `dataDir`. */
export async function startCompactor(
  servers: Servers,
  objects: readonly KubeObject[],
  bucket: BucketClient,
  dataDir: string,
  rewrites: Rewrites = {},
): Promise<RunningBucketProcess> {
  const http = await freePort();
  const args = rewritten(
    containerArgs(objects, "thanos-compactor", {
      "--data-dir": dataDir,
      "--objstore.config-file": bucket.configFile,
      "--http-address": `127.0.0.1:${http}`,
    }),
    rewrites,
  );
  const env = { ...containerEnv(objects, "thanos-compactor"), ...bucket.env };
  const base = `http://127.0.0.1:${http}`;
  const server = await servers.start(tools.thanos(), args, `${base}/-/ready`, { env });
  return { base, server, dataDir, env };
}

/**
 * Uploads the TSDB blocks of `dir` with `labels` as their external labels, with the shipper a
 * sidecar uploads with (`thanos tools bucket upload-blocks`): history a cluster's sidecars uploaded
 * before the test.
 */
export async function uploadBlocks(
  bucket: BucketClient,
  dir: string,
  labels: Readonly<Record<string, string>>,
): Promise<void> {
  await run(
    tools.thanos(),
    [
      "tools",
      "bucket",
      "upload-blocks",
      `--objstore.config-file=${bucket.configFile}`,
      `--path=${dir}`,
      ...Object.entries(labels).map(([name, value]) => `--label=${name}="${value}"`),
    ],
    { env: { ...process.env, ...bucket.env } },
  );
}

/**
 * Every block's meta.json in the bucket, as `thanos tools bucket ls -o json` reads them; `live`:
 * without the blocks marked for deletion.
 */
export async function bucketMetas(
  bucket: BucketClient,
  options: { readonly live?: boolean } = {},
): Promise<Json[]> {
  const { stdout } = await run(
    tools.thanos(),
    [
      "tools",
      "bucket",
      "ls",
      `--objstore.config-file=${bucket.configFile}`,
      "--output=json",
      ...(options.live === true ? ["--exclude-delete"] : []),
    ],
    { env: { ...process.env, ...bucket.env }, maxBuffer: 64 * 1024 * 1024 },
  );
  // One JSON object per block, each beginning on a line of its own.
  return stdout
    .split(/\n(?=\{)/)
    .filter((text) => text.trim() !== "")
    .map((text) => JSON.parse(text) as Json);
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Copies every block of `from` into `to` under a new ULID (the same time, other randomness), as
 * the other replica's sidecar would have uploaded its own blocks of the same range.
 */
export function copyBlocksUnderNewIds(from: string, to: string): void {
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
