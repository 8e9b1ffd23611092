// `promtool test rules` files for the SLO engine, generated for every indicator kind: input series
// that burn an SLO's error budget at a chosen rate, and the alerts that must (or must not) fire.
import { StackConfig } from "../../../config";
import { SLO_SERIES } from "../../../components/common/sloSeries";

type Slo = StackConfig["metrics"]["slos"][number];

/** One SLO of each indicator kind (and both ratio forms), with the budget its series are built for. */
export const SLOS_OF_EVERY_KIND: readonly Slo[] = [
  {
    name: "payment-failures",
    service: "payment-service",
    objective: 0.99,
    window: "28d",
    indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
  },
  {
    name: "seat-locks",
    service: "ticket-service",
    objective: 0.99,
    window: "30d",
    indicator: { kind: "ratio", good: 'seat_locks_total{result="acquired"}', total: "seat_locks_total" },
  },
  {
    name: "queue-wait",
    service: "queue-service",
    objective: 0.99,
    window: "28d",
    indicator: {
      kind: "latency",
      histogram: 'queue_wait_seconds{queue="checkout"}',
      threshold: 30,
      buckets: [1, 5, 30, 60],
    },
  },
  // Shares of evaluation intervals move in steps of one interval: a budget of 0.05 lets the 5-minute
  // window (5 intervals) tell the page's burn rates apart.
  {
    name: "queue-wait-p95",
    service: "queue-service",
    objective: 0.95,
    window: "28d",
    indicator: { kind: "threshold", expr: 'max(queue_wait_seconds{quantile="0.95"})', below: 30 },
  },
];

/** A stretch of time in which a share of the events (or of the intervals) is bad. */
interface Phase {
  readonly minutes: number;
  readonly badShare: number;
}

/** How many of the first `n` steps are bad when `share` of them are, spread as evenly as possible. */
const badSoFar = (n: number, share: number) => Math.floor(n * share + 1e-9);

/** Counters of all and of bad events, 100 events per step, as promtool's per-step values. */
function counters(phases: readonly Phase[], stepMinutes: number): { all: string; bad: string } {
  const all: number[] = [0];
  const bad: number[] = [0];
  for (const { minutes, badShare } of phases) {
    for (let i = 0; i < minutes / stepMinutes; i++) {
      all.push(all[all.length - 1] + 100);
      bad.push(bad[bad.length - 1] + 100 * badShare);
    }
  }
  return { all: all.join(" "), bad: bad.map((v) => +v.toFixed(6)).join(" ") };
}

/** A gauge that breaks `bound` (as `bad`) in the phase's share of steps, and keeps it (`good`) otherwise. */
function gauge(phases: readonly Phase[], stepMinutes: number, good: number, bad: number): string {
  // No sample at 0: the SLI then counts exactly the steps of the phases.
  const values: (number | string)[] = ["_"];
  for (const { minutes, badShare } of phases) {
    const steps = minutes / stepMinutes;
    for (let i = 0; i < steps; i++) {
      values.push(badSoFar(i + 1, badShare) > badSoFar(i, badShare) ? bad : good);
    }
  }
  return values.join(" ");
}

/** The input series of `slo` over `phases`, one value every `stepMinutes`. */
export function seriesBurning(
  slo: Slo,
  phases: readonly Phase[],
  stepMinutes: number,
): Record<string, string> {
  const { all, bad } = counters(phases, stepMinutes);
  const good = counters(
    phases.map((p) => ({ ...p, badShare: 1 - p.badShare })),
    stepMinutes,
  ).bad;
  switch (slo.name) {
    case "payment-failures":
      // total selects both series: the failed and the others.
      return {
        'payments_total{outcome="failed"}': bad,
        'payments_total{outcome="succeeded"}': good,
      };
    case "seat-locks":
      return {
        'seat_locks_total{result="acquired"}': good,
        'seat_locks_total{result="conflict"}': bad,
      };
    case "queue-wait":
      // As Prometheus stores a scraped bucket bound: 30 becomes "30.0".
      return {
        'queue_wait_seconds_bucket{queue="checkout",le="5.0"}': good,
        'queue_wait_seconds_bucket{queue="checkout",le="30.0"}': good,
        'queue_wait_seconds_bucket{queue="checkout",le="60.0"}': all,
        'queue_wait_seconds_bucket{queue="checkout",le="+Inf"}': all,
      };
    case "queue-wait-p95":
      return { 'queue_wait_seconds{quantile="0.95"}': gauge(phases, stepMinutes, 12, 45) };
    default:
      throw new Error(`no series for ${slo.name}`);
  }
}

/** One burn-rate case: the phases, when to look, and whether the alert fires. */
interface BurnCase {
  readonly title: string;
  readonly alert: "SLOBurnFast" | "SLOBurnSlow";
  readonly phases: readonly Phase[];
  readonly fires: boolean;
}

const healthy = (minutes: number): Phase => ({ minutes, badShare: 0 });

/**
 * Each burn-rate pair of the SRE workbook, just above and just below its factor: a factor above
 * (below) `f` burns `f` times the budget. The page's pairs: 14.4x over 1h and 5m after six healthy
 * hours (so that the 6-hour pair stays below 6x), and 6x over 6h and 30m. The ticket's: 3x over 1d and
 * 2h after two healthy days (so that the 3-day window stays below 1x), and 1x over 3d and 6h. No input
 * fires the ticket's 3x pair alone: a 3-day window holds its 1-day one and a 6-hour its 2-hour one, so
 * above 3x over 1d and 2h is always above 1x over 3d and 6h; its cases show the ticket at those rates.
 */
export function burnCases(budget: number): BurnCase[] {
  const at = (factor: number) => factor * budget;
  const pair = (
    alert: BurnCase["alert"],
    pairName: string,
    prefix: readonly Phase[],
    minutes: number,
    above: number,
    below: number,
  ): BurnCase[] => [
    {
      title: `${alert} fires at ${above}x (${pairName})`,
      alert,
      phases: [...prefix, { minutes, badShare: at(above) }],
      fires: true,
    },
    {
      title: `${alert} stays silent at ${below}x (${pairName})`,
      alert,
      phases: [...prefix, { minutes, badShare: at(below) }],
      fires: false,
    },
  ];
  return [
    ...pair("SLOBurnFast", "14.4x over 1h and 5m", [healthy(360)], 65, 16, 12),
    ...pair("SLOBurnFast", "6x over 6h and 30m", [], 365, 7, 5),
    ...pair("SLOBurnSlow", "3x over 1d and 2h", [healthy(2 * 1440)], 1440, 3.5, 2.5),
    ...pair("SLOBurnSlow", "1x over 3d and 6h", [], 3 * 1440, 1.2, 0.8),
  ];
}

const totalMinutes = (phases: readonly Phase[]) => phases.reduce((sum, p) => sum + p.minutes, 0);

/**
 * The promtool test file of `slo`'s burn-rate cases whose step is `stepMinutes`: one minute for the
 * page (its 5-minute window needs several samples), ten for the ticket (whose shortest window is
 * 2 hours; three days at one minute would make the run long).
 */
export function burnRateTestFile(slo: Slo, ruleFile: string, stepMinutes: 1 | 10): object {
  const budget = +(1 - slo.objective).toFixed(10);
  const cases = burnCases(budget).filter((c) => (c.alert === "SLOBurnFast") === (stepMinutes === 1));
  return {
    rule_files: [ruleFile],
    evaluation_interval: `${stepMinutes}m`,
    tests: cases.map((c) => ({
      name: `${slo.name} (${slo.indicator.kind}): ${c.title}`,
      interval: `${stepMinutes}m`,
      input_series: Object.entries(seriesBurning(slo, c.phases, stepMinutes)).map(([series, values]) => ({
        series,
        values,
      })),
      alert_rule_test: [
        {
          eval_time: `${totalMinutes(c.phases)}m`,
          alertname: c.alert,
          exp_alerts: c.fires
            ? [
                {
                  exp_labels: {
                    slo: slo.name,
                    service: slo.service,
                    severity: c.alert === "SLOBurnFast" ? "critical" : "warning",
                  },
                },
              ]
            : [],
        },
      ],
    })),
  };
}

/**
 * 200 minutes at a steady share of bad events (or intervals), and the SLI over the compliance window and
 * the remaining budget worked out by hand: remaining = 1 - bad share / (1 - objective).
 */
export const BUDGET_CASES: readonly {
  readonly slo: string;
  readonly badShare: number;
  readonly errorRatio: number;
  readonly remaining: number;
}[] = [
  // No payment failed yet, so the failed counter is not exported: nothing spent.
  { slo: "payment-failures", badShare: 0, errorRatio: 0, remaining: 1 },
  // 0.4 % failed of a 1 % budget: 40 % spent.
  { slo: "payment-failures", badShare: 0.004, errorRatio: 0.004, remaining: 0.6 },
  // 0.25 % conflicts of a 1 % budget: a quarter spent.
  { slo: "seat-locks", badShare: 0.0025, errorRatio: 0.0025, remaining: 0.75 },
  // 2 % above 30 s of a 1 % budget: spent twice over.
  { slo: "queue-wait", badShare: 0.02, errorRatio: 0.02, remaining: -1 },
  // Sampled at each hourly evaluation (60, 120, 180 and 240 minutes), above 30 s at 120 and 240:
  // half the samples, ten times the 5 % budget.
  { slo: "queue-wait-p95", badShare: 1 / 120, errorRatio: 0.5, remaining: -9 },
];

/** To four decimal places: a rate's arithmetic leaves noise in the 14th (0.0025000000000000577). */
const rounded = (series: string) => `round(${series}, 0.0001)`;

/**
 * The promtool test file of the budget cases, evaluated every hour. `groups`, in the order the rule
 * file has them: promtool would otherwise evaluate groups due at one instant in any order, and the
 * budget could read the threshold's samples of the minute before.
 */
export function budgetTestFile(ruleFile: string, groups: readonly string[]): object {
  // Four whole hours, every rule evaluated hourly: the compliance window sums hourly chunks, and
  // promtool evaluates every group at the file's one interval, not at the group's own.
  const minutes = 240;
  return {
    rule_files: [ruleFile],
    evaluation_interval: "1h",
    group_eval_order: groups,
    tests: BUDGET_CASES.map((c) => {
      const slo = SLOS_OF_EVERY_KIND.find((s) => s.name === c.slo)!;
      const labels = `{service="${slo.service}", slo="${slo.name}"}`;
      return {
        name: `${slo.name} (${slo.indicator.kind}): remaining budget ${c.remaining}`,
        interval: "1m",
        // A counter that never counted is not exported (Micrometer registers a tagged counter at
        // its first increment).
        input_series: Object.entries(seriesBurning(slo, [{ minutes, badShare: c.badShare }], 1))
          .filter(([, values]) => !/^0( 0)*$/.test(values))
          .map(([series, values]) => ({ series, values })),
        promql_expr_test: [
          {
            expr: rounded(SLO_SERIES.errorRatio(slo.window as string)),
            eval_time: `${minutes}m`,
            exp_samples: [{ labels, value: c.errorRatio }],
          },
          {
            expr: rounded("slo:error_budget_remaining:ratio"),
            eval_time: `${minutes}m`,
            exp_samples: [{ labels, value: c.remaining }],
          },
        ],
      };
    }),
  };
}

/**
 * SLOIndicatorMissing of every SLO: it fires after 30 minutes in which the indicator selects no series
 * (here a misspelt metric), and stays silent while the service publishes it.
 */
export function indicatorMissingTestFile(ruleFile: string): object {
  const minutes = 40;
  return {
    rule_files: [ruleFile],
    evaluation_interval: "1m",
    tests: SLOS_OF_EVERY_KIND.flatMap((slo) => {
      const seriesOf = (s: Slo) => seriesBurning(s, [{ minutes, badShare: 0.5 }], 1);
      const others = Object.assign({}, ...SLOS_OF_EVERY_KIND.filter((s) => s !== slo).map(seriesOf));
      const misspelt = Object.fromEntries(
        Object.entries(seriesOf(slo)).map(([name, values]) => [name.replace(/^([a-z]+)_/, "$1s_"), values]),
      );
      return [
        [{ ...others, ...misspelt }, true],
        [{ ...others, ...seriesOf(slo) }, false],
      ].map(([input, fires]) => ({
        name: `${slo.name} (${slo.indicator.kind}): SLOIndicatorMissing ${fires ? "fires" : "stays silent"}`,
        interval: "1m",
        input_series: Object.entries(input as Record<string, string>).map(([s, values]) => ({
          series: s,
          values,
        })),
        alert_rule_test: [
          {
            eval_time: `${minutes}m`,
            alertname: "SLOIndicatorMissing",
            exp_alerts: fires
              ? [{ exp_labels: { slo: slo.name, service: slo.service, severity: "warning" } }]
              : [],
          },
        ],
      }));
    }),
  };
}
