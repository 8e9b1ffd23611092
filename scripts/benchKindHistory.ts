// `npm run bench:kind-history [-- --days 7 --step-seconds 300 --record]`: every Prometheus query of
// the kind render's dashboards over the kind stack's retention (7 days) of its rated load, answered
// by the rendered Prometheus alone, as kind has no object storage.
//
// 1. The rated load's series (scripts/benchLoad/targets.ts: one pod of each reference service, one
//    node, kube-state-metrics) scraped through the rendered jobs by the rendered Prometheus with its
//    rules, read back once the rules have run.
// 2. --days of them in the 6-hour blocks Prometheus compacts to under a 7-day retention, written by
//    promtool into a new Prometheus' data directory, a sample every --step-seconds (every rate
//    window Grafana asks over 7 days holds two).
// 3. The rendered Prometheus on that directory, and each dashboard query over 7 and 2 days at the
//    step Grafana asks for a full-width panel, beside the slowest answers of the last record.
import * as path from "path";
import { renderStack } from "../render/renderStack";
import { startPrometheus } from "../tests/kit/localServers";
import { previousRecord } from "../tests/kit/measured";
import { writeHistoryBlocks } from "../tests/kit/metricHistory";
import { slowestRecorded, timeRanges } from "./benchRange/dashboardQueries";
import { atRatedLoad, families, heldSeries } from "./benchRange/ratedLoad";
import { option } from "./benchRange/options";
import { runBench } from "./benchRange/runBench";

const DAY_S = 86400;
const RECORD = "kind-history-queries";

runBench(
  {
    script: "bench:kind-history",
    record: RECORD,
    title: "The kind stack's dashboards over its 7-day retention, from its Prometheus",
    tools: {
      PROMETHEUS_DIR: "prometheus",
      ALERTMANAGER_DIR: "alertmanager",
    },
  },
  async ({ args, servers, dir, print }) => {
    const days = option(args, "--days", 7);
    const stepSeconds = option(args, "--step-seconds", 300);
    const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
    const objects = (await renderStack("kind")).objects;
    let started = Date.now();
    const series = await atRatedLoad(servers, objects, dir, "kind", heldSeries);
    print(
      `kind's rated load: ${series.length} series (its rules' among them), read in ${seconds(started)} s`,
    );

    started = Date.now();
    const end = Math.floor(Date.now() / 1000 / 7200) * 7200;
    const from = end - days * DAY_S;
    const directory = path.join(dir, "history-prometheus");
    const written = await writeHistoryBlocks(path.join(directory, "data"), {
      families: families(series, from, stepSeconds),
      from,
      to: end - stepSeconds,
      stepSeconds,
      blockHours: 6,
    });
    print(
      `history: ${days} days, a sample every ${stepSeconds} s, ${written.blocks} 6-hour blocks ` +
        `(${written.samples} samples), written by promtool in ${seconds(started)} s`,
    );
    const prometheus = await startPrometheus(servers, objects, dir, { directory });
    const times = await timeRanges(
      objects,
      prometheus.base,
      [
        ["7d", 7 * DAY_S],
        ["2d", 2 * DAY_S],
      ],
      end - stepSeconds,
      slowestRecorded(previousRecord(RECORD)),
      10,
    );
    times.table.forEach(print);
    print("the slowest answers:");
    times.slowest.forEach(print);
  },
);
