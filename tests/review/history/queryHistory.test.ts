import { ATTEMPTS, HistorySource, RequestStats, queryRange } from "../../../review/history/queryHistory";
import { LocalHttpServer, listen } from "../../../testkit/httpServers";

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
  stats,
  retryWaitMs: 1,
});

test("a store that misses Query's response timeout is asked again until it answers", async () => {
  const server = await standIn([storeTimeout, storeTimeout, storeTimeout, answered]);
  const stats: RequestStats = { requests: 0, seconds: 0 };
  try {
    expect(await queryRange(sourceOf(server, stats), "slo:budget", 3600, 3600, 60)).toEqual([
      { labels: { slo: "checkout" }, samples: [[3600, 0.7]] },
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
