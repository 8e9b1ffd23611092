import {
  CalendarAnchor,
  CalendarPeriod,
  CalendarWindow,
  LONGEST_PERIOD_DAYS,
  OffsetChange,
  calendarAnchor,
  utcOffsets,
} from "../../config/slo/calendarWindows";
import { RecordingRule, RuleGroup } from "../common/prometheusTypes";
import { CALENDAR_SERIES, calendarKey, calendarLabels, calendarSeries } from "../common/sloSeries";

// The current calendar period of each (period, time zone) the SLOs count over, as recorded series
// labelled `calendar` and `time_zone`: its start and end in UTC. Prometheus' date functions read a
// timestamp in UTC, so they are given the local time as if it were UTC (the timestamp plus the
// zone's offset), which makes day_of_month() and friends answer for the zone; the local midnight
// found that way is turned back into UTC with the offset in effect then.

const DAY = 86400;

const offsetsByZone = new Map<string, ReturnType<typeof utcOffsets>>();
const offsetsOf = (zone: string) => {
  const known = offsetsByZone.get(zone) ?? utcOffsets(zone);
  offsetsByZone.set(zone, known);
  return known;
};

/**
 * The zone's offset from UTC at `at` (a scalar or an instant vector of timestamps), in seconds: the
 * first offset, and each change from the moment it takes effect. `threshold` says where a change
 * falls on `at`'s clock.
 */
function offsetAt(
  zone: string,
  at: string,
  threshold: (change: OffsetChange, before: number) => number,
): string {
  const { initial, changes } = offsetsOf(zone);
  let before = initial;
  const terms = changes.map((change) => {
    const term = `${change.offset - before} * (${at} >= bool ${threshold(change, before)})`;
    before = change.offset;
    return term;
  });
  return terms.length === 0 ? String(initial) : `(${[String(initial), ...terms].join(" + ")})`;
}

/** The zone's offset at a UTC time. */
const offsetAtUtc = (zone: string, at: string) => offsetAt(zone, at, (change) => change.at);

/**
 * The zone's offset at a local time, a period's midnight: each change placed at the local time it
 * happens, on the clock before it.
 */
const offsetAtLocal = (zone: string, at: string) =>
  offsetAt(zone, at, (change, before) => change.at + before);

/** The local midnight that started the default period `local` is in (Monday, the 1st, 1 January, April, July, October), moved by the anchor's months. */
function startLocal(period: CalendarPeriod, local: string, monthOffset: number): string {
  const midnight = `(${local} - ${local} % ${DAY})`;
  switch (period) {
    case "week":
      // day_of_week: 0 for Sunday; ISO weeks start on Monday.
      return `${midnight} - ((day_of_week(${local}) + 6) % 7) * ${DAY}`;
    case "month":
      return `${midnight} - (day_of_month(${local}) - 1) * ${DAY}`;
    case "quarter": {
      // The first of this month, less the days of the one or two months before it in the quarter.
      const first = `(${midnight} - (day_of_month(${local}) - 1) * ${DAY})`;
      const monthInQuarter = `((month(${local}) + ${2 - monthOffset}) % 3)`;
      const previous = `days_in_month(${first} - ${DAY})`;
      const beforePrevious = `days_in_month(${first} - ${DAY} - ${previous} * ${DAY})`;
      return `${first} - (${monthInQuarter} >= bool 1) * ${previous} * ${DAY} - (${monthInQuarter} >= bool 2) * ${beforePrevious} * ${DAY}`;
    }
  }
}

/** The local midnight after the period that starts at `start`. */
function endLocal(period: CalendarPeriod, start: string): string {
  switch (period) {
    case "week":
      return `${start} + 7 * ${DAY}`;
    case "month":
      return `${start} + days_in_month(${start}) * ${DAY}`;
    case "quarter": {
      const first = `days_in_month(${start})`;
      const second = `days_in_month(${start} + ${first} * ${DAY})`;
      const third = `days_in_month(${start} + (${first} + ${second}) * ${DAY})`;
      return `${start} + (${first} + ${second} + ${third}) * ${DAY}`;
    }
  }
}

/** The anchor of a window the schema has accepted. */
const anchorOf = (window: CalendarWindow) =>
  calendarAnchor(window.calendar, window.startTime) as CalendarAnchor;

/**
 * The rule group of one calendar period in one zone: now in local time, the period's start and end.
 * A period anchored elsewhere (`startTime`) is the default one of the local time moved back by the
 * anchor, moved forward again.
 */
export function calendarPeriodGroup(window: CalendarWindow): RuleGroup {
  const labels = calendarLabels(window);
  const zone = window.timeZone;
  const { shift, monthOffset } = anchorOf(window);
  const series = (name: string) => calendarSeries(name, window);
  const record = (name: string, expr: string): RecordingRule => ({ record: name, expr, labels });
  const utc = (local: string) => `${series(local)} - ${offsetAtLocal(zone, series(local))}`;
  const moved = (local: string, by: number) => (by === 0 ? local : `(${local} - ${by})`);
  const back = (expr: string) => (shift === 0 ? expr : `${expr} + ${shift}`);
  return {
    name: `slo/calendar/${calendarKey(window)}`,
    rules: [
      record(CALENDAR_SERIES.localTime, `vector(time() + ${offsetAtUtc(zone, "time()")})`),
      record(
        CALENDAR_SERIES.startLocal,
        back(startLocal(window.calendar, moved(series(CALENDAR_SERIES.localTime), shift), monthOffset)),
      ),
      record(
        CALENDAR_SERIES.endLocal,
        back(endLocal(window.calendar, moved(series(CALENDAR_SERIES.startLocal), shift))),
      ),
      record(CALENDAR_SERIES.start, utc(CALENDAR_SERIES.startLocal)),
      record(CALENDAR_SERIES.end, utc(CALENDAR_SERIES.endLocal)),
    ],
  };
}

/**
 * The step of the period-to-date sums: the longest of an hour, half an hour or a quarter hour on
 * which every period's start falls in UTC (an hour for most zones and starts; Asia/Kolkata's
 * half hours, Asia/Kathmandu's quarter hours).
 */
export function periodStep(window: CalendarWindow): { readonly text: string; readonly seconds: number } {
  const { initial, changes } = offsetsOf(window.timeZone);
  const offsets = [initial, ...changes.map((c) => c.offset), anchorOf(window).shift];
  const seconds = [3600, 1800, 900].find((step) => offsets.every((o) => o % step === 0)) ?? 900;
  return { text: seconds === 3600 ? "1h" : `${seconds / 60}m`, seconds };
}

/**
 * `chunks` (a series each sample of which covers the period step before it) summed or averaged
 * over the current period: a subquery over the longest period, keeping the samples whose step
 * starts at or after the period's start, as recorded when the rule is evaluated (`@ end()`).
 */
export function overPeriod(
  fn: "sum_over_time" | "avg_over_time",
  chunks: string,
  window: CalendarWindow,
): string {
  const step = periodStep(window);
  const start = `scalar(${calendarSeries(CALENDAR_SERIES.start, window)} @ end())`;
  return `${fn}((${chunks} and on () (vector(time()) >= ${start} + ${step.seconds}))[${LONGEST_PERIOD_DAYS[window.calendar]}d:${step.text}])`;
}
