import { z } from "zod";
import { DAY_MS, durationMs } from "../durations";
import { calendarWindow, windowShortestMs, windowText } from "./calendarWindows";
import {
  Identity,
  alertName,
  dnsLabel,
  duration,
  fromCliText,
  labelName,
  named,
  reportDuplicates,
  strict,
} from "../fields";
import { selectorParts, selectorProblem } from "../promql/selector";
import { SAMPLE_WINDOW, SliQueryForm, sliQueryForm, sliQueryProblem } from "./sliQueries";

/** An SLO's objective: above 0.9 (looser is no objective) and below 1 (which leaves no error budget). */
export const sloObjective = fromCliText(
  z
    .number({ invalid_type_error: "must be a ratio above 0.9 and below 1, such as 0.995" })
    .gt(0.9, "must be a ratio above 0.9 and below 1, such as 0.995")
    .lt(1, "must be a ratio above 0.9 and below 1, such as 0.995"),
);

/** The shortest and longest compliance windows: more than the ticket's 3 days, at most 90 days of samples. */
export const COMPLIANCE_WINDOW_DAYS = { min: 7, max: 90 } as const;

/** Whole days or weeks (28d, 4w), from 7 days (more than the 3-day ticket window) to 90. */
export const complianceWindow = z
  .string()
  .regex(/^[0-9]+[dw]$/, "must be a number of days or weeks such as 28d, 30d or 4w")
  .refine(
    (w) => {
      const days = durationMs(w) / DAY_MS;
      return days >= COMPLIANCE_WINDOW_DAYS.min && days <= COMPLIANCE_WINDOW_DAYS.max;
    },
    { message: `must be between ${COMPLIANCE_WINDOW_DAYS.min}d and ${COMPLIANCE_WINDOW_DAYS.max}d` },
  );

/** A compliance window: rolling, or a calendar period in a time zone. */
export const sloWindow = z.union([complianceWindow, calendarWindow], {
  errorMap: (issue, ctx) =>
    issue.code === "invalid_union"
      ? {
          message:
            "must be a rolling window of days or weeks (28d, 4w) or a calendar period ({calendar: month, timeZone: Europe/Berlin})",
        }
      : { message: ctx.defaultError },
});

/** The longest time slice: the shortest burn-rate window (5m) must hold whole slices. */
export const MAX_SLICE_WINDOW = "5m";

const queryOf = (problemOf: (text: string) => string | undefined, what: string) =>
  z
    .string()
    .superRefine((text, ctx) => {
      const problem = problemOf(text);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe(what);

const selector = (what: string) => queryOf(selectorProblem, what);
const sliQuery = (what: string) => queryOf(sliQueryProblem, what);

const number = fromCliText(z.number({ invalid_type_error: "must be a number" }));

const SLI_QUERY_FORMS =
  "a counter's selector (the engine takes its rate over each window), a sum of one (sum by (route) (x_total)), a query with {{.window}} where its range goes (sum(rate(x_total[{{.window}}]))), or any other PromQL, whose value at each evaluation the engine records and sums over each window";

const ratioIndicator = strict({
  kind: z.literal("ratio"),
  errors: sliQuery(
    `Bad events, e.g. payments_total{outcome="failed"}; or give good. One of: ${SLI_QUERY_FORMS}.`,
  ).optional(),
  good: sliQuery("Good events; or give errors. Written as total is.").optional(),
  total: sliQuery("All events, e.g. payments_total; of the same form as errors or good."),
  counters: z
    .boolean()
    .optional()
    .describe(
      "false when the selectors are gauges (a count per evaluation, which the engine sums) rather than counters; default true.",
    ),
});

const latencyIndicator = strict({
  kind: z.literal("latency"),
  histogram: selector(
    'The histogram family without _bucket, with optional matchers, e.g. queue_wait_seconds{queue="checkout"}.',
  ),
  threshold: number.describe("Events at or below this value are good; one of buckets."),
  buckets: z
    .array(number)
    .min(1, "must list the histogram's bucket boundaries")
    .describe(
      "The bucket boundaries the application publishes for the histogram (e.g. Micrometer's serviceLevelObjectives); threshold must be one of them.",
    ),
});

/** A threshold indicator's bounds: the expression holds while below, at most, above or at least the value. */
export const THRESHOLD_BOUNDS = ["below", "atMost", "above", "atLeast"] as const;

const thresholdIndicator = strict({
  kind: z.literal("threshold"),
  expr: sliQuery(
    `A PromQL expression of a gauge or a rate, e.g. a quantile of queue waiting time; every series it returns must hold. A {{.window}} where a range goes reads the last ${SAMPLE_WINDOW} at each evaluation.`,
  ),
  below: number
    .optional()
    .describe("The expression holds while below this bound; or give one of atMost, above, atLeast."),
  atMost: number.optional().describe("The expression holds while at most this bound."),
  above: number.optional().describe("The expression holds while above this bound."),
  atLeast: number.optional().describe("The expression holds while at least this bound."),
});

const rawIndicator = strict({
  kind: z.literal("raw"),
  errorRatio: sliQuery(
    "A precomputed share of bad events (0 to 1): with {{.window}} where its range goes, or an expression the engine records at each evaluation and averages over each window; or give successRatio.",
  ).optional(),
  successRatio: sliQuery("A precomputed share of good events (0 to 1), written as errorRatio is.").optional(),
});

/** An SLI of good or bad events over all events (`indicator.kind` ratio). */
export interface RatioIndicator extends Identity<z.input<typeof ratioIndicator>> {}
/** An SLI of requests faster than a threshold, from a histogram (`indicator.kind` latency). */
export interface LatencyIndicator extends Identity<z.input<typeof latencyIndicator>> {}
/** An SLI of the evaluations in which an expression holds a bound (`indicator.kind` threshold). */
export interface ThresholdIndicator extends Identity<z.input<typeof thresholdIndicator>> {}
/** A precomputed error or success ratio (`indicator.kind` raw). */
export interface RawIndicator extends Identity<z.input<typeof rawIndicator>> {}

const budgeting = strict({
  method: z
    .enum(["occurrences", "timeslices", "ratioTimeslices"])
    .describe(
      "occurrences: the share of good events; timeslices: the share of good time slices (a slice is good when its SLI reaches sliceTarget); ratioTimeslices: the average of the slices' SLIs.",
    ),
  sliceWindow: duration
    .optional()
    .describe(`A time slice's length (timeslices, ratioTimeslices), at most ${MAX_SLICE_WINDOW}.`),
  sliceTarget: fromCliText(
    z
      .number({ invalid_type_error: "must be a ratio above 0, at most 1" })
      .gt(0, "must be a ratio above 0, at most 1")
      .lte(1, "must be a ratio above 0, at most 1"),
  )
    .optional()
    .describe("The SLI a slice must reach to be good (timeslices)."),
});

/**
 * An SLO's or service's name as Sloth names them (PaymentService, payment-availability, api.v2):
 * letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
 */
const sloName = z
  .string()
  .regex(
    /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    "must be a name of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
  );

/** Labels the engine sets on every SLO alert itself. */
export const ENGINE_ALERT_LABELS = ["slo", "service", "severity"] as const;

const burnRateCondition = strict({
  burnRate: fromCliText(
    z.number({ invalid_type_error: "must be a number above 0" }).positive("must be a number above 0"),
  ).describe(
    "How many times faster than the objective allows the budget burns (14.4 spends 2 % of 30 days in an hour).",
  ),
  window: duration.describe("The window the burn rate is measured over, e.g. 1h."),
  shortWindow: duration
    .optional()
    .describe(
      "A shorter window that must burn as fast too, so that the alert stops soon after the burn does (e.g. 5m).",
    ),
  op: z.enum(["gt", "gte"]).optional().describe("gt (default): above the burn rate; gte: at or above it."),
});

/** When an SLO alert fires: its budget burns this fast over a window (and a shorter one). */
export interface BurnRateCondition extends Identity<z.input<typeof burnRateCondition>> {}

const sloAlert = strict({
  name: alertName.describe("The alert's name; alerts of one SLO differ by name, severity or labels."),
  severity: z
    .string()
    .min(1, "must not be empty")
    .describe(
      "The alert's severity label, which routes it: critical pages, warning makes a ticket, another goes where alerting.routes or alerting.otherSeverities say.",
    ),
  when: z
    .array(named<BurnRateCondition>()(burnRateCondition))
    .min(1, "must list at least one burn-rate condition")
    .describe("Burn-rate conditions, any of which fires the alert."),
  for: duration
    .optional()
    .describe("How long a condition must hold before the alert fires; default: at once."),
  receivers: z
    .array(dnsLabel)
    .optional()
    .describe(
      "Alertmanager receivers (of alerting.receivers, or critical or warning) the alert goes to, before any other route.",
    ),
  labels: z
    .record(labelName, z.string())
    .optional()
    .describe(`Labels the alert carries besides ${ENGINE_ALERT_LABELS.join(", ")}.`),
  annotations: z
    .record(z.string())
    .optional()
    .describe("Annotations over the engine's summary and description."),
});

export type SloAlertSpec = z.output<typeof sloAlert>;
/** A burn-rate alert of an SLO: its name, severity, conditions and where it goes. */
export interface SloAlert extends Identity<z.input<typeof sloAlert>> {}

/** How the engine reads a ratio's query: a counter's rate, a window query, or recorded samples. */
export type RatioReading =
  | { readonly reading: "counter"; readonly grouping: string }
  | { readonly reading: "window" }
  | { readonly reading: "sampled" };

/** How a ratio indicator's query is read, or why it cannot be. */
export function ratioReading(form: SliQueryForm, counters: boolean): RatioReading | { problem: string } {
  switch (form.form) {
    case "window":
      return { reading: "window" };
    case "selector":
    case "sum":
      return counters
        ? { reading: "counter", grouping: form.form === "sum" ? form.grouping : "" }
        : { reading: "sampled" };
    case "expression":
      return form.ranged || !counters
        ? { reading: "sampled" }
        : {
            problem:
              "reads counters without a rate: write where its range goes as {{.window}} (e.g. sum(rate(x_total[{{.window}}]))), or set counters: false if its series are gauges",
          };
  }
}

const readingName = (r: RatioReading) =>
  r.reading === "counter"
    ? "a counter"
    : r.reading === "window"
      ? "a query with {{.window}}"
      : "a sampled expression";

export const sloSpec = strict({
  name: sloName.describe("The SLO's name: the `slo` label of its series and alerts."),
  service: sloName.describe("The service it belongs to: the `service` label of its series and alerts."),
  objective: sloObjective.describe("Share of good events (or of time slices)."),
  window: sloWindow.describe(
    "The compliance window the error budget is counted over: rolling (28d, 30d, 4w), or a calendar week (from Monday), month or quarter in a time zone ({calendar: month, timeZone: Europe/Berlin}), counted from the start of the current period and starting again at the next.",
  ),
  indicator: named<RatioIndicator | LatencyIndicator | ThresholdIndicator | RawIndicator>()(
    z.discriminatedUnion("kind", [ratioIndicator, latencyIndicator, thresholdIndicator, rawIndicator]),
  ).describe(
    "ratio (errors or good, and total), latency (a histogram and a threshold at one of its buckets), threshold (an expression and a bound; its SLI is the share of evaluations in which it holds) or raw (a precomputed error or success ratio).",
  ),
  budgeting: budgeting
    .optional()
    .describe(
      "How the error budget is counted; default occurrences (every event, or every evaluation of a threshold, counts).",
    ),
  alerts: z
    .array(named<SloAlert>()(sloAlert))
    .optional()
    .describe(
      "The SLO's burn-rate alerts ([] for none); default a page SLOBurnFast (14.4x over 1h and 5m, or 6x over 6h and 30m, for 2m) and a ticket SLOBurnSlow (3x over 1d and 2h, or 1x over 3d and 6h, for 15m).",
    ),
}).superRefine((value, ctx) => {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const indicator = value.indicator;
  if (indicator.kind === "ratio") {
    if ((indicator.errors === undefined) === (indicator.good === undefined)) {
      issue(["indicator", "errors"], "must be given, or good instead: exactly one of them");
    }
    const counters = indicator.counters ?? true;
    const readings = (["errors", "good", "total"] as const).flatMap((key) => {
      const query = indicator[key];
      if (query === undefined || sliQueryProblem(query) !== undefined) {
        return [];
      }
      const reading = ratioReading(sliQueryForm(query), counters);
      if ("problem" in reading) {
        issue(["indicator", key], reading.problem);
        return [];
      }
      return [{ key, reading }];
    });
    const total = readings.find((r) => r.key === "total");
    for (const { key, reading } of readings.filter((r) => r.key !== "total")) {
      if (total === undefined) {
        break;
      }
      if (reading.reading !== total.reading.reading) {
        issue(
          ["indicator", key],
          `must be of the form total is: it is ${readingName(reading)}, total ${readingName(total.reading)}`,
        );
      } else if (
        reading.reading === "counter" &&
        total.reading.reading === "counter" &&
        reading.grouping !== total.reading.grouping
      ) {
        issue(
          ["indicator", key],
          `must sum by the labels total sums by (${total.reading.grouping || "none"}), not ${reading.grouping || "none"}`,
        );
      }
    }
  }
  if (indicator.kind === "latency") {
    if (!indicator.buckets.includes(indicator.threshold)) {
      issue(["indicator", "threshold"], `must be one of buckets (${indicator.buckets.join(", ")})`);
    }
    const metric = selectorParts(indicator.histogram)?.metric ?? "";
    if (/_(bucket|count|sum)$/.test(metric)) {
      issue(["indicator", "histogram"], "must name the histogram family, without _bucket, _count or _sum");
    }
  }
  if (
    indicator.kind === "threshold" &&
    THRESHOLD_BOUNDS.filter((b) => indicator[b] !== undefined).length !== 1
  ) {
    issue(
      ["indicator", "below"],
      `must be given, or one of ${THRESHOLD_BOUNDS.slice(1).join(", ")} instead: exactly one of them`,
    );
  }
  if (
    indicator.kind === "raw" &&
    (indicator.errorRatio === undefined) === (indicator.successRatio === undefined)
  ) {
    issue(["indicator", "errorRatio"], "must be given, or successRatio instead: exactly one of them");
  }
  const slices = value.budgeting;
  if (slices !== undefined) {
    const needsWindow = slices.method !== "occurrences";
    const needsTarget = slices.method === "timeslices";
    if (needsWindow !== (slices.sliceWindow !== undefined)) {
      issue(
        ["budgeting", "sliceWindow"],
        needsWindow ? `is required for ${slices.method}` : "is only for timeslices and ratioTimeslices",
      );
    }
    if (needsTarget !== (slices.sliceTarget !== undefined)) {
      issue(
        ["budgeting", "sliceTarget"],
        needsTarget ? "is required for timeslices" : "is only for timeslices",
      );
    }
    if (slices.sliceWindow !== undefined && durationMs(slices.sliceWindow) > durationMs(MAX_SLICE_WINDOW)) {
      issue(
        ["budgeting", "sliceWindow"],
        `must be at most ${MAX_SLICE_WINDOW}: the shortest burn-rate window must hold whole slices`,
      );
    }
  }
  const windowMs = windowShortestMs(value.window);
  // Alerts with the same labels are one alert to Alertmanager.
  reportDuplicates(
    (value.alerts ?? []).map(
      (a, i) =>
        [
          i,
          `${a.name} (${Object.entries({ ...a.labels, severity: a.severity })
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([label, text]) => `${label}=${text}`)
            .join(", ")})`,
        ] as const,
    ),
    ["alerts"],
    ctx,
  );
  (value.alerts ?? []).forEach((alert, a) => {
    alert.when.forEach((condition, c) => {
      const at = ["alerts", a, "when", c];
      if (durationMs(condition.window) > windowMs) {
        issue(
          [...at, "window"],
          `must not be longer than the compliance window (${windowText(value.window)})`,
        );
      }
      if (
        condition.shortWindow !== undefined &&
        durationMs(condition.shortWindow) >= durationMs(condition.window)
      ) {
        issue([...at, "shortWindow"], `must be shorter than window (${condition.window})`);
      }
    });
    for (const label of ENGINE_ALERT_LABELS) {
      if (alert.labels?.[label] !== undefined) {
        issue(
          ["alerts", a, "labels", label],
          label === "severity" ? "is set by severity" : `is set by the engine (the SLO's ${label})`,
        );
      }
    }
  });
});

export type SloSpec = z.output<typeof sloSpec>;
/** A service level objective of `metrics.slos`: its indicator, objective, window and burn-rate alerts. */
export interface Slo extends Identity<z.input<typeof sloSpec>> {}

export const slosField = z
  .array(named<Slo>()(sloSpec))
  .superRefine((list, ctx) =>
    reportDuplicates(
      list.map((s, i) => [i, s.name] as const),
      [],
      ctx,
    ),
  )
  .describe(
    "Service level objectives of any indicator, each given recording rules over every burn-rate window and its compliance window, its remaining error budget, and its burn-rate alerts (a page and a ticket unless alerts says otherwise).",
  );
