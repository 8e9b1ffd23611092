import { StackConfig } from "../../config";
import { CalendarWindow, isCalendar, windowText } from "../../config/slo/calendarWindows";
import { durationMs } from "../../config/durations";
import { selectorParts } from "../../config/promql/selector";
import { RatioReading, ratioReading } from "../../config/slo/sloSpec";
import { SAMPLE_WINDOW, atWindow, counterRate, sliQueryForm } from "../../config/slo/sliQueries";
import { anyLeMatcher } from "../common/httpSources";
import { RecordingRule, RuleGroup } from "../common/prometheusTypes";
import { alertFactory } from "../common/alertFactory";
import { calendarPeriodGroup, overPeriod, periodStep } from "./calendarPeriods";
import { SLO_SERIES, distinctCalendars } from "../common/sloSeries";
import {
  BUDGET_EVALUATION_INTERVAL,
  BURN_RATES,
  BURN_WINDOWS,
  CHUNK,
  SloAlert,
  SloAlertNames,
  burnRatesInWords,
  chunkSum,
  errorBudget,
  fromChunks,
  pageAndTicket,
  sloBudgetAndAlerts,
} from "./sloEngine";

type Slo = StackConfig["metrics"]["slos"][number];
type Indicator = Slo["indicator"];

/** The default alerts of every `metrics.slos` entry, told apart by their `slo` label. */
export const CONFIGURED_SLO_ALERTS: SloAlertNames = { page: "SLOBurnFast", ticket: "SLOBurnSlow" };

/** Warns of an SLO of `metrics.slos` whose indicator has selected no series for 30 minutes. */
export const SLO_INDICATOR_MISSING = "SLOIndicatorMissing";

/** A selector of the histogram's bucket at `bound`: `<family>_bucket{<matchers>, le=…}`. */
function bucket(histogram: string, bound: string): string {
  const { metric, matchers } = selectorParts(histogram)!;
  return `${metric}_bucket{${[matchers, bound].filter((m) => m !== "").join(", ")}}`;
}

type RatioIndicator = Extract<Indicator, { kind: "ratio" }>;

/** How the engine reads one of a ratio's queries (the schema has refused those it cannot read). */
const readingOf = (indicator: RatioIndicator, query: string) =>
  ratioReading(sliQueryForm(query), indicator.counters ?? true) as RatioReading;

/** A ratio's events as the engine reads them over `window`: a counter's rate, a window query, or recorded samples. */
function eventsOver(slo: Slo, query: string, events: "good" | "bad" | "total", window: string): string {
  switch (readingOf(slo.indicator as RatioIndicator, query).reading) {
    case "counter":
      return counterRate(query, window);
    case "window":
      return `(${atWindow(query, window)})`;
    case "sampled":
      return `sum_over_time(${SLO_SERIES.eventsSample(events)}{slo="${slo.name}"}[${window}])`;
  }
}

/** The share of bad events (or of evaluations) over `window`, every event counting. */
function eventsErrorRatio(slo: Slo, window: string): string {
  const indicator = slo.indicator;
  const sample = `${SLO_SERIES.errorSample}{slo="${slo.name}"}`;
  switch (indicator.kind) {
    case "ratio": {
      // A counter of one outcome is often exported only once it counts (Micrometer registers a
      // tagged counter at its first increment): until then it is 0, not absent.
      const total = eventsOver(slo, indicator.total, "total", window);
      const counted = (query: string, events: "good" | "bad") =>
        `(${eventsOver(slo, query, events, window)} or 0 * ${total})`;
      return indicator.errors !== undefined
        ? `${counted(indicator.errors, "bad")} / ${total}`
        : `1 - ${counted(indicator.good!, "good")} / ${total}`;
    }
    case "latency":
      return `1 - ${counterRate(bucket(indicator.histogram, anyLeMatcher(indicator.threshold)), window)} / ${counterRate(bucket(indicator.histogram, 'le="+Inf"'), window)}`;
    case "threshold":
      return `avg_over_time(${sample}[${window}])`;
    case "raw": {
      const query = indicator.errorRatio ?? indicator.successRatio!;
      if (sliQueryForm(query).form !== "window") {
        return `avg_over_time(${sample}[${window}])`;
      }
      // Over the compliance window, the average of its 5-minute ratios, as Sloth computes it: the
      // query over a month may read more samples than Prometheus lets one query load (a subquery).
      if (!isCalendar(slo.window) && window === slo.window) {
        return `avg_over_time(${SLO_SERIES.errorRatio("5m")}{slo="${slo.name}"}[${window}])`;
      }
      return `${indicator.errorRatio === undefined ? "1 - " : ""}(${atWindow(query, window)})`;
    }
  }
}

/**
 * The share of bad over `window` as the SLO budgets it: every event (occurrences), or the share of
 * bad time slices (timeslices) or the slices' average error (ratioTimeslices), the slices aligned
 * to the clock by the subquery's step.
 */
function errorRatio(slo: Slo, window: string): string {
  const slices = slo.budgeting;
  if (slices === undefined || slices.method === "occurrences") {
    return eventsErrorRatio(slo, window);
  }
  return `avg_over_time(${SLO_SERIES.sliceError}{slo="${slo.name}"}[${window}:${slices.sliceWindow!}])`;
}

/** The error of the slice that ends now: whether its SLI missed the slice target, or its error ratio. */
function sliceError(slo: Slo): string | undefined {
  const slices = slo.budgeting;
  if (slices === undefined || slices.method === "occurrences") {
    return undefined;
  }
  const ratio = eventsErrorRatio(slo, slices.sliceWindow!);
  // A slice without events has no ratio (0/0): no miss for timeslices, no slice for ratioTimeslices.
  return slices.method === "timeslices"
    ? `${ratio} > bool ${errorBudget(slices.sliceTarget!)}`
    : `(${ratio}) >= 0`;
}

/** The series an indicator has whenever its service publishes it: a ratio's total, a histogram's +Inf bucket. */
function indicatorSeries(indicator: Indicator): string {
  switch (indicator.kind) {
    case "ratio": {
      const form = sliQueryForm(indicator.total);
      return form.form === "sum" ? form.selector : atWindow(indicator.total, "5m");
    }
    case "latency":
      return bucket(indicator.histogram, 'le="+Inf"');
    case "threshold":
      return atWindow(indicator.expr, SAMPLE_WINDOW);
    case "raw":
      return atWindow(indicator.errorRatio ?? indicator.successRatio!, "5m");
  }
}

/** Whether the threshold indicator's bound is broken now, as 1 or 0: by the highest series against an upper bound, the lowest against a lower one. */
function brokenBound(indicator: Extract<Indicator, { kind: "threshold" }>): string {
  const expr = atWindow(indicator.expr, SAMPLE_WINDOW);
  if (indicator.below !== undefined) return `max(${expr}) >= bool ${indicator.below}`;
  if (indicator.atMost !== undefined) return `max(${expr}) > bool ${indicator.atMost}`;
  if (indicator.above !== undefined) return `min(${expr}) <= bool ${indicator.above}`;
  return `min(${expr}) < bool ${indicator.atLeast!}`;
}

/** What the SLO records at each evaluation before its ratios read it: samples of its expressions. */
function samples(slo: Slo, labels: Readonly<Record<string, string>>): RecordingRule[] {
  const indicator = slo.indicator;
  const record = (series: string, expr: string): RecordingRule => ({ record: series, expr, labels });
  switch (indicator.kind) {
    case "threshold":
      return [record(SLO_SERIES.errorSample, brokenBound(indicator))];
    case "raw": {
      const query = indicator.errorRatio ?? indicator.successRatio!;
      if (sliQueryForm(query).form === "window") return [];
      return [record(SLO_SERIES.errorSample, indicator.errorRatio === undefined ? `1 - (${query})` : query)];
    }
    case "ratio": {
      const sampled = (["errors", "good", "total"] as const).filter((key) => {
        const query = indicator[key];
        return query !== undefined && readingOf(indicator, query).reading === "sampled";
      });
      const events = { errors: "bad", good: "good", total: "total" } as const;
      return sampled.map((key) => record(SLO_SERIES.eventsSample(events[key]), indicator[key]!.trim()));
    }
    case "latency":
      return [];
  }
}

/** The SLO's alerts: its own, or the default page and ticket. */
function alertsOf(slo: Slo): SloAlert[] {
  const objective = `objective ${slo.objective} over ${windowText(slo.window)}`;
  if (slo.alerts === undefined) {
    return pageAndTicket(CONFIGURED_SLO_ALERTS, {
      page: {
        summary: "{{ $labels.service }}'s SLO {{ $labels.slo }} burns its error budget fast",
        description: `The error budget of {{ $labels.slo }} (${objective}) burns ${burnRatesInWords(BURN_RATES.page)}.`,
      },
      ticket: {
        summary: "{{ $labels.service }}'s SLO {{ $labels.slo }} burns its error budget",
        description: `The error budget of {{ $labels.slo }} (${objective}) burns ${burnRatesInWords(BURN_RATES.ticket)}.`,
      },
    });
  }
  return slo.alerts.map((alert) => {
    const when = alert.when.map((c) => ({
      long: c.window,
      ...(c.shortWindow === undefined ? {} : { short: c.shortWindow }),
      factor: c.burnRate,
      ...(c.op === "gte" ? { inclusive: true } : {}),
    }));
    return {
      name: alert.name,
      severity: alert.severity,
      when,
      ...(alert.for === undefined ? {} : { for: alert.for }),
      summary: `{{ $labels.service }}'s SLO {{ $labels.slo }} burns its error budget${alert.severity === "critical" ? " fast" : ""}`,
      description: `The error budget of {{ $labels.slo }} (${objective}) burns ${burnRatesInWords(when)}.`,
      ...(alert.labels === undefined ? {} : { labels: alert.labels }),
      ...(alert.annotations === undefined ? {} : { annotations: alert.annotations }),
      // The default alerts' runbook sections say what to do about a fast and a slow burn.
      runbook: alert.severity === "critical" ? CONFIGURED_SLO_ALERTS.page : CONFIGURED_SLO_ALERTS.ticket,
    };
  });
}

/** The windows the SLO's ratios are recorded over: the dashboards' and default alerts', then its alerts' own. */
function burnWindows(slo: Slo): string[] {
  const own = (slo.alerts ?? []).flatMap((a) => a.when.flatMap((c) => [c.window, c.shortWindow ?? c.window]));
  const extra = [...new Set(own)]
    .filter((w) => !(BURN_WINDOWS as readonly string[]).includes(w) && w !== slo.window)
    .sort((a, b) => durationMs(a) - durationMs(b));
  return [...BURN_WINDOWS, ...extra];
}

/** Whether the SLO's budget counts events (a ratio's or a histogram's), not evaluations or slices. */
const countsEvents = (slo: Slo): boolean =>
  (slo.indicator.kind === "ratio" || slo.indicator.kind === "latency") &&
  (slo.budgeting === undefined || slo.budgeting.method === "occurrences");

/** Bad and all events over `window`, for a budget that counts events. */
function badAndTotal(slo: Slo, window: string): { bad: string; total: string } {
  const indicator = slo.indicator;
  if (indicator.kind === "latency") {
    const total = counterRate(bucket(indicator.histogram, 'le="+Inf"'), window);
    return {
      bad: `${total} - ${counterRate(bucket(indicator.histogram, anyLeMatcher(indicator.threshold)), window)}`,
      total,
    };
  }
  const ratio = indicator as RatioIndicator;
  const total = eventsOver(slo, ratio.total, "total", window);
  const counted = (query: string, events: "good" | "bad") =>
    `(${eventsOver(slo, query, events, window)} or 0 * ${total})`;
  return {
    bad:
      ratio.errors !== undefined
        ? counted(ratio.errors, "bad")
        : `${total} - ${counted(ratio.good!, "good")}`,
    total,
  };
}

/**
 * For an SLI that is the average of samples (each evaluation's error, or each slice's), the sum of
 * their errors and their count over `window`: summed over hours they weigh every sample alike, as
 * the average over the whole window does, however many an hour holds (a series' first hour has
 * fewer). Undefined for a ratio a query computes over its window (raw, window form).
 */
function sampledErrors(slo: Slo, window: string): { bad: string; total: string } | undefined {
  const slices = slo.budgeting;
  const over = (samples: string) => ({
    bad: `sum_over_time(${samples})`,
    total: `count_over_time(${samples})`,
  });
  if (slices !== undefined && slices.method !== "occurrences") {
    return over(`${SLO_SERIES.sliceError}{slo="${slo.name}"}[${window}:${slices.sliceWindow!}]`);
  }
  const indicator = slo.indicator;
  const sampled =
    indicator.kind === "threshold" ||
    (indicator.kind === "raw" &&
      sliQueryForm(indicator.errorRatio ?? indicator.successRatio!).form !== "window");
  return sampled ? over(`${SLO_SERIES.errorSample}{slo="${slo.name}"}[${window}]`) : undefined;
}

/**
 * The SLO's chunks of every hour, recorded once an hour: its bad and all events (or samples), or
 * its error ratio (an hour whose ratio is NaN, 0/0, has no chunk rather than one that would make
 * every sum over it NaN).
 */
function hourChunks(slo: Slo, labels: Readonly<Record<string, string>>): RecordingRule[] {
  const chunk = (of: "bad" | "total" | "error", expr: string): RecordingRule => ({
    record: SLO_SERIES.hourChunk(of),
    expr,
    labels,
  });
  const counted = countsEvents(slo) ? badAndTotal(slo, CHUNK) : sampledErrors(slo, CHUNK);
  if (counted !== undefined) return [chunk("bad", counted.bad), chunk("total", counted.total)];
  // An hour of 0/0 (NaN) fails every comparison and has no chunk; a negative ratio (a wrong query) stays.
  return [chunk("error", `(${errorRatio(slo, CHUNK)}) > -Inf`)];
}

/** The error ratio over a window longer than a day, from the SLO's hourly chunks. */
function errorRatioOverChunks(slo: Slo, window: string): string {
  const selector = `{slo="${slo.name}"}`;
  return countsEvents(slo) || sampledErrors(slo, CHUNK) !== undefined
    ? `${chunkSum(`${SLO_SERIES.hourChunk("bad")}${selector}`, window)} / ${chunkSum(`${SLO_SERIES.hourChunk("total")}${selector}`, window)}`
    : `avg_over_time(${SLO_SERIES.hourChunk("error")}${selector}[${window}])`;
}

/**
 * A calendar window's error ratio from the start of the current period: of the events counted
 * over each step of the period since then (a ratio's or latency's occurrences), or the average of each
 * step's error ratio (evaluations and slices), and the rules that record those steps.
 */
function periodErrorRatio(
  slo: Slo,
  window: CalendarWindow,
  labels: Readonly<Record<string, string>>,
): { rules: RecordingRule[]; ratio: string } {
  const selector = `{slo="${slo.name}"}`;
  const chunk = (of: "bad" | "total" | "error", expr: string): RecordingRule => ({
    record: SLO_SERIES.periodChunk(of),
    expr,
    labels,
  });
  const recorded = (chunks: RecordingRule[], ratio: string) => ({
    rules: [...chunks, { record: SLO_SERIES.periodErrorRatio, expr: ratio, labels }],
    ratio,
  });
  if (countsEvents(slo)) {
    const { bad, total } = badAndTotal(slo, periodStep(window).text);
    const sum = (of: "bad" | "total") =>
      overPeriod("sum_over_time", `${SLO_SERIES.periodChunk(of)}${selector}`, window);
    return recorded([chunk("bad", bad), chunk("total", total)], `${sum("bad")} / ${sum("total")}`);
  }
  return recorded(
    [chunk("error", errorRatio(slo, periodStep(window).text))],
    overPeriod("avg_over_time", `${SLO_SERIES.periodChunk("error")}${selector}`, window),
  );
}

/**
 * Three rule groups per SLO of `metrics.slos`: what it samples at each evaluation, its error ratio
 * over every burn-rate window, its alerts (one group, so that the alerts read the ratios of the
 * same evaluation) and whether its indicator has data; its hourly chunks; and its error ratio over
 * the compliance window, objective and remaining error budget. Before them, a group per calendar period the SLOs
 * count over, which records the period's start and end.
 */
export function configuredSloRules(slos: readonly Slo[], runbookBaseUrl: string): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  const calendars = distinctCalendars(slos.flatMap((slo) => (isCalendar(slo.window) ? [slo.window] : [])));
  const perSlo = slos.flatMap((slo): RuleGroup[] => {
    const labels = { slo: slo.name, service: slo.service };
    const selector = `slo="${slo.name}"`;
    const slice = sliceError(slo);
    const ratio = (window: string): RecordingRule => ({
      record: SLO_SERIES.errorRatio(window),
      expr: fromChunks(window) ? errorRatioOverChunks(slo, window) : errorRatio(slo, window),
      labels,
    });
    const compliance = isCalendar(slo.window)
      ? periodErrorRatio(slo, slo.window, labels)
      : { rules: [ratio(slo.window)], ratio: ratio(slo.window).expr };
    const { budget, alerts } = sloBudgetAndAlerts(
      {
        errorRatio: SLO_SERIES.errorRatio,
        selector,
        budget: String(errorBudget(slo.objective)),
        complianceRatio: compliance.ratio,
        budgetRemaining: SLO_SERIES.budgetRemaining,
        alerts: alertsOf(slo),
        alertLabels: labels,
      },
      runbookBaseUrl,
    );
    const present: RecordingRule = {
      record: SLO_SERIES.present,
      expr: `group(${indicatorSeries(slo.indicator)}) or vector(0)`,
      labels,
    };
    const missing = alert(
      SLO_INDICATOR_MISSING,
      "warning",
      `${SLO_SERIES.present}{${selector}} == 0`,
      "30m",
      "{{ $labels.service }}'s SLO {{ $labels.slo }} has no data",
      `The indicator of {{ $labels.slo }} has selected no series for 30 minutes (${indicatorSeries(slo.indicator)}), so its burn-rate alerts cannot fire. Check the metric's name and labels against what {{ $labels.service }} publishes.`,
    );
    return [
      {
        name: `slo/${slo.name}`,
        rules: [
          ...samples(slo, labels),
          ...(slice === undefined ? [] : [{ record: SLO_SERIES.sliceError, expr: slice, labels }]),
          ...burnWindows(slo).map(ratio),
          present,
          ...alerts,
          { ...missing, labels: { ...labels, ...missing.labels } },
        ],
      },
      { name: `slo/${slo.name}/chunks`, interval: CHUNK, rules: hourChunks(slo, labels) },
      {
        name: `slo/${slo.name}/budget`,
        interval: BUDGET_EVALUATION_INTERVAL,
        rules: [
          ...compliance.rules,
          { record: SLO_SERIES.objective, expr: `vector(${slo.objective})`, labels },
          { ...budget, labels },
        ],
      },
    ];
  });
  return [...calendars.map(calendarPeriodGroup), ...perSlo];
}

/**
 * Alertmanager routes that send an SLO alert naming receivers to each of them, ahead of every other
 * route: the alert's name and its SLO select it.
 */
export function sloAlertRoutes(
  slos: readonly Slo[],
): { receiver: string; matchers: string[]; continue?: true }[] {
  return slos.flatMap((slo) =>
    (slo.alerts ?? []).flatMap((alert) =>
      (alert.receivers ?? []).map((receiver, i, all) => ({
        receiver,
        matchers: [`alertname="${alert.name}"`, `slo="${slo.name}"`, `severity="${alert.severity}"`],
        ...(i < all.length - 1 ? { continue: true as const } : {}),
      })),
    ),
  );
}
