// `npm run review -- --history`: the backtest of a change's alerts and SLO budgets, against the real
// Prometheus serving three weeks of history that promtool wrote, holding incidents whose effect on
// each rule is computed by hand (tests/kit/backtestCases.ts). The kind stack, edited the five ways a
// team changes what pages it: a threshold, a `for`, an alert switched off, a new team rule and an
// SLO objective raised. tests/servers/thanosRuler.test.ts runs the same over Thanos Query.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiConfig } from "../../config";
import { kubeObjects } from "../../render/manifest";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { configSide } from "../../review/configEdit";
import { StackHistory, backtest } from "../../review/history/backtest";
import { HISTORY_DEFAULTS } from "../../review/history/queryHistory";
import { historyLines } from "../../review/history/historyFormat";
import { snapshotOf } from "../../review/snapshot";
import { alertNamed, backtestFamilies, expectedEpisodes, told, withAlertEdits } from "../kit/backtestCases";
import { startPrometheus } from "../kit/localServers";
import { HistoryFamily, writeHistoryBlocks } from "../kit/metricHistory";
import { Servers } from "../kit/processes";
import { configSetJson, configSetPath } from "../kit/userEdits";

const HOUR_S = 3600;
const DAY_S = 86400;
const DAYS = 14;
/** The history reaches a 7-day budget window before the period: every budget of the period is whole. */
const HISTORY_S = (DAYS + 8) * DAY_S;

/** Now, on an hour, a few minutes back: the end of the reviewed period and of the history. */
const END = Math.floor((Date.now() / 1000 - 300) / HOUR_S) * HOUR_S;

/** The payments SLO's incident: an hour at 30 % failed, against 0.2 % the rest of the time, 10 a second. */
const SLO_INCIDENT = END - 2 * DAY_S + 7 * HOUR_S;
const PAYMENTS_PER_S = 10;
const FAILED_SHARE = 0.002;
const INCIDENT_SHARE = 0.3;

/** Failed payments by `t`: the counter's value, exact at every minute. */
function failedBy(t: number): number {
  const incident = Math.min(Math.max(t - SLO_INCIDENT, 0), HOUR_S);
  return PAYMENTS_PER_S * ((t - (END - HISTORY_S) - incident) * FAILED_SHARE + incident * INCIDENT_SHARE);
}

const PAYMENTS: HistoryFamily = {
  name: "payments",
  type: "counter",
  series: [
    { service: "payments", outcome: "succeeded" },
    { service: "payments", outcome: "failed" },
  ],
  value: (i, t) => (i === 1 ? failedBy(t) : PAYMENTS_PER_S * (t - (END - HISTORY_S)) - failedBy(t)),
};

const PAYMENTS_SLO = {
  name: "payments-checkout",
  service: "payments",
  objective: 0.99,
  window: "7d",
  indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
};

/** The kind stack, evaluated every minute, with the payments SLO: what runs before the change. */
function baseConfig(): PulumiConfig {
  const { config } = readStackFile("kind", PROJECT_ROOT);
  const slos = (JSON.parse(config["observability:metrics"] ?? "{}") as { slos?: unknown[] }).slos ?? [];
  return configSetJson(configSetPath(config, "metrics.evaluationInterval", "1m"), "metrics.slos", [
    ...slos,
    PAYMENTS_SLO,
  ]);
}

/** The change: the four alert edits, and the payments SLO's objective raised to 0.995. */
function changedConfig(base: PulumiConfig): PulumiConfig {
  const config = withAlertEdits(base);
  const slos = (JSON.parse(config["observability:metrics"]) as { slos: { name: string }[] }).slos.map(
    (slo) => (slo.name === PAYMENTS_SLO.name ? { ...slo, objective: 0.995 } : slo),
  );
  return configSetJson(config, "metrics.slos", slos);
}

describe("the history section of the review, against the real Prometheus over 22 days of promtool-written history", () => {
  const servers = new Servers();
  const expected = expectedEpisodes(END);
  let history: StackHistory;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-history-"));
    const base = await configSide("kind", { config: baseConfig(), secretKeys: [] });
    const head = await configSide("kind", { config: changedConfig(baseConfig()), secretKeys: [] }, base);
    const serving = path.join(dir, "serving");
    await writeHistoryBlocks(path.join(serving, "data"), {
      families: [...backtestFamilies(END), PAYMENTS],
      from: END - HISTORY_S,
      to: END,
      stepSeconds: 60,
      blockHours: 54,
    });
    const prometheus = await startPrometheus(servers, kubeObjects(base.render.registrations), dir, {
      directory: serving,
      args: (args) =>
        args.map((a) => (a.startsWith("--storage.tsdb.retention.time=") ? `${a.split("=")[0]}=60d` : a)),
    });
    const started = Date.now();
    history = await backtest(
      snapshotOf("kind", base.render, {}),
      snapshotOf("kind", head.render, {}),
      {
        url: prometheus.base,
        headers: {},
        maxSeries: 100,
        maxSamples: 100_000_000,
        engine: HISTORY_DEFAULTS.engine,
      },
      { start: END - DAYS * DAY_S, end: END },
    );
    console.log(
      `backtest in ${((Date.now() - started) / 1000).toFixed(1)} s\n${historyLines(history, "text").join("\n")}`,
    );
  }, 600_000);

  afterAll(() => servers.stopAll());

  test.each([
    ["a threshold lowered: the half-hour at 0.85 fires too", "NodeFileDescriptorsNearLimit"],
    ["a for lengthened from 5 to 30 minutes: the 10-minute run no longer fires", "NodeConntrackNearlyFull"],
    ["an alert switched off: what it fired before, nothing after", "PendingPods"],
    ["a new team rule with keep_firing_for: one episode through a 4-minute dip", "QueueBacklogHigh"],
  ])("%s (%s), each episode as computed by hand", (_title, alert) => {
    const a = alertNamed(history, alert);
    expect({ before: told(a.before), after: told(a.after) }).toEqual(expected[alert]);
    expect(a.gaps).toEqual([]);
  });

  test("each episode goes where its side's routes send it", () => {
    const a = alertNamed(history, "NodeConntrackNearlyFull");
    for (const side of [a.before, a.after]) {
      if (side.kind !== "evaluated") throw new Error("not evaluated");
      expect([...side.receivers.values()].reduce((x, y) => x + y, 0)).toBe(side.episodes.length);
      expect([...side.receivers.keys()]).toEqual(["warning"]);
    }
  });

  test("the objective raised: the budget left at the end of the period under each, as computed by hand", () => {
    const budget = history.budgets.find((b) => b.budget.includes('slo="payments-checkout"'));
    expect(budget).toBeDefined();
    // Over the 7 days to the end: one hour at 30 % failed, 167 at 0.2 %.
    const ratio = (167 * FAILED_SHARE + INCIDENT_SHARE) / 168;
    for (const [side, objective] of [
      [budget!.before, 0.99],
      [budget!.after, 0.995],
    ] as const) {
      if (side.kind !== "evaluated" || side.last === undefined)
        throw new Error(`no budget: ${JSON.stringify(side)}`);
      expect(side.last.at).toBe(END);
      expect(side.last.value).toBeCloseTo(1 - ratio / (1 - objective), 3);
    }
    expect(history.objectives).toEqual([
      'slo:objective:ratio{slo="payments-checkout", service="payments"}: vector(0.99) → vector(0.995)',
    ]);
  });
});
