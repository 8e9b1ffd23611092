// `npm run bench:load [-- --profile kind|prod] [--short] [--record]`: the real Prometheus, Alertmanager, Alloy
// (tailing the pod log files the bench writes, pushing to the Loki stand-in: Loki is AGPL and not run here,
// so the bench measures no Loki) and collector (its real tail sampling and connectors) on the rendered configs of a profile,
// driven at the load the profile is sized for (scripts/benchLoad/load.ts). Prints each process's
// steady and peak RSS and CPU next to its rendered request and limit, then ramps each ingest path
// until the component refuses, drops or falls behind and prints the last level it sustained.
// `--short` is the CI-sized run: the same processes and load, shorter phases, one ramp step.
// `--record` also writes the report, dated, to docs/measured/bench-load[-options].md.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderNodeMode } from "../tests/kit/localServers";
import { Servers, eventually } from "../tests/kit/processes";
import { setUpTierTools } from "../tests/kit/tools";
import { Ceiling, Counters, IngestPath, findCeiling } from "./benchLoad/ceilings";
import { DURATIONS, Durations, RATED, StackName } from "./benchLoad/load";
import { writeLogs } from "./benchLoad/logs";
import { Pacer } from "./benchLoad/pacer";
import { Sizing, UseRow, mi, sizing, useTable } from "./benchLoad/report";
import { Sampler } from "./benchLoad/sampler";
import { otlpBatch } from "./benchLoad/spans";
import { BenchStack, memoryLimiterBytes, startBenchStack } from "./benchLoad/stack";
import { instant, metricTotal, metricValues } from "./benchLoad/telemetry";
import { sleep } from "../tests/kit/sleep";
import { machine, writeMeasured } from "../tests/kit/measured";

/** The scrape jobs of the load's targets. */
const SCRAPED_JOBS = `job=~"services-.*|node-exporter|kube-state-metrics"`;

/** What a dashboard refresh asks every 5 s: every target's state and its samples, by job. */
const DASHBOARD_QUERIES = ["count by (job) (up == 1)", "sum by (job) (scrape_samples_scraped)"];

/** Grafana's refreshes of a dashboard through the query path at `base`, until stopped. */
function dashboardLoad(base: string) {
  const counts = { answered: 0, failed: 0, slowestMs: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const query of DASHBOARD_QUERIES) {
        const start = Date.now();
        const ok = await fetch(`${base}/api/v1/query`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ query }).toString(),
        }).then(
          (r) => r.ok,
          () => false,
        );
        counts.slowestMs = Math.max(counts.slowestMs, Date.now() - start);
        counts[ok ? "answered" : "failed"]++;
      }
      await sleep(5000);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return counts;
    },
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

function pacerPath(
  label: string,
  pacer: Pacer,
  extra: () => Promise<Counters>,
  extraReason: (before: Counters, after: Counters, rate: number, seconds: number) => string | undefined,
  rss: () => { rss: number; limit: number },
): IngestPath {
  return {
    label,
    apply: (rate) => {
      pacer.setRate(rate);
      return Promise.resolve(rate);
    },
    measure: async () => ({ ...pacer.counts(), ...(await extra()) }) as unknown as Counters,
    offered: (before, after, rate, seconds) =>
      after.sent + after.heldBack - (before.sent + before.heldBack) >= 0.9 * rate * seconds,
    judge: (before, after, rate, seconds) => {
      if (after.refused > before.refused) {
        return `refused ${after.refused - before.refused} (${String((pacer.counts() as { lastError: string }).lastError)})`;
      }
      const own = extraReason(before, after, rate, seconds);
      if (own !== undefined) {
        return own;
      }
      const accepted = (after.accepted - before.accepted) / seconds;
      const held = after.heldBack - before.heldBack;
      return after.inFlight > 10 || accepted < 0.9 * rate
        ? `falls behind: ${Math.round(accepted)}/s accepted, ${after.inFlight} requests in flight` +
            (held > 0 ? `, ${held} items held back` : "")
        : undefined;
    },
    rss,
  };
}

async function collectorCounters(stack: BenchStack): Promise<Counters> {
  const total = async (name: string) =>
    (
      await Promise.all(
        stack.collectors.map((c) => metricTotal(`http://127.0.0.1:${c.ports.get(8888)}/metrics`, name)),
      )
    ).reduce((a, b) => a + b, 0);
  return {
    collectorRefused: await total("otelcol_receiver_refused_spans"),
    enqueueFailed: await total("otelcol_exporter_enqueue_failed_spans"),
  };
}

/** Alloy's loki.write counters: entries accepted, batches retried, entries dropped. */
async function alloyCounters(stack: BenchStack): Promise<Counters> {
  const url = `${stack.alloy.base}/metrics`;
  return {
    alloySent: await metricTotal(url, "loki_write_sent_entries"),
    alloyRetries: await metricTotal(url, "loki_write_batch_retries"),
    alloyDropped: await metricTotal(url, "loki_write_dropped_entries"),
  };
}

async function runStack(stackName: StackName, durations: Durations, short: boolean): Promise<void> {
  const load = RATED[stackName];
  // Node mode (prod's own; kind's option, api by default) so that Alloy tails the pods' log files.
  const objects = await renderNodeMode(stackName);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-load-${stackName}-`));
  const servers = new Servers();
  const pacers: Pacer[] = [];
  let sampler: Sampler | undefined;
  try {
    const stack = await startBenchStack(servers, objects, dir, load.podsPerService, load.nodes);
    const prom = stack.prometheus.base;
    // Every target the rendered jobs scrape must answer, or the figures are of a smaller load. A
    // busy machine finds and first scrapes them later than a scrape interval: the load's phases
    // start once Prometheus has scraped each.
    const targets = stack.targets.pods().length + load.nodes + 1;
    const scraped = () => instant(prom, `count(up{${SCRAPED_JOBS}})`);
    await eventually(
      async () => ((await scraped()) === targets ? true : undefined),
      `Prometheus to scrape each of the rated load's ${targets} targets once`,
      120_000,
      async () => `${await scraped()} scraped`,
    );
    sampler = new Sampler(new Map([...stack.processes].map(([name, p]) => [name, p.pid])));
    const measured = sampler;
    const sizes = new Map<string, Sizing>(
      [...stack.processes].map(([name, p]) => [name, sizing(objects, p.workload, p.container)]),
    );
    const pods = stack.targets.pods();
    // Its "accepted" are lines written to the pod log files; what Alloy sends is Alloy's to count.
    const logs = new Pacer(load.linesPerSecond, (n) => {
      writeLogs(dir, stack.logPods, n);
      return Promise.resolve(new Response(null, { status: 204 }));
    });
    const services = [...new Set(pods.map(([, service]) => service))];
    const spans = new Pacer(load.spansPerSecond, (n) =>
      post(`http://127.0.0.1:${stack.gateway.ports.get(4318)}/v1/traces`, otlpBatch(services, n)),
    );
    pacers.push(logs, spans);

    print(
      `\n${stackName}: rated load ${load.podsPerService * services.length} service pods + ${load.nodes} node(s) + kube-state-metrics ` +
        `(${stack.targets.series()} series at 10 s), ${load.linesPerSecond} lines/s through Alloy into the Loki stand-in, ${load.spansPerSecond} spans/s; ` +
        `warm-up ${durations.warmUp} s, steady ${durations.steady} s`,
    );
    const dashboards = stack.query === undefined ? undefined : dashboardLoad(stack.query.base);
    await sleep((durations.warmUp + durations.steady) * 1000);
    const queried = await dashboards?.stop();
    const rows: UseRow[] = [...stack.processes.keys()].map((name) => ({
      component: name,
      sizing: sizes.get(name) as Sizing,
      use: measured.summary(name, durations.warmUp),
    }));
    print(useTable(rows));
    const alerts = ((await (await fetch(`${stack.alertmanager.base}/api/v2/alerts`)).json()) as unknown[])
      .length;
    const up = await instant(prom, `count(up{${SCRAPED_JOBS}} == 1)`);
    if (up !== targets) {
      throw new Error(
        `${stackName}: ${up} of the rated load's ${targets} targets up; ${await instant(prom, `count(up{${SCRAPED_JOBS}} == 0)`)} down (up == 0), the rest never scraped`,
      );
    }
    print(
      `at rated load: head series ${await metricTotal(`${prom}/metrics`, "prometheus_tsdb_head_series")}, ` +
        `targets up ${up}, ` +
        `slowest scrape ${(await instant(prom, `max(scrape_duration_seconds{${SCRAPED_JOBS}})`)).toFixed(3)} s, ` +
        `slowest rule group ${Math.max(0, ...(await metricValues(`${prom}/metrics`, "prometheus_rule_group_last_duration_seconds"))).toFixed(3)} s, ` +
        `alerts in Alertmanager ${alerts}; lines written ${logs.counts().accepted}, sent by Alloy ${(await alloyCounters(stack)).alloySent}, ` +
        `spans accepted/refused ${spans.counts().accepted}/${spans.counts().refused}` +
        (queried === undefined
          ? ""
          : `; through Thanos Query ${queried.answered} dashboard queries answered, ${queried.failed} failed, slowest ${queried.slowestMs} ms`),
    );

    const rssOf = (name: string) => () => ({
      rss: measured.rss(name),
      limit: (sizes.get(name) as Sizing).memoryLimit,
    });
    const writer = stack.processes.has("otel-collector-aggregator")
      ? "otel-collector-aggregator"
      : "otel-collector";
    const refuseAt = memoryLimiterBytes(objects, writer, (sizes.get(writer) as Sizing).memoryLimit);
    // Series last: the pods it adds stay, and would weigh on the other two ramps.
    const paths: [IngestPath, number][] = [
      [
        pacerPath(
          "lines/s through Alloy",
          logs,
          () => alloyCounters(stack),
          (before, after, rate, seconds) => {
            const sent = (after.alloySent - before.alloySent) / seconds;
            return after.alloyDropped > before.alloyDropped
              ? `Alloy dropped ${after.alloyDropped - before.alloyDropped} lines`
              : after.alloyRetries > before.alloyRetries
                ? `Alloy retried ${after.alloyRetries - before.alloyRetries} batches`
                : sent < 0.9 * rate
                  ? `Alloy falls behind: ${Math.round(sent)}/s sent of ${rate}/s written`
                  : undefined;
          },
          rssOf("alloy"),
        ),
        load.linesPerSecond * 2,
      ],
      [
        pacerPath(
          "spans/s into the collector",
          spans,
          () => collectorCounters(stack),
          (before, after) =>
            after.collectorRefused > before.collectorRefused
              ? `collector refused ${after.collectorRefused - before.collectorRefused} spans (memory_limiter)`
              : after.enqueueFailed > before.enqueueFailed
                ? `exporter queue full: ${after.enqueueFailed - before.enqueueFailed} spans dropped`
                : measured.rss(writer) > refuseAt
                  ? `RSS ${mi(measured.rss(writer))} over the memory_limiter's ${mi(refuseAt)}: in its pod it refuses spans`
                  : undefined,
          rssOf(writer),
        ),
        load.spansPerSecond * 2,
      ],
      [
        {
          label: "series scraped by Prometheus",
          apply: async (podsPerService) => {
            await stack.targets.scaleServices(podsPerService);
            return stack.targets.series();
          },
          measure: async () => ({
            down: await instant(prom, `count(up{${SCRAPED_JOBS}} == 0)`),
            targets: await instant(prom, `count(up{${SCRAPED_JOBS}})`),
            slowest: await instant(prom, `max(scrape_duration_seconds{${SCRAPED_JOBS}})`),
          }),
          // The targets exist once apply returns; whether they answer in time is the judge's.
          offered: () => true,
          growsOnly: true,
          // A new target's first scrape comes within one interval of discovery.
          minStepSeconds: 20,
          judge: (_before, after) => {
            const expected = stack.targets.pods().length + load.nodes + 1;
            if (after.down > 0) return `${after.down} targets down`;
            if (after.targets < expected)
              return `falls behind: ${after.targets} of ${expected} targets scraped`;
            return after.slowest > 10
              ? `falls behind: a scrape takes ${after.slowest.toFixed(1)} s of a 10 s interval`
              : undefined;
          },
          rss: rssOf("prometheus"),
        },
        load.podsPerService * 2,
      ],
    ];
    print(
      `ceilings on this machine (${durations.steps} step(s) of ${durations.step} s, each 4x the last, the rest at rated load):`,
    );
    const ceilings: Ceiling[] = [];
    for (const [ingest, start] of paths) {
      ceilings.push(await findCeiling(ingest, start, durations.steps, durations.step, (l) => print(l)));
      logs.setRate(load.linesPerSecond);
      spans.setRate(load.spansPerSecond);
      // A refused ramp leaves requests in flight; the next path starts once they are answered.
      for (let waited = 0; waited < 60 && pacers.reduce((n, p) => n + p.counts().inFlight, 0) > 2; waited++) {
        await sleep(1000);
      }
    }
    for (const c of ceilings) {
      print(
        `${c.label.padEnd(36)} sustained ${String(c.sustained).padEnd(8)} RSS ${mi(c.rssAtSustained)} of ${mi(c.limit)} limit` +
          (c.generatorLimited
            ? " (the bench could offer no more on this machine: the ceiling is higher)"
            : c.failed === undefined
              ? ` (every step held${short ? ", short run" : ""}: the ceiling is higher)`
              : `; at ${c.failed.level}: ${c.failed.reason}`),
      );
    }
  } finally {
    pacers.forEach((p) => p.stop());
    sampler?.stop();
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What the bench prints, kept for `--record`. */
const printed: string[] = [];

function print(text: string): void {
  console.log(text);
  printed.push(text);
}

/** The printed report as docs/measured/bench-load*.md, with the command, the machine and the date. */
function record(args: readonly string[]): void {
  const name = ["bench-load", ...args.filter((a) => a !== "--record").map((a) => a.replace(/^--/, ""))].join(
    "-",
  );
  writeMeasured(name, "Load bench", ["npm run bench:load --", ...args].join(" "), printed.join("\n"));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const short = args.includes("--short");
  const index = args.indexOf("--profile");
  const stacks: StackName[] = index >= 0 ? [args[index + 1] as StackName] : ["kind", "prod"];
  if (!stacks.every((s) => s in RATED)) {
    throw new Error(`--profile must be kind or prod, got ${args[index + 1]}`);
  }
  // The tools of the load tier of `npm run test:all` (tests/kit/tierTools.json), with the S3 store
  // prod's Thanos bucket is kept in.
  setUpTierTools("load");
  print(`bench:load${short ? " --short" : ""} on ${machine()}`);
  for (const stack of stacks) {
    await runStack(stack, DURATIONS[short ? "short" : "full"], short);
  }
  if (args.includes("--record")) {
    record(args);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
