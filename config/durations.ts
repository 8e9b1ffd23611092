// Prometheus durations (`1h30m`, `28d`, `2w`) as numbers, for comparing windows and intervals.

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1e3,
  m: 6e4,
  h: 3.6e6,
  d: 8.64e7,
  w: 6.048e8,
  y: 3.1536e10,
};

/** Milliseconds of a duration the schema has accepted (`1h30m` → 5,400,000). */
export function durationMs(text: string): number {
  return [...text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)].reduce(
    (sum, [, count, unit]) => sum + Number(count) * DURATION_UNIT_MS[unit],
    0,
  );
}

export const DAY_MS = DURATION_UNIT_MS.d;
