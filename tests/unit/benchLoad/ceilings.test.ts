import { Counters, IngestPath, findCeiling } from "../../../scripts/benchLoad/ceilings";

/** A path whose component takes up to `capacity` and whose bench can offer up to `offerable`. */
function path(capacity: number, offerable: number): IngestPath & { levels: number[] } {
  const levels: number[] = [];
  let level = 0;
  return {
    label: "items/s",
    levels,
    apply: (l) => {
      level = l;
      levels.push(l);
      return Promise.resolve(l);
    },
    measure: () => Promise.resolve({ level } as Counters),
    offered: (_b, after) => after.level <= offerable,
    judge: (_b, after) => (after.level > capacity ? `refused at ${after.level}` : undefined),
    rss: () => ({ rss: level * 1000, limit: 10 ** 9 }),
  };
}

test("the ceiling is the last level held, each step four times the last, then one step between the held level and the refused one, after a step back at the held level", async () => {
  const p = path(1000, Infinity);
  const ceiling = await findCeiling(p, 100, 5, 0, () => undefined);
  expect(p.levels).toEqual([100, 400, 1600, 400, 800]);
  expect(ceiling).toMatchObject({
    sustained: 800,
    rssAtSustained: 800000,
    failed: { level: 1600, reason: "refused at 1600" },
    generatorLimited: false,
  });
});

test("when the step between fails too, the ceiling is the last level held and the failure the nearer one", async () => {
  const p = path(700, Infinity);
  const ceiling = await findCeiling(p, 100, 5, 0, () => undefined);
  expect(p.levels).toEqual([100, 400, 1600, 400, 800]);
  expect(ceiling).toMatchObject({ sustained: 400, failed: { level: 800, reason: "refused at 800" } });
});

test("a failure at the first step is the whole answer: nothing held to search above", async () => {
  const p = path(50, Infinity);
  const ceiling = await findCeiling(p, 100, 5, 0, () => undefined);
  expect(p.levels).toEqual([100]);
  expect(ceiling).toMatchObject({ sustained: 0, failed: { level: 100 } });
});

test("a path whose levels only grow ends at its first failure", async () => {
  const p = { ...path(1000, Infinity), growsOnly: true };
  const ceiling = await findCeiling(p, 100, 5, 0, () => undefined);
  expect(p.levels).toEqual([100, 400, 1600]);
  expect(ceiling).toMatchObject({ sustained: 400, failed: { level: 1600 } });
});

test("a level the bench cannot offer ends the search without blaming the component", async () => {
  const ceiling = await findCeiling(path(Infinity, 500), 100, 5, 0, () => undefined);
  expect(ceiling).toMatchObject({ sustained: 400, generatorLimited: true });
  expect(ceiling.failed).toBeUndefined();
});

test("when every step holds, the last one is reported and nothing failed", async () => {
  const ceiling = await findCeiling(path(Infinity, Infinity), 100, 2, 0, () => undefined);
  expect(ceiling).toMatchObject({ sustained: 400, generatorLimited: false });
  expect(ceiling.failed).toBeUndefined();
});

test("a component that stops answering during a step fails that step", async () => {
  const p = path(Infinity, Infinity);
  let calls = 0;
  const dying = {
    ...p,
    measure: () => (++calls > 3 ? Promise.reject(new Error("fetch failed")) : p.measure()),
  };
  const ceiling = await findCeiling(dying, 100, 5, 0, () => undefined);
  expect(ceiling).toMatchObject({
    sustained: 100,
    failed: { level: 200, reason: "stopped answering: fetch failed" },
  });
});
