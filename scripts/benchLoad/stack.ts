// The profile's stack on this machine, booted by the component tests' starters with the rendered
// configs and each container's rendered env: Alertmanager, Prometheus scraping the load's targets
// through the rendered jobs and evaluating the rendered rules, Loki (as many replicas as rendered,
// behind a stand-in for the `loki` Service, on a local S3 store where the render stores in S3),
// Alloy in node mode tailing the service pods' log files (the render must be in node mode), the collector tier(s) with
// the OTLP sink in Tempo's place, and (prod) the second Prometheus replica the collector writes to,
// each replica's Thanos sidecar and Thanos Query over them.
import * as yaml from "js-yaml";
import * as path from "path";
import { THANOS_QUERY } from "../../components/metrics/names";
import { KubeObject } from "../../render/manifest";
import {
  LocalCollector,
  LocalLoki,
  LogPod,
  startAlloy,
  startCollector,
  startLoki,
  startPrometheus,
  startSink,
  startThanosQuery,
  startThanosSidecar,
  RunningThanos,
} from "../../testkit/localServers";
import { startAlertmanager } from "../../testkit/alertmanager";
import { startLokiReplicas, startLokiService } from "../../testkit/lokiReplicas";
import { startS3 } from "../../testkit/objectStore";
import { startRenderedBucket } from "../../testkit/thanosBucket";
import { ServiceStandIn } from "../../testkit/serviceStandIn";
import { Running, Servers } from "../../testkit/processes";
import { configMapData, containerEnv, objectNamed } from "../../testkit/rendered";
import { logPods } from "./logs";
import { ScrapeJob, ScrapeTargets } from "./targets";

export interface BenchStack {
  /** Measured process → the rendered workload whose requests and limits it runs under. */
  readonly processes: ReadonlyMap<
    string,
    { readonly pid: number; readonly workload: string; readonly container?: string }
  >;
  readonly prometheus: Running;
  /** Loki's processes: the replicas (prod) or the one (kind). */
  readonly lokis: readonly LocalLoki[];
  /** The stand-in for the `loki` Service in front of the replicas, for the caller to close. */
  readonly lokiService?: ServiceStandIn;
  readonly alloy: Running;
  /** The service pods whose log files Alloy tails, under the stack's `dir`. */
  readonly logPods: readonly LogPod[];
  /** Where apps send spans: the only collector (kind) or the gateway tier (prod). */
  readonly gateway: LocalCollector;
  /** The collectors whose telemetry tells refusals and drops. */
  readonly collectors: readonly LocalCollector[];
  readonly alertmanager: Running;
  readonly targets: ScrapeTargets;
  /** Thanos Query over the replicas' sidecars, where the profile queries through it (prod). */
  readonly query?: Running;
}

const hasConfigMap = (objects: readonly KubeObject[], name: string) =>
  objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === name);

export async function startBenchStack(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  podsPerService: number,
  nodes: number,
): Promise<BenchStack> {
  const processes = new Map<string, { pid: number; workload: string; container?: string }>();
  const track = (name: string, running: Running, workload = name, container?: string) =>
    processes.set(name, { pid: running.server.process.pid as number, workload, container });

  const alertmanager = await startAlertmanager(servers, objects, dir);
  track("alertmanager", alertmanager);

  const rendered = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as {
    scrape_configs: ScrapeJob[];
  };
  const targets = new ScrapeTargets(rendered.scrape_configs, dir);
  await targets.start(nodes);
  await targets.scaleServices(podsPerService);
  const prometheusDirs = [path.join(dir, "prometheus-0")];
  const prometheus = await startPrometheus(servers, objects, dir, {
    directory: prometheusDirs[0],
    scrapeConfigs: targets.scrapeConfigs(),
    alertmanager: alertmanager.base,
    env: containerEnv(objects, "prometheus"),
  });
  track("prometheus", prometheus);

  const { lokis, lokiService } = await startBenchLoki(servers, objects, dir, alertmanager.base);
  for (const [i, loki] of lokis.entries()) {
    track(lokis.length === 1 ? "loki" : `loki-${i}`, loki, "loki");
  }
  // Alloy discovers the pods at rated load; the series ramp's extra pods add no log files.
  const pods = logPods(targets.pods(), "bench-node-0");
  const alloy = await startAlloy(servers, objects, dir, lokiService?.base ?? lokis[0].base, pods);
  track("alloy", alloy);

  const sink = await startSink(servers);
  const tiered = hasConfigMap(objects, "otel-collector-aggregator-config");
  const writer = tiered ? "otel-collector-aggregator" : "otel-collector";
  const writerConfig = configMapData(objects, `${writer}-config`)["config.yaml"];
  const replicas = Object.keys((yaml.load(writerConfig) as { exporters: object }).exporters).filter((id) =>
    id.startsWith("prometheusremotewrite/"),
  ).length;
  // The measured Prometheus is replica 0; the others only receive the collector's writes.
  const written = [prometheus];
  for (let i = 1; i < replicas; i++) {
    prometheusDirs.push(path.join(dir, `prometheus-${i}`));
    written.push(
      await startPrometheus(servers, objects, dir, {
        directory: prometheusDirs[i],
        env: containerEnv(objects, "prometheus"),
      }),
    );
  }
  // The query path over the replicas (prod): each replica's sidecar, and Thanos Query over them.
  let query: Running | undefined;
  if (objects.some((o) => o.kind === "Deployment" && o.metadata.name === THANOS_QUERY.name)) {
    // Where the render uploads blocks (prod's metrics.objectStorage), to the local store.
    const bucket = await startRenderedBucket(servers, objects, dir);
    const sidecars: RunningThanos[] = [];
    for (const [i, replica] of written.entries()) {
      sidecars.push(
        await startThanosSidecar(servers, objects, replica, path.join(prometheusDirs[i], "data"), {
          ...(bucket === undefined ? {} : { bucket }),
        }),
      );
    }
    track("thanos-sidecar", sidecars[0], "prometheus", "thanos-sidecar");
    // The store gateways serve blocks older than the sidecars hold: a bench run has none, so
    // Thanos Query asks the sidecars alone.
    query = await startThanosQuery(servers, objects, (endpoint) => {
      const replica = /^prometheus-(\d+)\./.exec(endpoint)?.[1];
      return replica === undefined ? undefined : sidecars[Number(replica)].grpc;
    });
    track(THANOS_QUERY.name, query);
  }
  const backends = { tempo: sink.grpc, prometheus: written };
  const first = await startCollector(
    servers,
    writer,
    writerConfig,
    dir,
    backends,
    containerEnv(objects, writer, "otel-collector"),
  );
  track(writer, first);
  const collectors = [first];
  if (tiered) {
    const gateway = await startCollector(
      servers,
      "otel-collector",
      configMapData(objects, "otel-collector-config")["config.yaml"],
      dir,
      { tempo: sink.grpc, prometheus: [], aggregator: first.ports.get(4317) },
      containerEnv(objects, "otel-collector"),
    );
    track("otel-collector", gateway);
    collectors.push(gateway);
  }
  return {
    processes,
    prometheus,
    lokis,
    lokiService,
    alloy,
    logPods: pods,
    gateway: collectors[collectors.length - 1],
    collectors,
    alertmanager,
    targets,
    query,
  };
}

/** The replicas of the rendered Loki StatefulSet. */
export function lokiReplicas(objects: readonly KubeObject[]): number {
  const set = objectNamed(objects, "StatefulSet", "loki") as unknown as { spec: { replicas: number } };
  return set.spec.replicas;
}

/**
 * Loki as rendered: on the local S3 store where it stores in S3, and its replicas (in zones of
 * their own, in one ring) behind a stand-in for the `loki` Service, which is where writes go.
 */
async function startBenchLoki(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  alertmanagerUrl: string,
): Promise<{ lokis: readonly LocalLoki[]; lokiService?: ServiceStandIn }> {
  const { common } = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as {
    common: { storage: { s3?: { bucketnames: string; region: string } } };
  };
  const store = common.storage.s3;
  const s3 = store === undefined ? undefined : await startS3(servers, store.bucketnames, store.region);
  const env = containerEnv(objects, "loki");
  const replicas = lokiReplicas(objects);
  if (replicas === 1) {
    const loki = await startLoki(servers, objects, dir, alertmanagerUrl, { env, s3 });
    return { lokis: [loki] };
  }
  if (s3 === undefined) {
    throw new Error("the rendered Loki has replicas but no S3 store to share");
  }
  const zones = Array.from({ length: replicas }, (_, i) => `${s3.region}${String.fromCharCode(97 + i)}`);
  const lokis = await startLokiReplicas(servers, objects, dir, s3, zones, alertmanagerUrl);
  return { lokis, lokiService: await startLokiService(objects, lokis) };
}

/**
 * The RSS at which a collector's rendered memory_limiter starts refusing in its pod: `limit_mib`,
 * or `limit_percentage` of the container limit. Here it would read the host's memory instead, so
 * the bench judges against this.
 */
export function memoryLimiterBytes(
  objects: readonly KubeObject[],
  collector: string,
  containerLimit: number,
): number {
  const { processors } = yaml.load(configMapData(objects, `${collector}-config`)["config.yaml"]) as {
    processors: { memory_limiter: { limit_mib?: number; limit_percentage?: number } };
  };
  const { limit_mib: mib, limit_percentage: percentage } = processors.memory_limiter;
  return mib !== undefined ? mib * 2 ** 20 : ((percentage ?? 100) / 100) * containerLimit;
}
