import { GAP_STEP_S, gapsOf } from "../../../../review/history/backtest";
import { HistorySource } from "../../../../review/history/queryHistory";
import { listen } from "../../../kit/httpServers";

const HOUR_S = 3600;
const DAY_S = 86400;
const END = 100 * DAY_S;
const PERIOD = { start: END - 14 * DAY_S, end: END };
/** The span of the rule's own requests: 10,000 evaluations 15 s apart. */
const RULE_SPAN_S = 10_000 * 15;
/** `up` has no sample for these three hours; `scrape_samples_scraped` always has one. */
const OUTAGE = { from: END - 3 * DAY_S, to: END - 3 * DAY_S + 3 * HOUR_S };

/**
 * A stand-in Thanos Query over a store gateway whose chunks limit refuses any request reading more
 * than the rule's span, as the rendered one refused the gap query of a rule reading 480 series at
 * prod's rated load over 14 days (each request reads every chunk of its range). It answers the gap
 * query's `count by (__name__)` from the outage above.
 */
async function limitedQuery() {
  const spans: number[] = [];
  const server = await listen((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const params = new URLSearchParams(body);
      const [start, end, step] = ["start", "end", "step"].map((k) => Number(params.get(k)));
      spans.push(end - start);
      response.writeHead(end - start > RULE_SPAN_S ? 422 : 200, { "Content-Type": "application/json" });
      if (end - start > RULE_SPAN_S) {
        response.end(
          JSON.stringify({
            status: "error",
            errorType: "execution",
            error:
              "expanding series: proxy Series(): rpc error: code = Aborted desc = receive series from Addr: 127.0.0.1:24694: rpc error: code = ResourceExhausted desc = exceeded chunks limit: limit 833333 violated (got 833356)",
          }),
        );
        return;
      }
      const times: number[] = [];
      for (let t = start; t <= end; t += step) times.push(t);
      const values = (name: string) =>
        times.filter((t) => name !== "up" || t < OUTAGE.from || t >= OUTAGE.to).map((t) => [t, "91"]);
      response.end(
        JSON.stringify({
          status: "success",
          data: {
            resultType: "matrix",
            result: ["up", "scrape_samples_scraped"]
              .map((name) => ({ metric: { __name__: name }, values: values(name) }))
              .filter((s) => s.values.length > 0),
          },
        }),
      );
    });
  });
  const source: HistorySource = {
    url: `http://127.0.0.1:${server.port}`,
    headers: {},
    maxSeries: 1000,
    maxSamples: 1e8,
    engine: "thanos",
    retryWaitMs: 1,
  };
  return { server, source, spans };
}

test("gaps are looked for in requests no longer than the rule's own, so a store's limit that lets the rule through lets them through", async () => {
  const { server, source, spans } = await limitedQuery();
  try {
    expect(await gapsOf(["scrape_samples_scraped", "up"], source, PERIOD, RULE_SPAN_S)).toEqual([
      { from: OUTAGE.from, to: OUTAGE.to, missing: ["up"] },
    ]);
    expect(Math.max(...spans)).toBeLessThanOrEqual(RULE_SPAN_S);
    // 14 days in requests of 41.6 hours: 9 of them.
    expect(spans).toHaveLength(
      Math.ceil((14 * DAY_S + GAP_STEP_S) / (Math.floor(RULE_SPAN_S / GAP_STEP_S) * GAP_STEP_S)),
    );
  } finally {
    await server.close();
  }
});

test("a window the store's limit refuses is asked again as its two halves, until each gets through", async () => {
  const { server, source, spans } = await limitedQuery();
  try {
    expect(await gapsOf(["scrape_samples_scraped", "up"], source, PERIOD, 14 * DAY_S)).toEqual([
      { from: OUTAGE.from, to: OUTAGE.to, missing: ["up"] },
    ]);
    // 14 days refused, then its halves of 7, 3.5 and 1.75 days (a little over the limit's 41.7
    // hours): 15 refusals; 16 windows of 0.87 days answered, and the period's last step.
    expect(spans.filter((span) => span > RULE_SPAN_S)).toHaveLength(15);
    expect(spans.filter((span) => span <= RULE_SPAN_S)).toEqual([...Array(16).fill(75000), 0]);
  } finally {
    await server.close();
  }
});
