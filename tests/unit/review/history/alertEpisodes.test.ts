import { Answers, firingEpisodes } from "../../../../review/history/alertEpisodes";

/** Evaluations every 60 s from 0 to 3600; the series answered at the minutes given (inclusive ranges). */
function answers(...ranges: [number, number][]): Answers {
  const times = Array.from({ length: 61 }, (_, i) => i * 60);
  const at = times.filter((t) => ranges.some(([from, to]) => t >= from * 60 && t <= to * 60));
  return { times, series: [{ labels: { instance: "a" }, at }] };
}

const fired = (a: Answers, forMinutes: number, keepMinutes = 0) =>
  firingEpisodes(a, { forSeconds: forMinutes * 60, keepFiringForSeconds: keepMinutes * 60 }).map((e) => [
    e.firedAt / 60,
    e.resolvedAt / 60,
    e.ongoing,
  ]);

test("without for, an alert fires at the first evaluation that answers and resolves at the first that does not", () => {
  expect(fired(answers([10, 14], [30, 30]), 0)).toEqual([
    [10, 15, false],
    [30, 31, false],
  ]);
});

test("with for, it is pending until the condition has held that long; a shorter run never fires", () => {
  // Held 10:00–14:00 (5 evaluations, 4 minutes), then 30:00–45:00.
  expect(fired(answers([10, 14], [30, 45]), 5)).toEqual([[35, 46, false]]);
  expect(fired(answers([10, 14], [30, 45]), 4)).toEqual([
    [14, 15, false],
    [34, 46, false],
  ]);
});

test("keep_firing_for holds a firing alert through a gap shorter than it, and only a firing one", () => {
  // Two runs with a 3-minute gap: one episode with keep_firing_for 5m, two without.
  expect(fired(answers([10, 20], [24, 30]), 2, 5)).toEqual([[12, 36, false]]);
  expect(fired(answers([10, 20], [24, 30]), 2)).toEqual([
    [12, 21, false],
    [26, 31, false],
  ]);
  // A pending alert is dropped at once: the second run starts its for again.
  expect(fired(answers([10, 11], [13, 20]), 5, 10)).toEqual([[18, 31, false]]);
});

test("an alert still firing at the last evaluation is ongoing", () => {
  expect(fired(answers([50, 60]), 5)).toEqual([[55, 60, true]]);
});
