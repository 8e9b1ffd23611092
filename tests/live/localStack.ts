// Boots the stack's servers on 127.0.0.1 with the configs the program renders. Only what cannot
// exist outside a cluster is rewritten: listen addresses and ports, peer and backend addresses,
// data directories, and (prod) the object store, which becomes the local filesystem.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { LOKI_PATHS } from "../../components/logs/names";
import { PROMETHEUS_PATHS } from "../../components/metrics/names";
import { KubeObject } from "../../render/manifest";
import { Running, Server, Servers, freePort } from "../support/processes";
import {
  configMapData,
  containerArgs,
  containerEnv,
  localPrometheusArgs,
  objectNamed,
} from "../support/rendered";
import { tools } from "../support/tools";

type Json = Record<string, any>;

/** Rewrites in-pod paths under `from` to `to` in every string of a parsed config. */
function movePaths(value: unknown, from: string, to: string): unknown {
  if (typeof value === "string") {
    return value === from || value.startsWith(`${from}/`) ? to + value.slice(from.length) : value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => movePaths(v, from, to));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, movePaths(v, from, to)]));
  }
  return value;
}

export interface StartOptions {
  /**
   * false: return as soon as the process is spawned, for a caller that times the startup itself.
   * @default true
   */
  readonly waitUntilReady?: boolean;
  /** Added to the process environment, e.g. the rendered container's (`containerEnv`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The readiness check `startServer` polls: the URL, or none at all. */
const readiness = (url: string, options: StartOptions) =>
  options.waitUntilReady === false ? () => Promise.resolve(true) : url;

export interface LocalLoki extends Running {
  /** The tenant the ruler reads rules for, and the header value queries need where auth is on. */
  readonly tenant: string;
  readonly headers: Record<string, string>;
}

/**
 * Loki with the rendered config and rules. Rewritten: listen addresses and ports, the ring's
 * instance address, data and rule directories, the Alertmanager URL, and S3 (prod), which becomes
 * the filesystem. Started again with the same `dir`, it runs on the data the last one left.
 */
export async function startLoki(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  alertmanagerUrl: string,
  options: StartOptions = {},
): Promise<LocalLoki> {
  const mounts = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0]
    .volumeMounts as Json[];
  const rulesMount = (mounts.find((m) => m.name === "rules") as Json).mountPath as string;
  const tenant = path.basename(rulesMount);
  const rulesDir = path.join(dir, "loki-rules");
  const dataDir = path.join(dir, "loki-data");
  fs.mkdirSync(path.join(rulesDir, tenant), { recursive: true });
  for (const [file, content] of Object.entries(configMapData(objects, "loki-rules"))) {
    fs.writeFileSync(path.join(rulesDir, tenant, file), content);
  }

  const rendered = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
  const config = movePaths(movePaths(rendered, LOKI_PATHS.rules, rulesDir), LOKI_PATHS.data, dataDir) as Json;
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  config.server = {
    ...config.server,
    http_listen_address: "127.0.0.1",
    http_listen_port: httpPort,
    grpc_listen_address: "127.0.0.1",
    grpc_listen_port: grpcPort,
  };
  config.common.instance_addr = "127.0.0.1";
  config.ruler.alertmanager_url = alertmanagerUrl;
  if (config.common.storage.s3 !== undefined) {
    config.common.storage = {
      filesystem: { chunks_directory: `${dataDir}/chunks`, rules_directory: `${dataDir}/rules` },
    };
    for (const period of config.schema_config.configs as Json[]) {
      period.object_store = "filesystem";
    }
    config.compactor.delete_request_store = "filesystem";
  }
  const file = path.join(dir, "loki.yaml");
  fs.writeFileSync(file, yaml.dump(config));

  const base = `http://127.0.0.1:${httpPort}`;
  const args = containerArgs(objects, "loki", { "-config.file": file });
  // The ingester reports ready only after its ring settles (about 15 s).
  const server = await servers.start(tools.loki(), args, readiness(`${base}/ready`, options), {
    timeoutMs: 90000,
    cwd: dir,
    env: { ...containerEnv(objects, "loki"), ...options.env },
  });
  const headers: Record<string, string> = config.auth_enabled === true ? { "X-Scope-OrgID": tenant } : {};
  return { base, server, tenant, headers };
}

/**
 * Prometheus with the rendered flags (the remote-write receiver and exemplar storage among them)
 * and the rendered global settings, without scrape jobs: Kubernetes discovery cannot run here, and
 * these tests only need what the collector writes to it. Its config and data go to `directory`
 * (a new one under `dir` by default); started again with the same one, it runs on the data the
 * last one left. A caller that needs the whole load gives `scrapeConfigs` (jobs with local
 * targets) and `alertmanager`: the rendered rule files are then evaluated and their alerts sent
 * there.
 */
export async function startPrometheus(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  options: StartOptions & {
    readonly directory?: string;
    readonly scrapeConfigs?: readonly Json[];
    readonly alertmanager?: string;
  } = {},
): Promise<Running> {
  const rendered = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json;
  const own = options.directory ?? fs.mkdtempSync(path.join(dir, "prometheus-"));
  fs.mkdirSync(own, { recursive: true });
  const config: Json = { global: rendered.global, scrape_configs: options.scrapeConfigs ?? [] };
  if (options.alertmanager !== undefined) {
    const rulesDir = path.join(own, "rules");
    fs.mkdirSync(rulesDir, { recursive: true });
    for (const [file, content] of Object.entries(configMapData(objects, "prometheus-rules"))) {
      fs.writeFileSync(path.join(rulesDir, file), content);
    }
    config.rule_files = movePaths(rendered.rule_files, PROMETHEUS_PATHS.rulesDir, rulesDir);
    config.alerting = {
      alertmanagers: [
        { api_version: "v2", static_configs: [{ targets: [new URL(options.alertmanager).host] }] },
      ],
    };
  }
  fs.writeFileSync(path.join(own, "prometheus.yml"), yaml.dump(config));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = localPrometheusArgs(objects, own, port);
  return {
    base,
    server: await servers.start(tools.prometheus(), args, readiness(`${base}/-/ready`, options), {
      env: { ...containerEnv(objects, "prometheus"), ...options.env },
    }),
  };
}

/** Every `0.0.0.0:PORT` listen address of a parsed config, moved to a free 127.0.0.1 port. */
async function listenLocally(value: unknown, ports: Map<number, number>): Promise<unknown> {
  if (typeof value === "string") {
    const match = /^0\.0\.0\.0:(\d+)$/.exec(value);
    if (match === null) {
      return value;
    }
    const port = Number(match[1]);
    if (!ports.has(port)) {
      ports.set(port, await freePort());
    }
    return `127.0.0.1:${ports.get(port)}`;
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((v) => listenLocally(v, ports)));
  }
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await listenLocally(v, ports)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

export interface LocalCollector extends Running {
  /** Container port → local port. */
  readonly ports: ReadonlyMap<number, number>;
}

/**
 * One collector with a rendered config: listen addresses to free local ports (the telemetry
 * reader's host and port too), Tempo to the sink, each Prometheus replica's remote write to a
 * local Prometheus, the aggregators' DNS name to the local aggregator.
 */
export async function startCollector(
  servers: Servers,
  name: string,
  configText: string,
  dir: string,
  backends: { tempo: string; prometheus: readonly Running[]; aggregator?: number },
  /** The rendered container's (`containerEnv`): GOMEMLIMIT among it. */
  env: Readonly<Record<string, string>> = {},
): Promise<LocalCollector> {
  const ports = new Map<number, number>();
  const config = (await listenLocally(yaml.load(configText), ports)) as Json;
  const reader = config.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
  const metricsPort = await freePort();
  ports.set(reader.port as number, metricsPort);
  Object.assign(reader, { host: "127.0.0.1", port: metricsPort });
  if (config.processors.k8sattributes !== undefined) {
    config.processors.k8sattributes.passthrough = true;
  }
  const remoteWrites = Object.keys(config.exporters).filter((id) => id.startsWith("prometheusremotewrite/"));
  if (backends.prometheus.length > 0 && backends.prometheus.length !== remoteWrites.length) {
    throw new Error(
      `${name}: ${remoteWrites.length} remote writes, ${backends.prometheus.length} Prometheus`,
    );
  }
  remoteWrites.forEach((id, i) => {
    config.exporters[id].endpoint = `${backends.prometheus[i].base}/api/v1/write`;
  });
  if (config.exporters["otlp/tempo"] !== undefined) {
    config.exporters["otlp/tempo"].endpoint = backends.tempo;
  }
  if (config.exporters.loadbalancing !== undefined) {
    Object.assign(config.exporters.loadbalancing.resolver.dns, {
      hostname: "127.0.0.1",
      port: String(backends.aggregator),
    });
  }
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, yaml.dump(config));
  const health = config.extensions.health_check.endpoint as string;
  const server = await servers.start(tools.otelcol(), [`--config=${file}`], `http://${health}/`, {
    env: { ...env, POD_NAME: `${name}-0` },
  });
  return { base: `http://${health}`, server, ports };
}

/** The OTLP sink in Tempo's place; on `grpcPort` when given, e.g. where a collector already sends. */
export async function startSink(
  servers: Servers,
  grpcPort?: number,
): Promise<{ base: string; grpc: string; server: Server }> {
  const [grpc, httpPort] = [grpcPort ?? (await freePort()), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const server = await servers.start(
    tools.otlpSink(),
    ["-grpc", `127.0.0.1:${grpc}`, "-http", `127.0.0.1:${httpPort}`],
    `${base}/ready`,
  );
  return { base, grpc: `127.0.0.1:${grpc}`, server };
}

/**
 * What the collector that sees whole traces writes to: the sink in Tempo's place, and one local
 * Prometheus per replica its config writes to.
 */
export async function startBackends(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  configMap: string,
) {
  const config = yaml.load(configMapData(objects, configMap)["config.yaml"]) as Json;
  const replicas = Object.keys(config.exporters).filter((id) =>
    id.startsWith("prometheusremotewrite/"),
  ).length;
  const sink = await startSink(servers);
  const prometheus: Running[] = [];
  for (let i = 0; i < replicas; i++) {
    prometheus.push(await startPrometheus(servers, objects, dir));
  }
  return { sink, prometheus };
}

/** `bytes` random bytes in hex: trace IDs (16) and span IDs (8). */
export const hex = (bytes: number): string =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");
