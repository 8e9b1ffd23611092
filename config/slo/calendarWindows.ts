// Calendar-aligned compliance windows: the SLO counts from the start of the current week, month or
// quarter in a time zone, and starts again at the next. Prometheus knows only UTC, so the zone's
// offsets from UTC are written into the rules as the moments they change (daylight-saving time),
// read from the time zone database of the Node.js that renders the stack.
import { z } from "zod";
import { DAY_MS, durationMs } from "../durations";

export const CALENDAR_PERIODS = ["week", "month", "quarter"] as const;
export type CalendarPeriod = (typeof CALENDAR_PERIODS)[number];

/** The shortest a period can be: no burn-rate window may be longer. */
export const SHORTEST_PERIOD_DAYS: Readonly<Record<CalendarPeriod, number>> = {
  week: 7,
  month: 28,
  quarter: 90,
};

/** The longest a period can be, which the rules' look-back and the retention must cover. */
export const LONGEST_PERIOD_DAYS: Readonly<Record<CalendarPeriod, number>> = {
  week: 7,
  month: 31,
  quarter: 92,
};

/** Whether Node.js' time zone database knows the zone, as Intl reads it. */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** OpenSLO's calendar start: a local date and time, `2022-01-01 12:00:00`. */
const START_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** Where each period starts, in its time zone: seconds after the calendar's own start, and for quarters the month. */
export interface CalendarAnchor {
  /** Seconds after Monday 00:00 (week) or the 1st 00:00 (month, quarter). */
  readonly shift: number;
  /** The months after January, April, July or October a quarter starts in (0 to 2). */
  readonly monthOffset: number;
}

/** The anchor of a start time, or why the stack cannot start periods there. */
export function calendarAnchor(
  calendar: CalendarPeriod,
  startTime: string | undefined,
): CalendarAnchor | { readonly problem: string } {
  if (startTime === undefined) return { shift: 0, monthOffset: 0 };
  const [, year, month, day, hour, minute, second] = (START_TIME.exec(startTime) ?? []).map(Number);
  if (year === undefined) {
    return { problem: "must be a local date and time such as 2026-01-01 00:00:00" };
  }
  if (second !== 0 || minute % 15 !== 0) {
    return { problem: "must start on a quarter hour (00, 15, 30 or 45 minutes, 0 seconds)" };
  }
  if (calendar !== "week" && day > 28) {
    return { problem: `must start a ${calendar} on a day from the 1st to the 28th, which every month has` };
  }
  const time = hour * 3600 + minute * 60;
  if (calendar === "week") {
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    return { shift: ((weekday + 6) % 7) * 86400 + time, monthOffset: 0 };
  }
  return { shift: (day - 1) * 86400 + time, monthOffset: calendar === "quarter" ? (month - 1) % 3 : 0 };
}

export const calendarWindow = z
  .object({
    // A string checked by a refinement, not an enum: a window of another kind is then refused
    // naming this field, where an enum would fail the whole union of rolling and calendar windows.
    calendar: z
      .string()
      .refine((c): c is CalendarPeriod => (CALENDAR_PERIODS as readonly string[]).includes(c), {
        message: `must be one of ${CALENDAR_PERIODS.map((p) => JSON.stringify(p)).join(", ")}`,
      })
      .describe("The period the budget is counted over: week (from Monday), month or quarter."),
    timeZone: z
      .string()
      .refine(knownTimeZone, "must be an IANA time zone such as Europe/Berlin, America/New_York or UTC")
      .describe("The time zone whose midnight starts each period, e.g. Europe/Berlin."),
    startTime: z
      .string()
      .optional()
      .describe(
        "A local date and time a period starts at (OpenSLO's calendar.startTime, e.g. 2026-01-05 09:00:00): the others start as far from it as a whole number of periods; default Monday 00:00, the 1st 00:00, 1 January 00:00.",
      ),
  })
  .strict()
  .superRefine((window, ctx) => {
    if (!(CALENDAR_PERIODS as readonly string[]).includes(window.calendar)) return;
    const anchor = calendarAnchor(window.calendar, window.startTime);
    if ("problem" in anchor) {
      ctx.addIssue({ code: "custom", path: ["startTime"], message: anchor.problem });
    }
  });

export type CalendarWindow = Omit<z.output<typeof calendarWindow>, "calendar"> & {
  readonly calendar: CalendarPeriod;
};
/** A rolling window (`28d`) or a calendar period in a time zone. */
export type ComplianceWindow = string | CalendarWindow;

export const isCalendar = (window: ComplianceWindow): window is CalendarWindow => typeof window !== "string";

/** The window's length, or a calendar period's shortest. */
export const windowShortestMs = (window: ComplianceWindow): number =>
  isCalendar(window) ? SHORTEST_PERIOD_DAYS[window.calendar] * DAY_MS : durationMs(window);

/** The window's length, or a calendar period's longest. */
export const windowLongestMs = (window: ComplianceWindow): number =>
  isCalendar(window) ? LONGEST_PERIOD_DAYS[window.calendar] * DAY_MS : durationMs(window);

/** The window as people read it: `28d`, `calendar month (Europe/Berlin)`, `calendar week from 2022-01-01 12:00:00 (America/New_York)`. */
export const windowText = (window: ComplianceWindow): string =>
  isCalendar(window)
    ? `calendar ${window.calendar}${window.startTime === undefined ? "" : ` from ${window.startTime}`} (${window.timeZone})`
    : window;

/** The first and last years whose offset changes the rules carry; past the last, the offset stays as it is then. */
export const OFFSET_YEARS = { first: 2024, last: 2040 } as const;

/** The zone's offset from UTC at `ms`, in seconds, as Intl gives it ("GMT+05:30"). */
function offsetSeconds(format: Intl.DateTimeFormat, ms: number): number {
  const name = format.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const [, sign, hours, minutes = "0"] = /^GMT(?:([+-])(\d\d?)(?::(\d\d))?)?$/.exec(name) ?? [];
  if (sign === undefined) return 0;
  return (sign === "-" ? -1 : 1) * (Number(hours) * 3600 + Number(minutes) * 60);
}

/** Where a zone's offset from UTC changes, in UTC seconds, and the offset from then on. */
export interface OffsetChange {
  readonly at: number;
  readonly offset: number;
}

/**
 * The zone's offset at the start of OFFSET_YEARS.first, and every change until the end of
 * OFFSET_YEARS.last, each to the second: a change between two hourly samples is found by halving.
 */
export function utcOffsets(zone: string): {
  readonly initial: number;
  readonly changes: readonly OffsetChange[];
} {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
  const at = (ms: number) => offsetSeconds(format, ms);
  const start = Date.UTC(OFFSET_YEARS.first, 0, 1);
  const end = Date.UTC(OFFSET_YEARS.last + 1, 0, 1);
  const step = 6 * 3600 * 1000;
  const initial = at(start);
  const changes: OffsetChange[] = [];
  let previous = initial;
  for (let t = start + step; t <= end; t += step) {
    const offset = at(t);
    if (offset === previous) continue;
    let [low, high] = [t - step, t];
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2000) * 1000;
      if (at(middle) === previous) low = middle;
      else high = middle;
    }
    changes.push({ at: high / 1000, offset });
    previous = offset;
  }
  return { initial, changes };
}
