// The profile's stack on this machine, booted by the server tests' starters with the rendered
// configs and each container's rendered env: Alertmanager, Prometheus scraping the load's targets
// through the rendered jobs and evaluating the rendered rules, the Loki stand-in (in this process:
// Loki is AGPL and not run here, so nothing of Loki's is measured), Alloy in node mode tailing the
// service pods' log files (the render must be in node mode) and pushing to it, the collector tier(s) with
// the OTLP sink in Tempo's place, and (prod) the second Prometheus replica the collector writes to,
// each replica's Thanos sidecar and Thanos Query over them.
import * as yaml from "js-yaml";
import * as path from "path";
import { THANOS_QUERY } from "../../components/metrics/names";
import { KubeObject } from "../../render/manifest";
import {
  LocalCollector,
  LogPod,
  startAlloy,
  startCollector,
  startLoki,
  startPrometheus,
  startSink,
  startThanosQuery,
  startThanosSidecar,
  RunningThanos,
} from "../../tests/kit/localServers";
import { startAlertmanager } from "../../tests/kit/alertmanager";
import { LokiStandIn } from "../../tests/kit/lokiStandIn";
import { startRenderedBucket } from "../../tests/kit/thanosBucket";
import { Running, Servers } from "../../tests/kit/processes";
import { configMapData, containerEnv } from "../../tests/kit/rendered";
import { logPods } from "./logs";
import { ScrapeJob, ScrapeTargets } from "./targets";

export interface BenchStack {
  /** Measured process → the rendered workload whose requests and limits it runs under. */
  readonly processes: ReadonlyMap<
    string,
    { readonly pid: number; readonly workload: string; readonly container?: string }
  >;
  readonly prometheus: Running;
  /** Where Alloy pushes: the Loki stand-in, which is not a measured process. */
  readonly loki: LokiStandIn;
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

  const loki = await startLoki(servers, objects);
  // Alloy discovers the pods at rated load; the series ramp's extra pods add no log files.
  const pods = logPods(targets.pods(), "bench-node-0");
  const alloy = await startAlloy(servers, objects, dir, loki.base, pods);
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
    loki,
    alloy,
    logPods: pods,
    gateway: collectors[collectors.length - 1],
    collectors,
    alertmanager,
    targets,
    query,
  };
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
