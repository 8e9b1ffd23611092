// How long the real Prometheus takes to start, on each stack's rendered config: cold (an empty
// data directory) and after a crash (SIGKILL, no flush) with a WAL filled at a defined load, which
// it replays before it reports ready. The kubelet must not kill it mid-replay, so it needs a
// startup probe budget above the measured time, and a liveness endpoint that answers while the
// WAL replays. Loki's, measured on Loki 3.7.8 until it could no longer be run here (AGPL), are in
// docs/measured/loki-real-until-2026-11-25.md.
//
// Timed from the spawn, polling every 100 ms as a kubelet without headers would: the first HTTP
// answer of any status, the first 200 of each liveness candidate and of the readiness endpoint,
// and when the server logs that its WAL replay finished.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { rendered, stackConfig } from "../support/renderedStacks";
import { STACKS, StackName } from "../kit/stacks";
import { exposition, grown, remoteWrite, samples } from "../kit/expositions/index";
import { getJson } from "../kit/http";
import { Running, Server, Servers, eventually } from "../kit/processes";
import { objectNamed } from "../kit/rendered";
import { startPrometheus } from "../kit/localServers";
import { Json } from "../kit/json";
import { sleep } from "../kit/sleep";

type Component = "prometheus";

/** The fill: how long, and at what rate, the servers take writes before they are killed. */
const FILL_SECONDS = 60;
/** Prometheus: each service's pods remote-write their series once per interval. */
const METRIC_PODS_PER_SERVICE = 4;
const METRIC_INTERVAL_SECONDS = 10;
const METRIC_FIXTURE = "spring-boot-percentiles-histogram";
const METRICS_JOB = "services-actuator-prometheus-10s";
const POLL_MS = 100;
/** As a kubelet's probe timeout. */
const PROBE_TIMEOUT_MS = 5000;
const STARTUP_TIMEOUT_MS = 240000;

const PROBES: Record<Component, { readiness: string; liveness: readonly string[]; replayDone: RegExp }> = {
  prometheus: { readiness: "/-/ready", liveness: ["/-/healthy"], replayDone: /WAL replay completed/ },
};

const seconds = (ms: number) => (ms / 1000).toFixed(1);
interface Timeline {
  /** Milliseconds from the spawn; undefined: never. */
  readonly firstAnswer?: number;
  readonly ready?: number;
  readonly replayDone?: number;
  readonly liveness: readonly {
    readonly path: string;
    readonly ok?: number;
    /** Answers other than 200 (or none within the probe timeout) after the first 200. */
    readonly failuresAfterOk: number;
    readonly slowestMs: number;
  }[];
}

/**
 * Polls the readiness and liveness paths every 100 ms from `spawnedAt` until readiness answers 200,
 * each path on its own so that a slow answer delays no other.
 */
async function timeStartup(server: Server, base: string, component: Component, spawnedAt: number) {
  const { readiness, liveness, replayDone } = PROBES[component];
  const since = () => Date.now() - spawnedAt;
  let firstAnswer: number | undefined;
  let ready: number | undefined;
  let replayed: number | undefined;
  const deadline = spawnedAt + STARTUP_TIMEOUT_MS;
  const poll = async (urlPath: string) => {
    let ok: number | undefined;
    let failuresAfterOk = 0;
    let slowestMs = 0;
    // Each path until its own first 200 (for at most 10 s after ready), so that a liveness poll
    // that was refused while the readiness poll got its 200 is not taken for a failed one.
    while (
      (ready === undefined || (ok === undefined && since() < ready + 10000)) &&
      Date.now() < deadline &&
      server.process.exitCode === null
    ) {
      const start = Date.now();
      let status = 0;
      try {
        const response = await fetch(`${base}${urlPath}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        await response.arrayBuffer();
        status = response.status;
        firstAnswer ??= since();
      } catch {
        // not listening yet, or no answer within the probe timeout
      }
      slowestMs = status === 0 ? slowestMs : Math.max(slowestMs, Date.now() - start);
      if (status === 200) {
        ok ??= since();
        if (urlPath === readiness) ready = since();
      } else if (ok !== undefined) {
        failuresAfterOk++;
      }
      if (replayed === undefined && replayDone.test(server.output())) replayed = since();
      await sleep(Math.max(0, POLL_MS - (Date.now() - start)));
    }
    return { path: urlPath, ok, failuresAfterOk, slowestMs };
  };
  const [, ...polled] = await Promise.all([poll(readiness), ...liveness.map(poll)]);
  if (ready === undefined) {
    throw new Error(
      `${component} was not ready at ${base}${readiness} ${seconds(since())} s after its start ` +
        `(exit code ${server.process.exitCode}):\n${server.output().slice(-6000)}`,
    );
  }
  return { firstAnswer, ready, replayDone: replayed, liveness: polled } satisfies Timeline;
}

/** Bytes under a directory. */
function sizeOf(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((total, entry) => {
    const full = path.join(dir, entry.name);
    return total + (entry.isDirectory() ? sizeOf(full) : fs.statSync(full).size);
  }, 0);
}

/** A rendered workload container's startup probe budget in seconds, or why there is none. */
function startupBudget(objects: readonly KubeObject[], component: Component): number | string {
  const container = (
    objectNamed(objects, "StatefulSet", component).spec.template.spec.containers as Json[]
  ).find((c) => c.name === component) as Json;
  const probe = container.startupProbe as Json | undefined;
  if (probe === undefined) {
    return `the ${component} container of the rendered StatefulSet has no startupProbe (its liveness probe is ${JSON.stringify(container.livenessProbe)})`;
  }
  // Kubernetes' defaults where a field is left out.
  return (
    ((probe.initialDelaySeconds as number | undefined) ?? 0) +
    ((probe.periodSeconds as number | undefined) ?? 10) *
      ((probe.failureThreshold as number | undefined) ?? 3)
  );
}

interface Measurement {
  readonly stack: StackName;
  readonly component: Component;
  readonly start: "cold" | "after SIGKILL";
  readonly written: number;
  readonly walBytes: number;
  readonly timeline: Timeline;
  /** The server's log lines about its WAL, for the record. */
  readonly walLog: readonly string[];
}

function report(m: Measurement, budget: number | string): string {
  const unit = "samples";
  const ready = m.timeline.ready as number;
  const at = (ms: number | undefined) => (ms === undefined ? "never" : `${seconds(ms)} s`);
  const liveness = m.timeline.liveness.map(
    (l) =>
      `liveness ${l.path} 200 after ${at(l.ok)} (during replay: ${l.ok !== undefined && l.ok < ready ? "yes" : "no"})`,
  );
  return (
    `startup ${m.stack} ${m.component} (${m.start}): ${m.written} ${unit} in WAL ` +
    `(${(m.walBytes / 1e6).toFixed(2)} MB), first HTTP answer after ${at(m.timeline.firstAnswer)}, ` +
    `${liveness.join(", ")}, ready after ${at(ready)}; ` +
    `startup budget ${typeof budget === "number" ? `${budget} s` : "none (no startupProbe)"}`
  );
}

function details(m: Measurement): string {
  const liveness = m.timeline.liveness
    .map(
      (l) =>
        `${l.path}: ${l.failuresAfterOk} failed polls after its first 200, slowest answer ${l.slowestMs} ms`,
    )
    .join("; ");
  return (
    `  ${m.stack} ${m.component} (${m.start}): WAL replay logged as finished after ` +
    `${m.timeline.replayDone === undefined ? "(no such log line)" : `${seconds(m.timeline.replayDone)} s`}; ` +
    `${liveness}\n${m.walLog.map((l) => `    | ${l}`).join("\n")}`
  );
}

const walLines = (server: Server) =>
  server
    .output()
    .split("\n")
    .filter((l) => /wal|replay|recover|checkpoint/i.test(l) && !/level=debug/.test(l))
    .slice(0, 12)
    .map((l) => l.slice(0, 300));

// ---- Prometheus: the services' series, as a collector or agent remote-writes them ----

/** `METRIC_PODS_PER_SERVICE` pods per service, each the fixture's series, sent every interval. */
async function fillPrometheus(
  prometheus: Running,
  stack: StackName,
): Promise<{ samples: number; series: number }> {
  const config = stackConfig(stack);
  const text = exposition(METRIC_FIXTURE);
  let written = 0;
  let series = 0;
  const start = Date.now();
  for (let round = 0; round * METRIC_INTERVAL_SECONDS <= FILL_SECONDS; round++) {
    const fixture = samples(grown(text, 1 + round));
    series = 0;
    for (const [s, service] of config.apps.services.entries()) {
      const namespace = service.namespace ?? config.apps.namespaces[0];
      const batch = Array.from({ length: METRIC_PODS_PER_SERVICE }, (_, p) =>
        fixture.map((sample) => ({
          ...sample,
          labels: {
            ...sample.labels,
            job: METRICS_JOB,
            instance: `10.0.${s}.${10 + p}:${service.port}`,
            namespace,
            pod: `${service.name}-7d9f8c6b5-${p}`,
            service: service.name,
            tier: "app",
          },
        })),
      ).flat();
      await remoteWrite(`${prometheus.base}/api/v1/write`, batch);
      written += batch.length;
      series += batch.length;
    }
    await sleep(start + (round + 1) * METRIC_INTERVAL_SECONDS * 1000 - Date.now());
  }
  return { samples: written, series };
}

/**
 * The samples of the job in the last hour, counted from the raw range selector: `count_over_time`
 * drops the metric name, and series that differ in it alone would collide.
 */
async function promCount(prometheus: Running): Promise<number | undefined> {
  const query = encodeURIComponent(`{job="${METRICS_JOB}"}[1h]`);
  const { data } = await getJson(`${prometheus.base}/api/v1/query?query=${query}`);
  return (data.result as Json[]).reduce((total, series) => total + (series.values as unknown[]).length, 0);
}

// ---- the measurements ----

interface StackState {
  objects: readonly KubeObject[];
  dir: string;
  prometheus?: Running;
  promWritten?: { samples: number; series: number };
}

const servers = new Servers();
const state = new Map<StackName, StackState>();
const measured: Measurement[] = [];
const fileStart = Date.now();

const promDir = (s: StackState) => path.join(s.dir, "prometheus");

async function boot(
  stack: StackName,
  component: Component,
): Promise<{ running: Running; timeline: Timeline }> {
  const s = state.get(stack) as StackState;
  s.prometheus = await startPrometheus(servers, s.objects, s.dir, {
    directory: promDir(s),
    waitUntilReady: false,
  });
  const running = s.prometheus;
  // `startServer` spawns synchronously and returns at once: the clock starts at the spawn.
  const spawnedAt = Date.now();
  return { running, timeline: await timeStartup(running.server, running.base, component, spawnedAt) };
}

function record(m: Measurement, objects: readonly KubeObject[]): void {
  measured.push(m);
  console.log(`${report(m, startupBudget(objects, m.component))}\n${details(m)}`);
}

beforeAll(async () => {
  for (const stack of STACKS) {
    const { objects } = await rendered(stack);
    state.set(stack, {
      objects,
      dir: fs.mkdtempSync(path.join(os.tmpdir(), `startup-${stack}-`)),
    });
  }
});

afterAll(async () => {
  await servers.stopAll();
  for (const s of state.values()) fs.rmSync(s.dir, { recursive: true, force: true });
  console.log(`startup measurements took ${seconds(Date.now() - fileStart)} s in all`);
});

describe.each(STACKS)("a cold start on an empty data directory, %s stack", (stack) => {
  test.each(["prometheus"] as const)("%s", async (component) => {
    const s = state.get(stack) as StackState;
    const { running, timeline } = await boot(stack, component);
    const walBytes = sizeOf(path.join(promDir(s), "data", "wal"));
    record(
      { stack, component, start: "cold", written: 0, walBytes, timeline, walLog: walLines(running.server) },
      s.objects,
    );
    expect(timeline.ready).toBeDefined();
  });
});

test(`Prometheus takes writes for ${FILL_SECONDS} s: ${METRIC_PODS_PER_SERVICE} pods × the ${METRIC_FIXTURE} series per service every ${METRIC_INTERVAL_SECONDS} s`, async () => {
  await Promise.all(
    STACKS.map((stack) => {
      const s = state.get(stack) as StackState;
      return fillPrometheus(s.prometheus as Running, stack).then((w) => (s.promWritten = w));
    }),
  );
  for (const stack of STACKS) {
    const s = state.get(stack) as StackState;
    const written = s.promWritten?.samples as number;
    console.log(
      `fill ${stack}: Prometheus took ${written} samples of ${s.promWritten?.series} series in ${FILL_SECONDS} s`,
    );
    // Everything written is queryable before the kill, so a count after the restart compares with it.
    expect(
      await eventually(
        async () => ((await promCount(s.prometheus as Running)) === written ? written : undefined),
        `${stack} Prometheus' count of ${written}`,
      ),
    ).toBe(written);
  }
});

describe.each(STACKS)("a restart after SIGKILL on the filled data directory, %s stack", (stack) => {
  test.each(["prometheus"] as const)(
    "%s replays its WAL, and what was written before the kill is queryable again",
    async (component) => {
      const s = state.get(stack) as StackState;
      const before = s.prometheus;
      await new Promise<void>((resolve) => {
        before?.server.process.once("exit", () => resolve());
        before?.server.process.kill("SIGKILL");
      });
      const walBytes = sizeOf(path.join(promDir(s), "data", "wal"));
      const written = s.promWritten?.samples as number;
      const { running, timeline } = await boot(stack, component);
      record(
        {
          stack,
          component,
          start: "after SIGKILL",
          written,
          walBytes,
          timeline,
          walLog: walLines(running.server),
        },
        s.objects,
      );
      const after = await promCount(s.prometheus as Running);
      console.log(
        `after the restart ${stack} ${component} counts ${after} of the ${written} samples written before the kill`,
      );
      expect(after).toBe(written);
    },
  );
});

describe.each(STACKS)("the %s stack's startup probes", (stack) => {
  test.each(["prometheus"] as const)(
    "%s: the startup budget covers the measured time to ready, cold and after a crash",
    (component) => {
      const s = state.get(stack) as StackState;
      const budget = startupBudget(s.objects, component);
      const times = measured.filter((m) => m.stack === stack && m.component === component);
      expect(times.map((m) => m.start).sort()).toEqual(["after SIGKILL", "cold"]);
      const slowest = Math.max(...times.map((m) => m.timeline.ready as number)) / 1000;
      if (typeof budget === "string") {
        throw new Error(`${stack}: ${budget}; measured ready after up to ${slowest.toFixed(1)} s`);
      }
      expect(slowest).toBeLessThan(budget);
    },
  );

  test.each(["prometheus"] as const)(
    "%s: the rendered liveness probe answers before the server is ready, and never fails after",
    (component) => {
      const s = state.get(stack) as StackState;
      const container = (
        objectNamed(s.objects, "StatefulSet", component).spec.template.spec.containers as Json[]
      ).find((c) => c.name === component) as Json;
      const livenessPath = container.livenessProbe.httpGet.path as string;
      for (const m of measured.filter((x) => x.stack === stack && x.component === component)) {
        const polled = m.timeline.liveness.find((l) => l.path === livenessPath);
        expect(`${m.start}: ${livenessPath} polled ${polled !== undefined}`).toBe(
          `${m.start}: ${livenessPath} polled true`,
        );
        // At the latest with readiness (within one poll: the paths are polled side by side): a
        // liveness probe must not wait for what readiness waits for.
        expect(polled?.ok).toBeLessThanOrEqual((m.timeline.ready as number) + POLL_MS);
        expect(polled?.failuresAfterOk).toBe(0);
      }
    },
  );
});
