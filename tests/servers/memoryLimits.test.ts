// The real Prometheus, Alertmanager and collector, started with their rendered container's
// environment, run with the soft memory limit the program computed from their configured memory
// limit: the Go runtime reports it as go_gc_gomemlimit_bytes, and the collector's memory_limiter
// logs the limits it runs with. Loki's, measured on Loki 3.7.8 until it could no longer be run
// here (AGPL), is in docs/measured/loki-real-until-2026-11-25.md.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../support/renderedStacks";
import { STACKS, StackName } from "../kit/stacks";
import { startAlertmanager } from "../kit/alertmanager";
import { samples } from "../kit/expositions/index";
import { Running, Servers } from "../kit/processes";
import { configMapData, containerEnv } from "../kit/rendered";
import { startBackends, startCollector, startPrometheus } from "../kit/localServers";

const MIB = 2 ** 20;

/** The runtime's own view of its soft memory limit, from the server's /metrics. */
async function goMemLimit(base: string): Promise<number> {
  const response = await fetch(`${base}/metrics`);
  const limit = samples(await response.text()).find((s) => s.name === "go_gc_gomemlimit_bytes");
  if (limit === undefined) {
    throw new Error(`${base}/metrics has no go_gc_gomemlimit_bytes`);
  }
  return limit.value;
}

/** The rendered GOMEMLIMIT of a workload's container, in bytes (it is rendered in MiB). */
function renderedLimit(objects: readonly KubeObject[], workload: string, container = workload): number {
  const value = containerEnv(objects, workload, container).GOMEMLIMIT;
  const match = /^([0-9]+)MiB$/.exec(value ?? "");
  if (match === null) {
    throw new Error(`${workload}/${container}: GOMEMLIMIT=${value}`);
  }
  return Number(match[1]) * MIB;
}

describe.each(STACKS)("the %s stack's Go servers know their memory limit", (stack: StackName) => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let prometheus: Running;
  let alertmanager: Running;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `memory-limits-${stack}-`));
    objects = (await rendered(stack)).objects;
    alertmanager = await startAlertmanager(servers, objects, dir);
    prometheus = await startPrometheus(servers, objects, dir);
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("Prometheus runs with the rendered GOMEMLIMIT, which its own --auto-gomemlimit leaves alone", async () => {
    expect(await goMemLimit(prometheus.base)).toBe(renderedLimit(objects, "prometheus"));
    // On by default in v3: it reads the cgroup only when GOMEMLIMIT is not set, and says so.
    expect(prometheus.server.output()).toMatch(/GOMEMLIMIT is already set, skipping/);
  });

  test("Alertmanager runs with the rendered GOMEMLIMIT", async () => {
    expect(await goMemLimit(alertmanager.base)).toBe(renderedLimit(objects, "alertmanager"));
  });

  test("each collector tier's memory_limiter runs with the rendered GOMEMLIMIT as its hard limit", async () => {
    // The tier that sees whole traces writes to the sink and Prometheus; prod's gateway routes to it.
    const whole = stack === "kind" ? "otel-collector" : "otel-collector-aggregator";
    const { sink, prometheus: writeTo } = await startBackends(servers, objects, dir, `${whole}-config`);
    const tiers = [
      await startCollector(
        servers,
        whole,
        configMapData(objects, `${whole}-config`)["config.yaml"],
        dir,
        { tempo: sink.grpc, prometheus: writeTo },
        containerEnv(objects, whole, "otel-collector"),
      ),
    ];
    if (stack === "prod") {
      tiers.push(
        await startCollector(
          servers,
          "otel-collector",
          configMapData(objects, "otel-collector-config")["config.yaml"],
          dir,
          { tempo: sink.grpc, prometheus: [], aggregator: tiers[0].ports.get(4317) },
          containerEnv(objects, "otel-collector"),
        ),
      );
    }
    const names = stack === "kind" ? [whole] : [whole, "otel-collector"];
    names.forEach((name, i) => {
      const limitMiB = renderedLimit(objects, name, "otel-collector") / MIB;
      // Its own telemetry has no Go runtime metrics: the process's environment shows it got the value.
      const environ = fs.readFileSync(`/proc/${tiers[i].server.process.pid}/environ`, "utf8").split("\0");
      expect(environ).toContain(`GOMEMLIMIT=${limitMiB}MiB`);
      // Logged as it starts: `Memory limiter configured {..., "limit_mib": 307, "spike_limit_mib": 61, ...}`.
      const configured = /Memory limiter configured.*"limit_mib": (\d+), "spike_limit_mib": (\d+)/.exec(
        tiers[i].server.output(),
      );
      expect([name, configured?.slice(1).map(Number)]).toEqual([
        name,
        [limitMiB, Math.floor(limitMiB * 0.2)],
      ]);
    });
  });
});
