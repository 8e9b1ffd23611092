import type { CalendarWindow } from "../../config/slo/calendarWindows";

// The series the SLO rules record and the dashboards read (components/metrics/configuredSlos.ts,
// components/metrics/calendarPeriods.ts).

/** The recorded series of `metrics.slos`, each labelled `slo` and `service`. */
export const SLO_SERIES = {
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  /**
   * The share of bad at each evaluation: 1 or 0 for a threshold indicator (its bound broken or
   * kept), the value of a raw indicator's expression.
   */
  errorSample: "slo:sli_error:sample",
  /** A ratio indicator's expression of good, bad or all events, at each evaluation. */
  eventsSample: (events: "good" | "bad" | "total") => `slo:sli_${events}:sample`,
  /** Time slices: the error of the slice that ends at each evaluation (1 or 0, or its ratio). */
  sliceError: "slo:sli_error:slice",
  objective: "slo:objective:ratio",
  budgetRemaining: "slo:error_budget_remaining:ratio",
  /** 1 while the indicator selects series, 0 while it selects none. */
  present: "slo:sli:present",
  /** A calendar window's error ratio from the start of the current period. */
  periodErrorRatio: "slo:sli_error:ratio_period",
  /**
   * What a calendar window's period sums, each sample covering the period's step before it: bad and
   * all events (occurrences of a ratio or latency), or the error ratio (every other indicator).
   */
  periodChunk: (of: "bad" | "total" | "error") => `slo:sli_${of}:period_chunk`,
  /**
   * What a window longer than a day adds up, recorded once an hour, each sample covering the hour
   * before it: bad and all events (occurrences of a ratio or latency), or the error ratio (every
   * other indicator).
   */
  hourChunk: (of: "bad" | "total" | "error") => `slo:sli_${of}:hour_chunk`,
} as const;

/** The recorded series of the calendar periods. */
export const CALENDAR_SERIES = {
  /** Now, in the zone's local time, in seconds as if it were UTC. */
  localTime: "slo:calendar_local_time:seconds",
  /** The local midnight that started the current period, in the same seconds. */
  startLocal: "slo:calendar_period_start_local:seconds",
  /** The local midnight that ends it (starts the next). */
  endLocal: "slo:calendar_period_end_local:seconds",
  start: "slo:calendar_period_start:timestamp",
  end: "slo:calendar_period_end:timestamp",
} as const;

/** The labels of a calendar period's series; `calendar_start` only where the periods start elsewhere than by default. */
export const calendarLabels = (window: CalendarWindow): Record<string, string> => ({
  calendar: window.calendar,
  time_zone: window.timeZone,
  ...(window.startTime === undefined ? {} : { calendar_start: window.startTime }),
});

/** The selector of one of a period's series (`calendar_start=""` selects the series without one). */
export const calendarSeries = (series: string, window: CalendarWindow): string =>
  `${series}{calendar="${window.calendar}", time_zone="${window.timeZone}", calendar_start="${window.startTime ?? ""}"}`;

/** A calendar period's identity: its calendar, time zone and start. */
export const calendarKey = (window: CalendarWindow): string =>
  `${window.calendar}/${window.timeZone}${window.startTime === undefined ? "" : `/${window.startTime}`}`;

/** Each distinct calendar period of the windows, once. */
export function distinctCalendars(windows: readonly CalendarWindow[]): CalendarWindow[] {
  const seen = new Map(windows.map((w) => [calendarKey(w), w]));
  return [...seen.values()];
}
