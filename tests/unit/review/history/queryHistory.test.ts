import { ATTEMPTS, HistorySource, RequestStats, queryRange } from "../../../../review/history/queryHistory";
import { LocalHttpServer, listen } from "../../../kit/httpServers";

/** A stand-in Thanos Query: `answers` in turn, one per request, as its HTTP API writes them. */
async function standIn(
  answers: readonly { readonly status: number; readonly body: unknown }[],
): Promise<LocalHttpServer & { readonly asked: () => number }> {
  let asked = 0;
  const server = await listen((request, response) => {
    request.resume();
    request.on("end", () => {
      const answer = answers[Math.min(asked, answers.length - 1)];
      asked++;
      response.writeHead(answer.status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(answer.body));
    });
  });
  return { ...server, asked: () => asked };
}

const storeTimeout = {
  status: 422,
  body: {
    status: "error",
    errorType: "execution",
    error:
      "receive series from store thanos-store-0: rpc error: code = DeadlineExceeded desc = context deadline exceeded",
  },
};
const answered = {
  status: 200,
  body: {
    status: "success",
    data: { resultType: "matrix", result: [{ metric: { slo: "checkout" }, values: [[3600, "0.7"]] }] },
  },
};

const sourceOf = (server: LocalHttpServer, stats: RequestStats): HistorySource => ({
  url: `http://127.0.0.1:${server.port}`,
  headers: {},
  maxSeries: 10,
  maxSamples: 1e6,
  engine: "thanos",
  stats,
  retryWaitMs: 1,
});

test("a store that misses Query's response timeout is asked again until it answers", async () => {
  const server = await standIn([storeTimeout, storeTimeout, storeTimeout, answered]);
  const stats: RequestStats = { requests: 0, seconds: 0 };
  try {
    expect(await queryRange(sourceOf(server, stats), "slo:budget", 3600, 3600, 60)).toEqual([
      { labels: { slo: "checkout" }, times: [3600], values: [0.7] },
    ]);
    expect(server.asked()).toBe(4);
    expect(stats.requests).toBe(4);
  } finally {
    await server.close();
  }
});

test("a store that never answers fails the query with its last error after every attempt", async () => {
  const server = await standIn([storeTimeout]);
  try {
    await expect(
      queryRange(sourceOf(server, { requests: 0, seconds: 0 }), "slo:budget", 3600, 3600, 60),
    ).rejects.toThrow("context deadline exceeded");
    expect(server.asked()).toBe(ATTEMPTS);
  } finally {
    await server.close();
  }
});

test("an expression Prometheus refuses is not asked again", async () => {
  const server = await standIn([
    { status: 400, body: { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' } },
    answered,
  ]);
  try {
    await expect(
      queryRange(sourceOf(server, { requests: 0, seconds: 0 }), "slo:budget}", 3600, 3600, 60),
    ).rejects.toThrow("parse error");
    expect(server.asked()).toBe(1);
  } finally {
    await server.close();
  }
});

test("a store's limit refusal is not asked again: the same range gets the same refusal", async () => {
  // As Thanos Query passed on the rendered store gateway's refusal at prod's rated load.
  const server = await standIn([
    {
      status: 422,
      body: {
        status: "error",
        errorType: "execution",
        error:
          "expanding series: proxy Series(): rpc error: code = Aborted desc = receive series from Addr: 127.0.0.1:24694 MinTime: 1794542400000 MaxTime: 1795838400001: rpc error: code = ResourceExhausted desc = receive series from 01M8G72T8H8DTCDN12J6X05B8C: rpc error: code = ResourceExhausted desc = exceeded chunks limit: limit 833333 violated (got 833356)",
      },
    },
    answered,
  ]);
  try {
    await expect(
      queryRange(sourceOf(server, { requests: 0, seconds: 0 }), "slo:budget", 3600, 3600, 60),
    ).rejects.toThrow("exceeded chunks limit");
    expect(server.asked()).toBe(1);
  } finally {
    await server.close();
  }
});

test("the same expression over the same range is asked once in a review: both sides of a `for` change read the history once", async () => {
  const server = await standIn([answered]);
  const answeredAlready = new Map();
  try {
    const source = { ...sourceOf(server, { requests: 0, seconds: 0 }), answered: answeredAlready };
    const [before, after] = [
      await queryRange(source, "slo:budget", 3600, 3600, 60),
      await queryRange(source, "slo:budget", 3600, 3600, 60),
    ];
    expect(after).toEqual(before);
    expect(server.asked()).toBe(1);
    await queryRange(source, "slo:budget", 3600, 3660, 60);
    expect(server.asked()).toBe(2);
  } finally {
    await server.close();
  }
});
