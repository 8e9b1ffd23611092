import { withoutStackTraces } from "../../../render/withoutStackTraces";

class Refusal extends Error {}
const isRefusal = (error: unknown) => error instanceof Refusal;
const frames = (error: Error) =>
  (error.stack ?? "").split("\n").filter((line) => line.includes(" at ")).length;
/** A render's body: `body` after a turn of the event loop, as a render awaits its registrations. */
const later =
  <T>(body: () => T) =>
  async (): Promise<T> => {
    await new Promise((resolve) => setImmediate(resolve));
    return body();
  };

test("a render runs with stack traces off, and the limit is as it was after", async () => {
  const before = Error.stackTraceLimit;
  const seen = await withoutStackTraces(
    later(() => frames(new Error("inside"))),
    isRefusal,
  );
  expect(seen).toBe(0);
  expect(Error.stackTraceLimit).toBe(before);
});

test("renders that overlap keep traces off until the last of them ends, whichever ends first", async () => {
  const before = Error.stackTraceLimit;
  const gate = () => {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  };
  const [a, b] = [gate(), gate()];
  const first = withoutStackTraces(() => a.opened, isRefusal);
  const second = withoutStackTraces(async () => {
    await b.opened;
    return frames(new Error("after the first render ended"));
  }, isRefusal);
  a.open();
  await first;
  expect(Error.stackTraceLimit).toBe(0);
  b.open();
  expect(await second).toBe(0);
  expect(Error.stackTraceLimit).toBe(before);
});

test("a fault runs the render again with traces, so its error says where; an expected error does not", async () => {
  let runs = 0;
  const fault = await withoutStackTraces(
    later(() => {
      runs += 1;
      throw new Error("a program fault");
    }),
    isRefusal,
  ).catch((error: Error) => error);
  expect(runs).toBe(2);
  expect(frames(fault)).toBeGreaterThan(0);

  runs = 0;
  const refusal = await withoutStackTraces(
    later(() => {
      runs += 1;
      throw new Refusal("a config error");
    }),
    isRefusal,
  ).catch((error: Error) => error);
  expect(runs).toBe(1);
  expect(refusal).toBeInstanceOf(Refusal);
});
