// Boots the stack's servers on 127.0.0.1 with the configs the program renders. Only what cannot
// exist outside a cluster is rewritten: listen addresses and ports, peer and backend addresses,
// data directories. Loki, which may not be built here (AGPL), is the stand-in of lokiStandIn.ts.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import {
  PROMETHEUS_PATHS,
  SERVICE_ACCOUNT_CA,
  SERVICE_ACCOUNT_TOKEN,
  THANOS_PATHS,
} from "../../components/metrics/names";
import { PrometheusConfig } from "../../components/common/prometheusTypes";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { StackName } from "./stacks";
import { BucketClient } from "./thanosBucket";
import { Running, Server, Servers, eventually, freePort } from "./processes";
import { sleep } from "./sleep";
import {
  configMapData,
  containerArgs,
  containerEnv,
  localPrometheusArgs,
  objectNamed,
  prometheusYml,
} from "./rendered";
import { tools } from "./tools";
import { LokiStandIn, lokiStandInOptions, startLokiStandIn } from "./lokiStandIn";
import { Json } from "./json";
import { samples } from "./expositions/index";

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

/**
 * The Loki stand-in (tests/kit/lokiStandIn.ts) with the rendered config's tenant setting and push
 * limits, stopped with the test's other servers. The tenant is the one the rendered ruler reads
 * rules for (the rules mount's last directory), as Alloy's and Grafana's are. `port`: for a test
 * that stops it and needs it back where it was (a `freePort()`, which no other server of the run
 * can take meanwhile); by default the kernel's choice.
 */
export async function startLoki(
  servers: Servers,
  objects: readonly KubeObject[],
  port?: number,
): Promise<LokiStandIn> {
  const mounts = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0]
    .volumeMounts as Json[];
  const tenant = path.basename((mounts.find((m) => m.name === "rules") as Json).mountPath as string);
  return servers.add(await startLokiStandIn({ ...lokiStandInOptions(objects, tenant), port }));
}

interface PrometheusOptions extends StartOptions {
  /** The rendered flags as run here, given the local base URL, for a test that sets more. */
  readonly args?: (args: string[], base: string) => string[];
}

/**
 * Prometheus in `directory` (its `prometheus.yml`, `data/`) on `port`, with the rendered flags and
 * environment.
 */
async function bootPrometheus(
  servers: Servers,
  objects: readonly KubeObject[],
  directory: string,
  port: number,
  config: Json,
  options: PrometheusOptions,
): Promise<Running> {
  fs.writeFileSync(path.join(directory, "prometheus.yml"), yaml.dump(config, { skipInvalid: true }));
  const base = `http://127.0.0.1:${port}`;
  const args = localPrometheusArgs(objects, directory, port);
  return {
    base,
    server: await servers.start(
      tools.prometheus(),
      options.args?.(args, base) ?? args,
      readiness(`${base}/-/ready`, options),
      { env: { ...containerEnv(objects, "prometheus"), ...options.env } },
    ),
  };
}

/**
 * The ServiceAccount's token and CA where `config` reads them in the pod, written to
 * `<directory>/serviceaccount` (a stand-in token and no CA unless `serviceAccount` gives a real API
 * server's): `config` with those paths moved there.
 */
function withServiceAccountFiles(
  config: unknown,
  directory: string,
  serviceAccount?: { readonly token: string; readonly ca: string },
): unknown {
  const accountDir = path.join(directory, "serviceaccount");
  fs.mkdirSync(accountDir, { recursive: true });
  fs.writeFileSync(
    path.join(accountDir, path.basename(SERVICE_ACCOUNT_TOKEN)),
    serviceAccount?.token ?? "test-token",
  );
  if (serviceAccount !== undefined) {
    fs.writeFileSync(path.join(accountDir, path.basename(SERVICE_ACCOUNT_CA)), serviceAccount.ca);
  }
  return movePaths(config, path.dirname(SERVICE_ACCOUNT_TOKEN), accountDir);
}

/** Writes the rendered rule files to `<directory>/rules` and returns that directory. */
function writePrometheusRules(objects: readonly KubeObject[], directory: string): string {
  const rulesDir = path.join(directory, "rules");
  fs.mkdirSync(rulesDir, { recursive: true });
  for (const [file, content] of Object.entries(configMapData(objects, "prometheus-rules"))) {
    fs.writeFileSync(path.join(rulesDir, file), content);
  }
  return rulesDir;
}

/**
 * Prometheus with the rendered flags (the remote-write receiver and exemplar storage among them)
 * and the rendered global settings, without scrape jobs: Kubernetes discovery cannot run here, and
 * these tests only need what the collector writes to it. Its config and data go to `directory`
 * (a new one under `dir` by default); started again with the same one, it runs on the data the
 * last one left. A caller that needs the whole load gives `scrapeConfigs` (jobs with local
 * targets; the ServiceAccount's token they read, a stand-in) and `alertmanager`: the rendered rule
 * files are then evaluated and their alerts sent there.
 */
export async function startPrometheus(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  options: PrometheusOptions & {
    readonly directory?: string;
    readonly scrapeConfigs?: readonly Json[];
    readonly alertmanager?: string;
  } = {},
): Promise<Running> {
  const rendered = prometheusYml(objects);
  const own = options.directory ?? fs.mkdtempSync(path.join(dir, "prometheus-"));
  fs.mkdirSync(own, { recursive: true });
  const config: Json = {
    global: rendered.global,
    scrape_configs: withServiceAccountFiles(options.scrapeConfigs ?? [], own),
  };
  if (options.alertmanager !== undefined) {
    const rulesDir = writePrometheusRules(objects, own);
    config.rule_files = movePaths(rendered.rule_files, PROMETHEUS_PATHS.rulesDir, rulesDir);
    config.alerting = {
      alertmanagers: [
        { api_version: "v2", static_configs: [{ targets: [new URL(options.alertmanager).host] }] },
      ],
    };
  }
  return bootPrometheus(servers, objects, own, await freePort(), config, options);
}

/**
 * Prometheus on the whole rendered prometheus.yml, its in-pod files in `directory`: the rule
 * files (`rules/`), the ServiceAccount's token and CA (`serviceaccount/`: a stand-in token and no
 * CA unless `serviceAccount` gives a real API server's) and the extra scrape jobs' credentials
 * (`secrets/`). `localise` rewrites what cannot run here, given the port Prometheus will listen on:
 * Kubernetes discovery first (its jobs over local targets that carry the discovery labels, so the
 * relabelling runs as rendered).
 */
export async function startRenderedPrometheus(
  servers: Servers,
  objects: readonly KubeObject[],
  directory: string,
  localise: (rendered: PrometheusConfig, port: number) => Json,
  options: PrometheusOptions & {
    readonly serviceAccount?: { readonly token: string; readonly ca: string };
  } = {},
): Promise<Running> {
  const rulesDir = writePrometheusRules(objects, directory);
  const secretsDir = path.join(directory, "secrets");
  fs.mkdirSync(secretsDir, { recursive: true });
  const secret = objects.find(
    (o) => o.kind === "Secret" && o.metadata.name === "prometheus-scrape-credentials",
  );
  for (const [key, value] of Object.entries((secret?.stringData ?? {}) as Record<string, string>)) {
    fs.writeFileSync(path.join(secretsDir, key), value);
  }
  const moved = withServiceAccountFiles(
    [
      [PROMETHEUS_PATHS.rulesDir, rulesDir],
      [PROMETHEUS_PATHS.secretsDir, secretsDir],
    ].reduce<unknown>((config, [from, to]) => movePaths(config, from, to), prometheusYml(objects)),
    directory,
    options.serviceAccount,
  );
  const port = await freePort();
  return bootPrometheus(
    servers,
    objects,
    directory,
    port,
    localise(moved as PrometheusConfig, port),
    options,
  );
}

/** A Thanos process serving HTTP at `base` and the StoreAPI (gRPC) at `grpc`. */
/** A gauge of Prometheus' own /metrics, without labels. */
async function ownGauge(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (line === undefined) {
    throw new Error(`${base}/metrics has no ${name}`);
  }
  return Number(line.slice(name.length + 1));
}

/**
 * Writes `config` as a running Prometheus' config file and waits until Prometheus has reloaded it
 * by itself, as it takes a ConfigMap edit (the rendered auto-reload-config; nothing calls it).
 */
export async function reloadPrometheusConfig(prometheus: Running, config: Json): Promise<void> {
  const flag = prometheus.server.process.spawnargs.find((a) => a.startsWith("--config.file=")) ?? "";
  const file = flag.slice("--config.file=".length);
  const timestamp = "prometheus_config_last_reload_success_timestamp_seconds";
  const before = await ownGauge(prometheus.base, timestamp);
  // The timestamp is in whole seconds: a reload within the same second as the last would not show.
  await sleep(Math.max(0, (before + 1) * 1000 - Date.now()));
  fs.writeFileSync(file, yaml.dump(config, { skipInvalid: true }));
  await eventually(
    async () => {
      if ((await ownGauge(prometheus.base, "prometheus_config_last_reload_successful")) === 0) {
        throw new Error(`Prometheus refused the new ${file}`);
      }
      return (await ownGauge(prometheus.base, timestamp)) > before ? true : undefined;
    },
    `Prometheus to reload ${file} by itself`,
    60000,
    async () => `${timestamp} ${await ownGauge(prometheus.base, timestamp)}, ${before} before the edit`,
  );
}

export interface RunningThanos extends Running {
  readonly grpc: string;
  /** What restarting it needs besides its arguments. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The rendered Thanos sidecar of a Prometheus pod, beside `prometheus` running here on the TSDB in
 * `tsdbPath`, with its listen addresses on free 127.0.0.1 ports. A sidecar rendered to upload needs
 * the `bucket` it uploads to; `args` are added (e.g. the TLS a load balancer would serve it with).
 */
export async function startThanosSidecar(
  servers: Servers,
  objects: readonly KubeObject[],
  prometheus: Running,
  tsdbPath: string,
  options: { readonly bucket?: BucketClient; readonly args?: readonly string[] } = {},
): Promise<RunningThanos> {
  const [http, grpc] = [await freePort(), await freePort()];
  const rendered = containerArgs(objects, "prometheus", {}, "thanos-sidecar");
  const uploads = rendered.some((a) => a.startsWith("--objstore.config-file="));
  if (uploads && options.bucket === undefined) {
    throw new Error("the rendered sidecar uploads to a bucket: give it the local one");
  }
  const args = containerArgs(
    objects,
    "prometheus",
    {
      "--prometheus.url": prometheus.base,
      "--tsdb.path": tsdbPath,
      "--grpc-address": `127.0.0.1:${grpc}`,
      "--http-address": `127.0.0.1:${http}`,
      ...(options.bucket === undefined ? {} : { "--objstore.config-file": options.bucket.configFile }),
    },
    "thanos-sidecar",
  );
  const base = `http://127.0.0.1:${http}`;
  const env = { ...containerEnv(objects, "prometheus", "thanos-sidecar"), ...options.bucket?.env };
  const server = await servers.start(tools.thanos(), [...args, ...(options.args ?? [])], `${base}/-/ready`, {
    env,
  });
  return { base, server, grpc: `127.0.0.1:${grpc}`, env };
}

/** The rendered Thanos Query's endpoint list. */
function renderedEndpointConfig(objects: readonly KubeObject[]): { endpoints: Json[] } {
  const flag = "--endpoint.sd-config=";
  const arg = containerArgs(objects, "thanos-query", {}).find((a) => a.startsWith(flag)) ?? "";
  return yaml.load(arg.slice(flag.length)) as { endpoints: Json[] };
}

/** The StoreAPI addresses the rendered Thanos Query reads, in the order it lists them. */
export function renderedQueryEndpoints(objects: readonly KubeObject[]): string[] {
  return renderedEndpointConfig(objects).endpoints.map((e) => e.address as string);
}

/**
 * The rendered Thanos Query with each rendered endpoint replaced by the address `local` maps it to
 * (a sidecar or store gateway running here), on free 127.0.0.1 ports. An endpoint `local` maps to
 * nothing is one the caller does not run. Its TLS files are read from `tlsDir` (the Secret's).
 */
export async function startThanosQuery(
  servers: Servers,
  objects: readonly KubeObject[],
  local: (renderedEndpoint: string) => string | undefined,
  options: { readonly tlsDir?: string } = {},
): Promise<RunningThanos> {
  const [http, grpc] = [await freePort(), await freePort()];
  const endpoints = renderedEndpointConfig(objects).endpoints.flatMap((endpoint) => {
    const address = local(endpoint.address as string);
    return address === undefined ? [] : [{ ...endpoint, address }];
  });
  const localFiles =
    options.tlsDir === undefined
      ? endpoints
      : (movePaths(endpoints, THANOS_PATHS.tlsDir, options.tlsDir) as Json[]);
  const args = containerArgs(objects, "thanos-query", {
    "--http-address": `127.0.0.1:${http}`,
    "--grpc-address": `127.0.0.1:${grpc}`,
    "--endpoint.sd-config": yaml.dump({ endpoints: localFiles }),
  });
  const base = `http://127.0.0.1:${http}`;
  const env = containerEnv(objects, "thanos-query");
  const server = await servers.start(tools.thanos(), args, `${base}/-/ready`, { env });
  return { base, server, grpc: `127.0.0.1:${grpc}`, env };
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
 * local Prometheus, the aggregators' DNS name to the local aggregator, its queue storage to a
 * directory under `dir` named for it.
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
  for (const [id, extension] of Object.entries<Json>(config.extensions)) {
    if (id.startsWith("file_storage")) {
      // The pod's volume: a directory of this collector's own, kept across its restarts.
      extension.directory = path.join(dir, `${name}-${id.replace("/", "-")}`);
      fs.mkdirSync(extension.directory, { recursive: true });
    }
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

/** A pod whose container's log file the node-mode agent tails, as Kubernetes discovery sees it. */
export interface LogPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly container: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly node: string;
  readonly ip: string;
}

/**
 * A committed stack rendered with the log agent in `node` mode (prod's own mode, kind's option),
 * and with `logs` keys set over the stack file's.
 */
export async function renderNodeMode(stack: StackName, logs: Json = {}): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const own = JSON.parse(config["observability:logs"] ?? "{}") as Json;
  const { objects } = await renderWithConfig(
    `${stack}-node-logs`,
    { ...config, "observability:logs": JSON.stringify({ ...own, ...logs, collectionMode: "node" }) },
    secretKeys,
  );
  return objects;
}

/** The directory standing in for the host's `/var/log/pods` in a test's `dir`. */
const podLogRoot = (dir: string): string => path.join(dir, "var/log/pods");

/** Where the kubelet keeps a container's log, under the test's `dir`. */
export const podLogFile = (dir: string, pod: LogPod): string =>
  path.join(podLogRoot(dir), `${pod.namespace}_${pod.name}_${pod.uid}`, pod.container, "0.log");

// Nanoseconds since the epoch from the monotonic clock, so consecutive lines never go back in time.
const epochOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/**
 * A line as containerd writes it to a pod log file: the time in RFC 3339 with nanoseconds (Go's
 * RFC3339Nano, trailing zeros dropped), the stream, the full-line tag and the text.
 */
function criLine(line: string, stream: "stdout" | "stderr"): string {
  const nanos = process.hrtime.bigint() + epochOffset;
  const seconds = new Date(Number(nanos / 1_000_000n)).toISOString().slice(0, 19);
  const fraction = String(nanos % 1_000_000_000n)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return `${seconds}${fraction === "" ? "" : `.${fraction}`}Z ${stream} F ${line}\n`;
}

/** Appends lines to a pod's log file under `dir` as containerd does, creating it on first use. */
export function writePodLog(
  dir: string,
  pod: LogPod,
  lines: readonly string[],
  stream: "stdout" | "stderr" = "stdout",
): void {
  const file = podLogFile(dir, pod);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, lines.map((line) => criLine(line, stream)).join(""));
}

/** The targets Kubernetes pod discovery gives for these pods (one per container), in Alloy syntax. */
function discoveredTargets(pods: readonly LogPod[]): string {
  const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_");
  const targets = pods.map((pod) => ({
    __address__: pod.ip,
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_uid: pod.uid,
    __meta_kubernetes_pod_ip: pod.ip,
    __meta_kubernetes_pod_node_name: pod.node,
    __meta_kubernetes_pod_phase: "Running",
    __meta_kubernetes_pod_ready: "true",
    __meta_kubernetes_pod_container_name: pod.container,
    __meta_kubernetes_pod_container_init: "false",
    ...Object.fromEntries(
      Object.entries(pod.labels).flatMap(([key, value]) => [
        [`__meta_kubernetes_pod_label_${sanitize(key)}`, value],
        [`__meta_kubernetes_pod_labelpresent_${sanitize(key)}`, "true"],
      ]),
    ),
  }));
  const object = (target: Record<string, string>) =>
    `{${Object.entries(target)
      .map(([key, value]) => `${JSON.stringify(key)} = ${JSON.stringify(value)}`)
      .join(", ")}}`;
  return `[${targets.map(object).join(", ")}]`;
}

/** The text of an Alloy config without the block that starts with `header` (braces balanced). */
function withoutBlock(text: string, header: string): string {
  const start = text.indexOf(header);
  if (start < 0) {
    throw new Error(`no ${header} block in the Alloy config`);
  }
  let depth = 0;
  let quoted = false;
  for (let i = start + header.length - 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      i += c === "\\" ? 1 : 0;
      quoted = c !== '"';
    } else if (c === '"') {
      quoted = true;
    } else if (c === "{" || c === "}") {
      depth += c === "{" ? 1 : -1;
      if (depth === 0) {
        return text.slice(0, start) + text.slice(i + 1);
      }
    }
  }
  throw new Error(`unbalanced ${header} block in the Alloy config`);
}

/**
 * The log agent in `node` mode: the real Alloy with the rendered config, args and environment.
 * Rewritten, as nothing else can exist outside a cluster: Kubernetes discovery (the apps' pods and
 * the canary) becomes the static targets it would find for `pods` (this node's), the host's pod log directory `dir`/var/log/pods
 * (write to it with `writePodLog`), the Loki URL `lokiBase`, the listen address a free local port, the storage path a
 * directory under `dir` (started again with the same `dir`, it resumes from its positions).
 */
export async function startAlloy(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  lokiBase: string,
  pods: readonly LogPod[],
  options: StartOptions = {},
): Promise<Running> {
  const workload = objectNamed(objects, "DaemonSet", "alloy");
  const spec = workload.spec.template.spec as Json;
  const container = (spec.containers as Json[]).find((c) => c.name === "alloy") as Json;
  const mountOf = (volume: string) =>
    ((container.volumeMounts as Json[]).find((m) => m.name === volume) as Json).mountPath as string;
  const hostLogs = ((spec.volumes as Json[]).find((v) => v.hostPath?.path === "/var/log/pods") as Json)
    .name as string;
  const podLogs = podLogRoot(dir);
  const storage = path.join(dir, "alloy-data");
  fs.mkdirSync(podLogs, { recursive: true });

  const rendered = configMapData(objects, "alloy-config")["config.alloy"];
  const text = withoutBlock(
    withoutBlock(rendered, 'discovery.kubernetes "pods" {'),
    'discovery.kubernetes "canary" {',
  )
    .replace(/array\.concat\(discovery\.kubernetes\.[^)]*\)/, () => discoveredTargets(pods))
    .replaceAll(`"${mountOf(hostLogs)}/`, `"${podLogs}/`)
    .replace(/url = "http:\/\/[^"/]+\/loki\/api\/v1\/push"/, `url = "${lokiBase}/loki/api/v1/push"`);
  const file = path.join(dir, "config.alloy");
  fs.writeFileSync(file, text);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configMount = mountOf("config");
  const args = containerArgs(objects, "alloy", {
    "--server.http.listen-addr": `127.0.0.1:${port}`,
    "--storage.path": storage,
  }).map((arg) => (arg.startsWith(`${configMount}/`) ? file : arg));
  const node = pods[0]?.node ?? "local-node";
  const env = Object.fromEntries(
    ((container.env ?? []) as Json[]).map((variable) => {
      if (variable.value !== undefined) {
        return [variable.name, variable.value];
      }
      if (variable.valueFrom?.fieldRef?.fieldPath === "spec.nodeName") {
        return [variable.name, node];
      }
      throw new Error(`startAlloy: no local value for the rendered variable ${variable.name}`);
    }),
  );
  const server = await servers.start(tools.alloy(), args, readiness(`${base}/-/ready`, options), {
    env,
    timeoutMs: 60000,
  });
  return { base, server };
}

/** The log agent's loki.write counters from its /metrics, summed over endpoints and reasons. */
export async function alloyWriteCounters(
  alloy: Running,
): Promise<Record<"sent" | "dropped" | "retries", number>> {
  const all = samples(await (await fetch(`${alloy.base}/metrics`)).text());
  const total = (name: string) => all.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
  return {
    sent: total("loki_write_sent_entries_total"),
    dropped: total("loki_write_dropped_entries_total"),
    retries: total("loki_write_batch_retries_total"),
  };
}
