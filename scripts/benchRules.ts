// `npm run bench:rules [-- --record]`: what the rendered rules cost each stack's Prometheus at the
// load the stack is rated for (scripts/benchLoad/load.ts): rule groups and rules, the series the
// recording rules write, and over two minutes of evaluations the seconds spent evaluating rules and
// the CPU Prometheus used, per minute; and what each group costs: its evaluations' mean time and
// seconds per minute, read off the rules API through the window; and the same for prod with its
// SLOs counted over calendar months instead of their rolling 28 days. `--record` writes
// docs/measured/rule-cost.md, each stack's figures beside the ones the record held before.
import { PROJECT_ROOT, renderStack, renderWithConfig } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { KubeObject } from "../render/manifest";
import { getJson } from "../tests/kit/http";
import { Json } from "../tests/kit/json";
import { previousRecord } from "../tests/kit/measured";
import { Running } from "../tests/kit/processes";
import { sleep } from "../tests/kit/sleep";
import { StackName } from "./benchLoad/load";
import { instant, metricTotal } from "./benchLoad/telemetry";
import { atRatedLoad } from "./benchRange/ratedLoad";
import { runBench } from "./benchRange/runBench";

const RECORD = "rule-cost";
const CALENDAR_LABEL = "prod over calendar months";

/** prod with every SLO of metrics.slos counted over calendar months in Berlin, and the month of samples they need. */
async function prodOverCalendarMonths(): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const metrics = JSON.parse(config["observability:metrics"]) as Json;
  const calendar = {
    ...metrics,
    retentionTime: "31d",
    slos: (metrics.slos as Json[]).map((slo) => ({
      ...slo,
      window: { calendar: "month", timeZone: "Europe/Berlin" },
    })),
  };
  return (
    await renderWithConfig(
      "prod-calendar",
      { ...config, "observability:metrics": JSON.stringify(calendar) },
      secretKeys,
    )
  ).objects;
}
const WINDOW_S = 120;

interface Group {
  readonly name: string;
  readonly file: string;
  readonly interval: number;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  readonly rules: readonly { readonly type: "recording" | "alerting" }[];
}

const rulesOf = async (prometheus: Running) =>
  ((await getJson(`${prometheus.base}/api/v1/rules`)).data as Json).groups as Group[];

/**
 * Each group's evaluations during `seconds`, sampled off the rules API every 15 s (each read is an
 * API call the CPU figure counts; the groups' last evaluations are a fair sample): seconds each
 * took, by group.
 */
async function evaluationsDuring(prometheus: Running, seconds: number): Promise<Map<string, number[]>> {
  const seen = new Map<string, Map<string, number>>();
  for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(15000)) {
    for (const group of await rulesOf(prometheus)) {
      const key = `${group.file}:${group.name}`;
      seen.set(
        key,
        (seen.get(key) ?? new Map<string, number>()).set(group.lastEvaluation, group.evaluationTime),
      );
    }
  }
  return new Map([...seen].map(([key, times]) => [key, [...times.values()]]));
}

/** The stack's rule figures, as one line of the record, and what each group costs. */
async function ruleCost(stack: string, prometheus: Running): Promise<string[]> {
  const metrics = `${prometheus.base}/metrics`;
  const counters = async () => ({
    evaluation: await metricTotal(metrics, "prometheus_rule_group_duration_seconds_sum"),
    cpu: await metricTotal(metrics, "process_cpu_seconds"),
  });
  const first = await counters();
  const evaluations = await evaluationsDuring(prometheus, WINDOW_S);
  const last = await counters();
  const perMinute = (from: number, to: number) => (((to - from) / WINDOW_S) * 60).toFixed(2);
  const groups = await rulesOf(prometheus);
  const rules = groups.flatMap((g) => g.rules);
  const recorded = await instant(prometheus.base, 'count({__name__=~".+:.+"})');
  const costs = groups
    .map((g) => {
      const times = evaluations.get(`${g.file}:${g.name}`) ?? [];
      const mean = times.reduce((sum, t) => sum + t, 0) / Math.max(times.length, 1);
      return { name: g.name, interval: g.interval, mean, perMinute: (mean * 60) / g.interval };
    })
    .sort((a, b) => b.perMinute - a.perMinute);
  return [
    `${stack}: ${groups.length} groups, ${rules.filter((r) => r.type === "recording").length} recording and ` +
      `${rules.filter((r) => r.type === "alerting").length} alerting rules; ${recorded} recorded series; ` +
      `rule evaluation ${perMinute(first.evaluation, last.evaluation)} s per minute, Prometheus CPU ` +
      `${perMinute(first.cpu, last.cpu)} s per minute`,
    `${stack} each group, the most costly first (mean evaluation every interval; ms per minute): ${costs
      .map(
        (g) =>
          `${g.name} ${(g.mean * 1000).toFixed(1)} ms every ${g.interval} s (${(g.perMinute * 1000).toFixed(1)})`,
      )
      .join(", ")}`,
  ];
}

runBench(
  {
    script: "bench:rules",
    record: RECORD,
    title: "What the rules cost each stack's Prometheus at its rated load",
    tools: {
      PROMETHEUS_DIR: "prometheus",
      ALERTMANAGER_DIR: "alertmanager",
    },
  },
  async ({ servers, dir, print }) => {
    const before = previousRecord(RECORD);
    const runs: { label: string; load: StackName; objects: () => Promise<readonly KubeObject[]> }[] = [
      { label: "kind", load: "kind", objects: async () => (await renderStack("kind")).objects },
      { label: "prod", load: "prod", objects: async () => (await renderStack("prod")).objects },
      { label: CALENDAR_LABEL, load: "prod", objects: prodOverCalendarMonths },
    ];
    for (const run of runs) {
      const lines = await atRatedLoad(servers, await run.objects(), dir, run.load, (prometheus) =>
        ruleCost(run.label, prometheus),
      );
      lines.forEach(print);
      const earlier = before?.text.split("\n").find((l) => l.startsWith(`${run.label}: `));
      print(
        `${run.label} before (${before?.written ?? "no record"}): ${earlier?.slice(run.label.length + 2) ?? "none"}`,
      );
    }
  },
);
