// `npm run bench:rules [-- --record]`: what the rendered rules cost each stack's Prometheus at the
// load the stack is rated for (scripts/benchLoad/load.ts): rule groups and rules, the series the
// recording rules write, and over two minutes of evaluations the seconds spent evaluating rules and
// the CPU Prometheus used, per minute; the slowest groups by their last evaluation. `--record`
// writes docs/measured/rule-cost.md, each stack's figures beside the ones the record held before.
import { renderStack } from "../render/renderStack";
import { getJson } from "../testkit/http";
import { Json } from "../testkit/json";
import { previousRecord } from "../testkit/measured";
import { Running } from "../testkit/processes";
import { sleep } from "../testkit/sleep";
import { StackName } from "./benchLoad/load";
import { instant, metricTotal } from "./benchLoad/telemetry";
import { atRatedLoad } from "./benchRange/ratedLoad";
import { runBench } from "./benchRange/runBench";

const RECORD = "rule-cost";
const WINDOW_S = 120;

interface Group {
  readonly name: string;
  readonly interval: number;
  readonly evaluationTime: number;
  readonly rules: readonly { readonly type: "recording" | "alerting" }[];
}

/** The stack's rule figures, as one line of the record, and its slowest groups. */
async function ruleCost(stack: StackName, prometheus: Running): Promise<string[]> {
  const metrics = `${prometheus.base}/metrics`;
  const counters = async () => ({
    evaluation: await metricTotal(metrics, "prometheus_rule_group_duration_seconds_sum"),
    cpu: await metricTotal(metrics, "process_cpu_seconds"),
  });
  const first = await counters();
  await sleep(WINDOW_S * 1000);
  const last = await counters();
  const perMinute = (from: number, to: number) => (((to - from) / WINDOW_S) * 60).toFixed(2);
  const groups = ((await getJson(`${prometheus.base}/api/v1/rules`)).data as Json).groups as Group[];
  const rules = groups.flatMap((g) => g.rules);
  const recorded = await instant(prometheus.base, 'count({__name__=~".+:.+"})');
  const slowest = [...groups].sort((a, b) => b.evaluationTime - a.evaluationTime).slice(0, 5);
  return [
    `${stack}: ${groups.length} groups, ${rules.filter((r) => r.type === "recording").length} recording and ` +
      `${rules.filter((r) => r.type === "alerting").length} alerting rules; ${recorded} recorded series; ` +
      `rule evaluation ${perMinute(first.evaluation, last.evaluation)} s per minute, Prometheus CPU ` +
      `${perMinute(first.cpu, last.cpu)} s per minute`,
    `${stack} slowest groups (last evaluation): ${slowest
      .map((g) => `${g.name} ${(g.evaluationTime * 1000).toFixed(1)} ms every ${g.interval} s`)
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
    for (const stack of ["kind", "prod"] as const) {
      const objects = (await renderStack(stack)).objects;
      const lines = await atRatedLoad(servers, objects, dir, stack, (prometheus) =>
        ruleCost(stack, prometheus),
      );
      lines.forEach(print);
      const earlier = before?.text.split("\n").find((l) => l.startsWith(`${stack}: `));
      print(
        `${stack} before (${before?.written ?? "no record"}): ${earlier?.slice(stack.length + 2) ?? "none"}`,
      );
    }
  },
);
