import {
  ComplianceWindow,
  LONGEST_PERIOD_DAYS,
  isCalendar,
  windowLongestMs,
  windowText,
} from "../slo/calendarWindows";
import { DAY_MS, durationMs } from "../durations";
import { duration } from "../fields";
import { rawRetention } from "./objectStorage";
import { queryReach } from "../promql/queryReach";

// A rule reads no further back than its evaluator keeps. Without metrics.objectStorage Prometheus
// evaluates every rule, over what it keeps (metrics.retentionTime); with it, Thanos Ruler evaluates
// the rules that read further back than that, over the bucket, whose raw samples (the only ones a
// ruler's queries read) are kept metrics.objectStorage.retention.raw. A window longer than its
// evaluator keeps would be the ratio of what is left: refused here, naming both keys.

/**
 * A Prometheus retention that reaches every window SLO files can name (a calendar quarter's 92 days):
 * for reading others' SLO files by what they say, not by what one stack keeps.
 */
export const EVERY_WINDOW_RETENTION = `${LONGEST_PERIOD_DAYS.quarter}d`;

/** The longest window the SLO engine records for every SLO: its ticket's slow burn. */
export const LONGEST_BURN_WINDOW = "3d";

interface ReachSettings {
  readonly retentionTime: string;
  readonly objectStorage?: { readonly retention: { readonly raw: string } };
}

/** What evaluates the rules that read furthest back, how far back it reads, and the key that says so. */
interface Evaluator {
  readonly ms: number;
  readonly key: string;
  readonly value: string;
  /** How to let it read further back. */
  readonly remedy: string;
}

/** Undefined where the key that says how far back is refused: its own check names it. */
export function furthestEvaluator(metrics: ReachSettings): Evaluator | undefined {
  const raw = metrics.objectStorage?.retention.raw;
  const valid = raw === undefined ? duration.safeParse(metrics.retentionTime) : rawRetention.safeParse(raw);
  if (!valid.success) return undefined;
  return raw === undefined
    ? {
        ms: durationMs(metrics.retentionTime),
        key: "metrics.retentionTime",
        value: metrics.retentionTime,
        remedy:
          "Prometheus evaluates every rule over the history it keeps; keep more, or set metrics.objectStorage, whose Thanos Ruler evaluates the long windows over the bucket",
      }
    : {
        // 0d keeps raw samples forever.
        ms: durationMs(raw) === 0 ? Infinity : durationMs(raw),
        key: "metrics.objectStorage.retention.raw",
        value: raw,
        remedy:
          "Thanos Ruler evaluates the long windows over the bucket's raw samples only; keep them longer",
      };
}

/** "30d, longer than metrics.retentionTime (7d): …" where `window` is longer than `evaluator` keeps, else undefined. */
export function windowBeyond(window: ComplianceWindow, evaluator: Evaluator): string | undefined {
  // A window of no known length is refused by its own check.
  if (!(windowLongestMs(window) > evaluator.ms)) return undefined;
  const length = isCalendar(window) ? ` (up to ${windowLongestMs(window) / DAY_MS}d)` : "";
  return `${windowText(window)}${length}, longer than ${evaluator.key} (${evaluator.value}): ${evaluator.remedy}`;
}

/** A reach in the units people write windows in: `28d`, `26h`, `90m`. */
const reachText = (ms: number) =>
  ms % DAY_MS === 0
    ? `${ms / DAY_MS}d`
    : ms % 3600000 === 0
      ? `${ms / 3600000}h`
      : `${Math.ceil(ms / 60000)}m`;

/** Why a rule expression reads further back than `evaluator` keeps, or undefined. */
export function ruleBeyond(expr: string, evaluator: Evaluator): string | undefined {
  const { reachMs } = queryReach(expr);
  return reachMs <= evaluator.ms
    ? undefined
    : `reads ${reachText(reachMs)} back, longer than ${evaluator.key} (${evaluator.value}): ${evaluator.remedy}`;
}
