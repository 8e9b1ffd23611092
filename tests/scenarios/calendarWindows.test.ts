// Calendar-aligned compliance windows under the real promtool: the rendered rules of SLOs counted
// over a calendar week, month or quarter in a time zone, evaluated at every step of the period's
// sums (an hour; half an hour in Asia/Kolkata) over counters and gauges written every five
// minutes, against values computed by hand here: where each period
// starts and ends in UTC (months of 28, 30 and 31 days, a daylight-saving change inside the
// period, a quarter, a week in a zone half an hour off the hour), and the error ratio from the
// period's start, which starts again at the next. The promtool of the deployed Prometheus (3.5)
// starts every test at the Unix epoch and has no start_timestamp, so each test moves the rules'
// one clock, time(), to the day it starts: `time()` becomes `(time() + <its start>)`.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { StackConfig } from "../../config";
import { parseStackConfig } from "../../config/load";
import { periodStep } from "../../components/metrics/calendarPeriods";
import { CALENDAR_SERIES, SLO_SERIES, calendarKey, calendarSeries } from "../../components/common/sloSeries";
import { configuredSloRules } from "../../components/metrics/configuredSlos";
import { RuleGroup } from "../../components/common/prometheusTypes";
import { tools } from "../kit/tools";

const run = promisify(execFile);
type Slo = StackConfig["metrics"]["slos"][number];
type CalendarWindow = Exclude<Slo["window"], string>;

const payments = { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" };
const calendarSlo = (name: string, window: CalendarWindow, indicator: object = payments) => ({
  name,
  service: "payment-service",
  objective: 0.99,
  window,
  indicator,
});

const BERLIN_MONTH: CalendarWindow = { calendar: "month", timeZone: "Europe/Berlin" };
const NEW_YORK_QUARTER: CalendarWindow = { calendar: "quarter", timeZone: "America/New_York" };
const KOLKATA_WEEK: CalendarWindow = { calendar: "week", timeZone: "Asia/Kolkata" };
const UTC_MONTH: CalendarWindow = { calendar: "month", timeZone: "UTC" };
/** Quarters from the 15th of February, May, August and November. */
const NEW_YORK_MID_QUARTER: CalendarWindow = {
  calendar: "quarter",
  timeZone: "America/New_York",
  startTime: "2026-02-15 00:00:00",
};
/** OpenSLO's own example: weeks from Saturday noon in New York. */
const NEW_YORK_SATURDAYS: CalendarWindow = {
  calendar: "week",
  timeZone: "America/New_York",
  startTime: "2022-01-01 12:00:00",
};

const SLOS = parseStackConfig(
  {
    metrics: {
      retentionTime: "93d",
      slos: [
        calendarSlo("berlin-month", BERLIN_MONTH),
        calendarSlo("new-york-quarter", NEW_YORK_QUARTER),
        calendarSlo("kolkata-week", KOLKATA_WEEK),
        calendarSlo("new-york-saturdays", NEW_YORK_SATURDAYS),
        calendarSlo("new-york-mid-quarter", NEW_YORK_MID_QUARTER),
        calendarSlo("queue-p95-month", UTC_MONTH, {
          kind: "threshold",
          expr: 'max(queue_wait_seconds{quantile="0.95"})',
          below: 30,
        }),
      ],
    },
  },
  new Set(),
).metrics.slos;

const GROUPS = configuredSloRules(SLOS, "https://runbooks.example.com");

/** The rendered expression of the error ratio from the period's start, of one SLO. */
function periodRatio(slo: string): string {
  const group = GROUPS.find((g) => g.name === `slo/${slo}/budget`) as RuleGroup;
  const rule = group.rules.find((r) => "record" in r && r.record === SLO_SERIES.periodErrorRatio);
  return (rule as { expr: string }).expr;
}

/** The expression with its clock moved to `start` (Unix seconds), where promtool's time 0 is. */
const atStart = (expr: string, start: number) => expr.replaceAll("time()", `(time() + ${start})`);

/**
 * The rules a case evaluates at every step, of its SLOs: their calendar periods, what they sample
 * and the chunks their periods sum. The period ratios are evaluated as `promql_expr_test`s at their
 * time only: evaluated at every step they would make each case take minutes.
 */
const evaluated = (start: number, slos: readonly string[]): RuleGroup[] => {
  const windows = SLOS.filter((s) => slos.includes(s.name)).map((s) => s.window as CalendarWindow);
  const wanted = new Set([
    ...windows.map((w) => `slo/calendar/${calendarKey(w)}`),
    ...slos.flatMap((slo) => [`slo/${slo}`, `slo/${slo}/budget`]),
  ]);
  return GROUPS.filter((g) => wanted.has(g.name))
    .map((g) => ({
      ...g,
      rules: g.rules
        .filter(
          (r) =>
            "record" in r &&
            (r.record.startsWith("slo:calendar_") ||
              r.record === SLO_SERIES.errorSample ||
              r.record.endsWith(":period_chunk")),
        )
        .map((r) => ({ ...r, expr: atStart(r.expr, start) })),
    }))
    .filter((g) => g.rules.length > 0);
};

/** Unix seconds of a UTC time. */
const utc = (year: number, month: number, day: number, hour = 0, minute = 0) =>
  Date.UTC(year, month - 1, day, hour, minute) / 1000;

const MINUTE = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;
/** The input series' interval. */
const SAMPLE = 5 * MINUTE;

/**
 * A counter written every five minutes from 0, each segment rising `perMinute` for its `seconds`
 * (a whole number of samples).
 */
function counter(segments: readonly (readonly [seconds: number, perMinute: number])[]): string {
  let value = 0;
  return segments
    .map(([seconds, perMinute], i) => {
      const samples = seconds / SAMPLE;
      const step = (perMinute * SAMPLE) / MINUTE;
      const text = `${i === 0 ? 0 : value + step}+${step}x${i === 0 ? samples : samples - 1}`;
      value += samples * step;
      return text;
    })
    .join(" ");
}

/** A gauge written every five minutes: each segment's value for its seconds. */
const gauge = (segments: readonly (readonly [seconds: number, value: number])[]): string =>
  segments.map(([seconds, value]) => `${value}x${seconds / SAMPLE - 1}`).join(" ");

interface Expectation {
  readonly expr: string;
  /** Unix seconds. */
  readonly at: number;
  readonly labels: string;
  readonly value: number;
}

interface Case {
  readonly name: string;
  /** The SLOs whose rules the case evaluates. */
  readonly slos: readonly string[];
  /** Unix seconds: promtool's time 0, where the input series begin. */
  readonly start: number;
  /** How often promtool evaluates the rules: the step of the periods' sums. */
  readonly every: CalendarWindow;
  readonly series: Readonly<Record<string, string>>;
  readonly expect: readonly Expectation[];
}

const sloLabels = (slo: string) => `{service="payment-service", slo="${slo}"}`;

/** The period's start and end as recorded at `at` (Unix seconds). */
const periodAt = (w: CalendarWindow, at: number, expected: { start: number; end: number }): Expectation[] =>
  (["start", "end"] as const).map((edge) => ({
    expr: calendarSeries(CALENDAR_SERIES[edge], w),
    at,
    labels: `{__name__="${CALENDAR_SERIES[edge]}", calendar="${w.calendar}"${w.startTime === undefined ? "" : `, calendar_start="${w.startTime}"`}, time_zone="${w.timeZone}"}`,
    value: expected[edge],
  }));

/** The error ratio of the SLO from its period's start, at `at`. */
const ratioAt = (slo: string, at: number, value: number): Expectation => ({
  expr: periodRatio(slo),
  at,
  labels: sloLabels(slo),
  value,
});

/** Runs one case under promtool; its output. */
async function promtool(c: Case): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calendar-windows-"));
  try {
    const groups = evaluated(c.start, c.slos);
    fs.writeFileSync(path.join(dir, "rules.yaml"), yaml.dump({ groups }, { lineWidth: -1 }));
    const tests = {
      rule_files: ["rules.yaml"],
      evaluation_interval: periodStep(c.every).text,
      // promtool evaluates groups in no set order unless told. Evaluated as seldom as the period's
      // step, a chunk holds one sample of what it averages, which must be recorded before it.
      group_eval_order: groups.map((g) => g.name),
      fuzzy_compare: true,
      tests: [
        {
          name: c.name,
          interval: `${SAMPLE / MINUTE}m`,
          input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
          promql_expr_test: c.expect.map((e) => ({
            expr: atStart(e.expr, c.start),
            eval_time: `${e.at - c.start}s`,
            exp_samples: [{ labels: e.labels, value: e.value }],
          })),
        },
      ],
    };
    fs.writeFileSync(path.join(dir, "tests.yaml"), yaml.dump(tests, { lineWidth: -1 }));
    const { stdout, stderr } = await run(tools.promtool(), ["test", "rules", "tests.yaml"], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string }) => error);
    return stdout + stderr;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Every case starts more than its longest period before the first time it checks a ratio at: the
// rules' look-back then never reaches before promtool's time 0.
describe("calendar windows under promtool", () => {
  test("a Berlin month: February's 28 days, March's 31 with the clocks going forward (743 hours), April's 30; the ratio starts again with each month", async () => {
    // Berlin's months start at 23:00 UTC (winter) or 22:00 UTC (summer, from 29 March 01:00 UTC).
    const feb = utc(2026, 1, 31, 23);
    const mar = utc(2026, 2, 28, 23);
    const apr = utc(2026, 3, 31, 22);
    const may = utc(2026, 4, 30, 22);
    expect((apr - mar) / HOUR).toBe(743);
    const start = feb - 32 * DAY;
    // 100 events a minute; in the first hour of each month 10 of them fail, and none after.
    const months = [
      [feb, mar],
      [mar, apr],
      [apr, may],
    ] as const;
    const failed: [number, number][] = [[feb - start, 0]];
    const ok: [number, number][] = [[feb - start, 100]];
    for (const [from, to] of months) {
      failed.push([HOUR, 10], [to - from - HOUR, 0]);
      ok.push([HOUR, 90], [to - from - HOUR, 100]);
    }
    const output = await promtool({
      name: "Berlin months",
      slos: ["berlin-month"],
      start,
      every: BERLIN_MONTH,
      series: {
        'payments_total{outcome="failed"}': counter(failed),
        'payments_total{outcome="ok"}': counter(ok),
      },
      expect: [
        // An hour before each month's end: its 600 failed of 100 a minute since it started.
        ...months.map(([from, to]) =>
          ratioAt("berlin-month", to - HOUR, 600 / (100 * ((to - from - HOUR) / MINUTE))),
        ),
        // Three hours into April: the 600 failed of its first hour, of 18,000.
        ratioAt("berlin-month", apr + 3 * HOUR, 600 / 18000),
        ...periodAt(BERLIN_MONTH, mar - HOUR, { start: feb, end: mar }),
        ...periodAt(BERLIN_MONTH, mar, { start: mar, end: apr }),
        ...periodAt(BERLIN_MONTH, mar + 10 * DAY, { start: mar, end: apr }),
        ...periodAt(BERLIN_MONTH, apr + HOUR, { start: apr, end: may }),
        ...periodAt(BERLIN_MONTH, may - HOUR, { start: apr, end: may }),
      ],
    });
    expect(output).toMatch(/SUCCESS/);
  }, 600000);

  test("New York quarters: Q1 starts on EST and ends on EDT; a bad hour at the end of Q1 is gone from Q2; quarters from the 15th of February", async () => {
    const q1 = utc(2026, 1, 1, 5);
    const q2 = utc(2026, 4, 1, 4);
    const q3 = utc(2026, 7, 1, 4);
    const start = q1 - 3 * DAY;
    const output = await promtool({
      name: "New York quarters",
      slos: ["new-york-quarter", "new-york-mid-quarter"],
      start,
      every: NEW_YORK_QUARTER,
      series: {
        // The second-last hour of Q1: 10 of 100 a minute fail; then none for four days.
        'payments_total{outcome="failed"}': counter([
          [q2 - 2 * HOUR - start, 0],
          [HOUR, 10],
          [HOUR + 4 * DAY, 0],
        ]),
        'payments_total{outcome="ok"}': counter([
          [q2 - 2 * HOUR - start, 100],
          [HOUR, 90],
          [HOUR + 4 * DAY, 100],
        ]),
      },
      expect: [
        // An hour before Q1's end: 600 failed of 100 a minute since it started.
        ratioAt("new-york-quarter", q2 - HOUR, 600 / (100 * ((q2 - HOUR - q1) / MINUTE))),
        ratioAt("new-york-quarter", q2 + 3 * DAY, 0),
        ...periodAt(NEW_YORK_QUARTER, q2 - HOUR, { start: q1, end: q2 }),
        ...periodAt(NEW_YORK_QUARTER, q2 + DAY, { start: q2, end: q3 }),
        // From 15 February 00:00 EST to 15 May 00:00 EDT.
        ...periodAt(NEW_YORK_MID_QUARTER, q2, { start: utc(2026, 2, 15, 5), end: utc(2026, 5, 15, 4) }),
      ],
    });
    expect(output).toMatch(/SUCCESS/);
  }, 600000);

  test("weeks: Kolkata's from Monday 00:00 IST, 18:30 UTC the day before; New York's from Saturday noon (OpenSLO's example), one of them 169 hours long as the clocks go back", async () => {
    // Thursday 26 November 2026: the week from Monday 23 November 00:00 IST.
    const monday = utc(2026, 11, 22, 18, 30);
    // Saturday noon in New York: 16:00 UTC on EDT, 17:00 UTC on EST (from 1 November 06:00 UTC).
    const saturdayEdt = utc(2026, 10, 31, 16);
    const saturdayEst = utc(2026, 11, 7, 17);
    expect((saturdayEst - saturdayEdt) / HOUR).toBe(169);
    const start = saturdayEdt - 8 * DAY;
    const output = await promtool({
      name: "weeks",
      slos: ["kolkata-week", "new-york-saturdays"],
      start,
      every: KOLKATA_WEEK,
      series: {},
      expect: [
        ...periodAt(KOLKATA_WEEK, utc(2026, 11, 26, 12), { start: monday, end: monday + 7 * DAY }),
        ...periodAt(KOLKATA_WEEK, monday - 30 * MINUTE, { start: monday - 7 * DAY, end: monday }),
        ...periodAt(NEW_YORK_SATURDAYS, saturdayEdt + HOUR, { start: saturdayEdt, end: saturdayEst }),
        ...periodAt(NEW_YORK_SATURDAYS, saturdayEdt - HOUR, {
          start: saturdayEdt - 7 * DAY,
          end: saturdayEdt,
        }),
        ...periodAt(NEW_YORK_SATURDAYS, utc(2026, 11, 26, 12), {
          start: saturdayEst + 14 * DAY,
          end: saturdayEst + 21 * DAY,
        }),
      ],
    });
    expect(output).toMatch(/SUCCESS/);
  }, 600000);

  test("a threshold SLO's UTC month is the share of its hourly evaluations that broke the bound", async () => {
    const november = utc(2026, 11, 1);
    const start = november - 32 * DAY;
    const output = await promtool({
      name: "a UTC month of evaluations",
      slos: ["queue-p95-month"],
      start,
      every: UTC_MONTH,
      series: {
        // Above its bound of 30 s from 00:05 to 06:00 on 1 November, below it before and after.
        'queue_wait_seconds{quantile="0.95"}': gauge([
          [november - start + SAMPLE, 5],
          [6 * HOUR, 45],
          [3 * DAY, 5],
        ]),
      },
      expect: [
        // Two days in: 6 of its 48 hourly evaluations broke the bound.
        ratioAt("queue-p95-month", november + 2 * DAY, 6 / 48),
        ...periodAt(UTC_MONTH, november + 2 * DAY, { start: november, end: utc(2026, 12, 1) }),
      ],
    });
    expect(output).toMatch(/SUCCESS/);
  }, 600000);
});
