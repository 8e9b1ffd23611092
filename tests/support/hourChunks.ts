// The engine records an SLO's error ratio over a window longer than a day from its hourly chunks, each
// recorded once an hour (components/metrics/configuredSlos.ts). promtool's unit tests evaluate every
// group at the file's one interval, so the corpus tests evaluate such a window's expression with each
// chunk inlined as the chunk rule's own expression at hourly steps, as the chunk group records it.
import { CHUNK } from "../../components/metrics/sloEngine";
import { durationMs } from "../../config/durations";
import { SLOPE_CHANGES } from "./sliSeries";

type Rule = { record?: string; alert?: string; expr: string; labels?: Record<string, string> };
type Group = { rules: readonly Rule[] };

/** The expression a rule set records `record` with, for the rule whose labels hold `labels`. */
export const recorded = (groups: readonly Group[], record: string, labels: Record<string, string>) =>
  groups
    .flatMap((g) => g.rules)
    .find((r) => r.record === record && Object.entries(labels).every(([k, v]) => r.labels?.[k] === v))?.expr;

/**
 * The engine's error ratio of the SLO over the window, as an expression promtool evaluates as the
 * rules record it, and whether it sums hourly chunks.
 */
export function engineRatio(
  engine: readonly Group[],
  slo: string,
  window: string,
): { expr: string | undefined; chunked: boolean } {
  const expr = recorded(engine, `slo:sli_error:ratio_rate${window}`, { slo });
  const chunkRead = /(slo:sli_\w+:hour_chunk)\{slo="[^"]*"\}\[(\w+)\]/g;
  return {
    expr: expr?.replace(
      chunkRead,
      (_, name: string, range: string) => `(${recorded(engine, name, { slo })})[${range}:${CHUNK}]`,
    ),
    chunked: expr?.includes(":hour_chunk") ?? false,
  };
}

/** How far apart two ratios of the same rates may be, relatively: floating point only. */
export const FLOATS_APART = 1e-9;

/**
 * How far apart a counter's rate over the test series' three days and the sum of its 72 hourly
 * chunks may be, relatively. Each chunk extrapolates its counter over the minute before its first
 * sample at its hour's average rate, where a rate over the window does so once: the two agree for
 * every hour whose rate is constant. An hour in which a rate changes (tests/support/sliSeries.ts)
 * may be off by its first sample's share of it, and weighs 1/72 of the window, for the bad events and
 * for the total. Runs measured at most 1.3e-5 (Sloth's corpus) and 1.5e-6 (OpenSLO's).
 */
const SAMPLE_MS = 60_000;
const HOUR_MS = durationMs(CHUNK);
const hoursWithChange = SLOPE_CHANGES.filter((minute) => (minute * SAMPLE_MS) % HOUR_MS !== 0).length;
export const CHUNKS_APART = (2 * hoursWithChange * (SAMPLE_MS / HOUR_MS)) / 72;

/** Whether two ratios the tests evaluated agree, within the bound of how the engine reads the window. */
export const agree = (ours: number, theirs: number, chunked: boolean) =>
  Math.abs(ours - theirs) <= (chunked ? CHUNKS_APART : FLOATS_APART) * Math.max(1, Math.abs(theirs));
