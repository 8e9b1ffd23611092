import { z } from "zod";
import { Identity, dnsLabel, named, strict } from "../fields";

// Alertmanager's time intervals (`alerting.timeIntervals`), checked by the rules Alertmanager's
// timeinterval package applies when it loads its config (v0.28.1), so that what the config accepts
// Alertmanager loads. A few values Alertmanager takes are refused: a month outside 1-12 or a year
// below 1, which no time falls in, a sign before a month or a year (+3), and any location but UTC
// (see LOCATION_MESSAGE).

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
] as const;

/** A list entry as the CLI stores it: `pulumi config set --path` writes a whole number as a number. */
const rangeText = (pattern: RegExp, message: string) =>
  z.preprocess(
    (value) => (typeof value === "number" ? String(value) : value),
    z.string().regex(pattern, message),
  ) as unknown as z.ZodEffects<z.ZodString, string, string | number>;

/**
 * A range as Alertmanager reads it, `first:last` or one member alone, each member a name in any
 * case (`names[i]` stands for min + i) or, where `numbers`, a number from min to max; the last must
 * not come before the first.
 */
function inclusiveRange(options: {
  readonly pattern: RegExp;
  readonly allowed: string;
  readonly names?: readonly string[];
  readonly numbers: boolean;
  readonly min: number;
  readonly max: number;
  readonly order: string;
}) {
  const memberValue = (member: string): number | undefined => {
    const named = options.names?.indexOf(member.toLowerCase()) ?? -1;
    if (named >= 0) return options.min + named;
    const number = options.numbers && /^\d+$/.test(member) ? Number(member) : undefined;
    return number !== undefined && number >= options.min && number <= options.max ? number : undefined;
  };
  return rangeText(options.pattern, `must be ${options.allowed}`).superRefine((text, ctx) => {
    if (!options.pattern.test(text)) return;
    const members = text.split(":").map(memberValue);
    if (members.some((m) => m === undefined)) {
      ctx.addIssue({ code: "custom", message: `must be ${options.allowed}` });
    } else if ((members[0] ?? 0) > (members[members.length - 1] ?? 0)) {
      ctx.addIssue({ code: "custom", message: `must not end before it starts: ${options.order}` });
    }
  });
}

const weekdayRange = inclusiveRange({
  pattern: /^[a-zA-Z]+(:[a-zA-Z]+)?$/,
  allowed: `a weekday (${WEEKDAYS.join(", ")}; any case) or a range of them such as monday:friday`,
  names: WEEKDAYS,
  numbers: false,
  min: 0,
  max: 6,
  order: "a week runs from sunday to saturday, so write saturday:sunday as two entries, saturday and sunday",
});

const monthRange = inclusiveRange({
  pattern: /^[a-zA-Z0-9]+(:[a-zA-Z0-9]+)?$/,
  allowed: "a month (january to december, any case, or 1 to 12) or a range of them such as january:march",
  names: MONTHS,
  numbers: true,
  min: 1,
  max: 12,
  order:
    "a year runs from january to december, so write november:february as november:december and january:february",
});

const yearRange = inclusiveRange({
  pattern: /^\d+(:\d+)?$/,
  allowed: "a year such as 2026 or a range of years such as 2026:2027",
  numbers: true,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  order: "give the earlier year first",
});

// A day counted back from the month's end (-1 its last) is placed in a month of 28 days for the
// order check, as Alertmanager does: 25:-3 would end before it starts in February.
const SHORTEST_MONTH = 28;
const DAY_OF_MONTH = /^([+-]?\d+)(:([+-]?\d+))?$/;
const dayOfMonthAllowed =
  "a day of the month (1 to 31, or -1 to -31 counted back from its last day) or a range of them such as 1:7 or -7:-1";
const dayOfMonthRange = rangeText(DAY_OF_MONTH, `must be ${dayOfMonthAllowed}`).superRefine((text, ctx) => {
  const [, first, , last = first] = DAY_OF_MONTH.exec(text) ?? [];
  if (first === undefined) return;
  const [start, end] = [Number(first), Number(last)];
  const problem = [start, end].some((day) => day === 0 || Math.abs(day) > 31)
    ? `must be ${dayOfMonthAllowed}`
    : start < 0 && end > 0
      ? "must end on a day counted back from the month's end when it starts on one, such as -7:-1"
      : (start < 0 ? SHORTEST_MONTH + start : start) > (end < 0 ? SHORTEST_MONTH + end : end)
        ? `must not end before it starts, in a month of ${SHORTEST_MONTH} days as in any other`
        : undefined;
  if (problem !== undefined) {
    ctx.addIssue({ code: "custom", message: problem });
  }
});

const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const timeRangeSchema = strict({
  start: z
    .string()
    .regex(START_TIME, "must be a time of day from 00:00 to 23:59 (HH:MM, UTC)")
    .describe("Where the range starts, included."),
  end: z
    .string()
    .regex(END_TIME, "must be a time of day from 00:00 to 24:00 (HH:MM, UTC)")
    .describe("Where the range ends, excluded; 24:00 is the end of the day."),
}).superRefine((range, ctx) => {
  // HH:MM texts order as the times do.
  if (START_TIME.test(range.start) && END_TIME.test(range.end) && range.start >= range.end) {
    ctx.addIssue({
      code: "custom",
      path: ["end"],
      message: `must be after start (${range.start}): a range cannot pass midnight, so write 22:00-06:00 as 22:00-24:00 and 00:00-06:00`,
    });
  }
});
/** A range of the day, `start` included, `end` excluded, both HH:MM in UTC. */
export interface TimeRange extends Identity<z.input<typeof timeRangeSchema>> {}

/**
 * Alertmanager reads a location's zone from the machine's time zone database (or ZONEINFO), and
 * refuses its whole config when the zone is not there; its image is built without the database
 * compiled in, and its base image's copy of the database is not something this program can check.
 */
const LOCATION_MESSAGE =
  "must be UTC: Alertmanager's image may hold no time zone database, and an unknown zone stops it from loading its config; give the times in UTC";

const periodSchema = strict({
  times: z
    .array(named<TimeRange>()(timeRangeSchema))
    .optional()
    .describe("Ranges of the day, in UTC; unset: all day."),
  weekdays: z.array(weekdayRange).optional().describe("Weekdays or ranges of them; unset: every day."),
  daysOfMonth: z
    .array(dayOfMonthRange)
    .optional()
    .describe("Days of the month or ranges of them, negative counting back from its last; unset: every day."),
  months: z.array(monthRange).optional().describe("Months or ranges of them; unset: every month."),
  years: z.array(yearRange).optional().describe("Years or ranges of them; unset: every year."),
  location: z
    .string()
    .regex(/^UTC$/, LOCATION_MESSAGE)
    .optional()
    .describe("The time zone the times and days are read in: UTC, the only one the stack takes."),
});
/** One period of a time interval: all the fields it sets must hold at once; one left out holds always. */
export interface TimeIntervalPeriod extends Identity<z.input<typeof periodSchema>> {}

const timeIntervalSchema = strict({
  name: dnsLabel.describe(
    "The interval's name, which alerting.routes[].muteTimeIntervals and activeTimeIntervals give.",
  ),
  periods: z
    .array(named<TimeIntervalPeriod>()(periodSchema))
    .min(1, "must list at least one period")
    .describe("When the interval holds: during any of these periods."),
});
/** A named time interval (`alerting.timeIntervals`), which routes mute or notify during. */
export interface AlertTimeInterval extends Identity<z.input<typeof timeIntervalSchema>> {}
export const timeInterval = named<AlertTimeInterval>()(timeIntervalSchema);
