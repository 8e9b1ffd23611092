// The waits on a slow thing: a wait that follows progress goes on while the thing advances and
// gives up only when it stalls, or at its overall bound. Run on jest's clock, so no timing decides.
import { eventuallyWhileProgressing } from "../../kit/processes";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Settles `promise` by advancing the clock in poll-sized steps, up to `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T>> {
  const settled = Promise.allSettled([promise]).then(([result]) => result);
  let done: PromiseSettledResult<T> | undefined;
  void settled.then((result) => (done = result));
  for (let waited = 0; done === undefined && waited < ms; waited += 250) {
    await jest.advanceTimersByTimeAsync(250);
  }
  return done ?? { status: "rejected", reason: new Error(`still waiting after ${ms} ms`) };
}

const BOUNDS = { stallMs: 2_000, timeoutMs: 60_000 };

test("goes on past the stall bound while the thing advances, and returns once it is done", async () => {
  let polls = 0;
  const result = await within(
    eventuallyWhileProgressing(
      () => {
        polls += 1;
        return Promise.resolve({ value: polls >= 40 ? polls : undefined, progress: `${polls} blocks` });
      },
      "the compactor catching up",
      BOUNDS,
    ),
    20_000,
  );
  expect(result).toEqual({ status: "fulfilled", value: 40 });
});

test("gives up once nothing has changed for the stall bound, saying so and what it saw", async () => {
  let polls = 0;
  const result = await within(
    eventuallyWhileProgressing(
      () => {
        polls += 1;
        return Promise.resolve({ progress: polls < 8 ? `${polls} blocks` : "8 blocks" });
      },
      "the compactor catching up",
      BOUNDS,
      () => "thanos_compact_todo_compactions 3",
    ),
    20_000,
  );
  expect(result).toEqual({
    status: "rejected",
    reason: new Error(
      "timed out after 4 s, the last 2 s without progress waiting for the compactor catching up; seen: thanos_compact_todo_compactions 3",
    ),
  });
});

test("gives up at the overall bound however it advances", async () => {
  let polls = 0;
  const result = await within(
    eventuallyWhileProgressing(
      () => {
        polls += 1;
        return Promise.resolve({ progress: `${polls} blocks` });
      },
      "the compactor catching up",
      { stallMs: 2_000, timeoutMs: 10_000 },
    ),
    20_000,
  );
  expect(result).toEqual({
    status: "rejected",
    reason: new Error("timed out after 10 s waiting for the compactor catching up"),
  });
});
