// The Loki stand-in on fixture pushes: protobuf compressed with snappy (encoded here with
// google-protobuf's writer and snappyjs, not with the stand-in's own decoder) and JSON, each
// query kind, the stack's rendered LogQL (dashboards and alert rules), and refused constructs.
import { BinaryWriter } from "google-protobuf";
import { compress } from "snappyjs";
import * as yaml from "js-yaml";
import { rendered } from "../../support/renderedStacks";
import { dashboardExprs } from "../../support/dashboards";
import { configMapData } from "../../kit/rendered";
import { Json } from "../../kit/json";
import { LokiStandIn, lokiStandInOptions, startLokiStandIn } from "../../kit/lokiStandIn";

const NS_PER_MS = 1_000_000n;
const nowNs = () => BigInt(Date.now()) * NS_PER_MS;

interface FixtureEntry {
  readonly ns: bigint;
  readonly line: string;
  readonly metadata?: Record<string, string>;
}

/** A push as Alloy's loki.write sends it: push.proto's PushRequest, snappy block-compressed. */
function protobufPush(streams: readonly { labels: string; entries: readonly FixtureEntry[] }[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const stream of streams) {
    writer.writeMessage(1, stream, (s: typeof stream, w: BinaryWriter) => {
      w.writeString(1, s.labels);
      for (const entry of s.entries) {
        w.writeMessage(2, entry, (e: FixtureEntry, ew: BinaryWriter) => {
          ew.writeMessage(1, e, (t: FixtureEntry, tw: BinaryWriter) => {
            tw.writeInt64String(1, String(t.ns / 1_000_000_000n));
            tw.writeInt32(2, Number(t.ns % 1_000_000_000n));
          });
          ew.writeString(2, e.line);
          for (const [name, value] of Object.entries(e.metadata ?? {})) {
            ew.writeMessage(3, [name, value], (pair: string[], pw: BinaryWriter) => {
              pw.writeString(1, pair[0]);
              pw.writeString(2, pair[1]);
            });
          }
        });
      }
      w.writeUint64String(3, "12345");
    });
  }
  return compress(writer.getResultBuffer());
}

async function post(
  loki: LokiStandIn,
  body: Uint8Array | string,
  contentType: string,
  headers = loki.headers,
) {
  return fetch(`${loki.base}/loki/api/v1/push`, {
    method: "POST",
    headers: { "Content-Type": contentType, ...headers },
    body,
  });
}

const jsonPush = (stream: Record<string, string>, values: [string, string, Record<string, string>?][]) =>
  JSON.stringify({ streams: [{ stream, values }] });

async function get(loki: LokiStandIn, path: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${loki.base}${path}?${new URLSearchParams(params).toString()}`, { headers: loki.headers });
}

async function data(loki: LokiStandIn, path: string, params: Record<string, string>): Promise<Json> {
  const response = await get(loki, path, params);
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${path} ${params.query ?? ""}: ${response.status} ${text}`);
  }
  const body = JSON.parse(text) as Json;
  expect(body.status).toBe("success");
  return body.data;
}

describe("the Loki stand-in, with the prod render's limits (auth on)", () => {
  let loki: LokiStandIn;
  const base = nowNs() - 60_000n * NS_PER_MS;

  beforeAll(async () => {
    const { objects } = await rendered("prod");
    loki = await startLokiStandIn(lokiStandInOptions(objects, "tiketi"));
  });

  afterAll(() => loki.stop());

  test("a protobuf push compressed with snappy is stored: stream labels, service_name from app, structured metadata", async () => {
    const response = await post(
      loki,
      protobufPush([
        {
          labels: '{namespace="tiketi-spring", app="ticket-service", level="info"}',
          entries: [
            { ns: base, line: "reserved seat A-12", metadata: { trace_id: "abc123" } },
            { ns: base + 1n, line: "released seat A-12" },
          ],
        },
      ]),
      "application/x-protobuf",
    );
    expect(response.status).toBe(204);
    const result = await data(loki, "/loki/api/v1/query_range", {
      query: '{app="ticket-service"}',
      direction: "forward",
    });
    expect(result.resultType).toBe("streams");
    expect(result.result).toEqual([
      {
        stream: {
          app: "ticket-service",
          level: "info",
          namespace: "tiketi-spring",
          service_name: "ticket-service",
          trace_id: "abc123",
        },
        values: [[String(base), "reserved seat A-12"]],
      },
      {
        stream: {
          app: "ticket-service",
          level: "info",
          namespace: "tiketi-spring",
          service_name: "ticket-service",
        },
        values: [[String(base + 1n), "released seat A-12"]],
      },
    ]);
  });

  test("a push without the tenant header is refused where auth is on, and tenants do not see each other's lines", async () => {
    const body = jsonPush({ app: "other" }, [[String(base), "x"]]);
    expect((await post(loki, body, "application/json", {})).status).toBe(401);
    expect((await post(loki, body, "application/json", { "X-Scope-OrgID": "someone-else" })).status).toBe(
      204,
    );
    const mine = await data(loki, "/loki/api/v1/query_range", { query: '{app="other"}' });
    expect(mine.result).toEqual([]);
  });

  test("JSON push: a duplicate (same time, same line) is dropped, out-of-order within half max_chunk_age kept, further behind and too old refused with the rest kept", async () => {
    const stream = { app: "queue-service", namespace: "tiketi-spring" };
    const t = base + 10_000n * NS_PER_MS;
    expect((await post(loki, jsonPush(stream, [[String(t), "first"]]), "application/json")).status).toBe(204);
    const second = await post(
      loki,
      jsonPush(stream, [
        [String(t), "first"], // duplicate
        [String(t), "same time, other line"],
        [String(t - 30n * 60_000n * NS_PER_MS), "half an hour behind"],
        [String(t - 2n * 3_600_000n * NS_PER_MS), "two hours behind"],
        [String(nowNs() - 200n * 3_600_000n * NS_PER_MS), "older than 168h"],
      ]),
      "application/json",
    );
    expect(second.status).toBe(400);
    const refusal = await second.text();
    expect(refusal).toMatch(/entry too far behind/);
    expect(refusal).toMatch(/timestamp too old/);
    const result = await data(loki, "/loki/api/v1/query_range", {
      query: '{app="queue-service"}',
      start: String(t - 3n * 3_600_000n * NS_PER_MS),
      end: String(t + 1n),
      direction: "forward",
    });
    expect(result.result.flatMap((s: Json) => s.values.map((v: string[]) => v[1]))).toEqual([
      "half an hour behind",
      "first",
      "same time, other line",
    ]);
  });

  describe("queries", () => {
    const app = "payment-service";
    const t0 = base + 20_000n * NS_PER_MS;
    beforeAll(async () => {
      const lines: [string, string, Record<string, string>?][] = [
        [String(t0), '{"level":"error","msg":"declined","user":{"id":7}}'],
        [String(t0 + 1n), '{"level":"info","msg":"paid","user":{"id":8}}'],
        [String(t0 + 2n), 'level=error msg="gateway timeout" attempt=3'],
        [String(t0 + 3n), "not json at all", { trace_id: "t-1" }],
      ];
      expect(
        (
          await post(
            loki,
            jsonPush({ app, namespace: "tiketi-spring", level: "error" }, lines),
            "application/json",
          )
        ).status,
      ).toBe(204);
    });

    const lines = (result: Json): string[] =>
      result.result.flatMap((s: Json) => s.values.map((v: string[]) => v[1]));
    const range = { start: String(t0 - 1n), end: String(t0 + 10n), direction: "forward" };

    test("line filters |=, !=, |~, !~ (RE2, unanchored)", async () => {
      const q = (query: string) => data(loki, "/loki/api/v1/query_range", { query, ...range });
      expect(lines(await q(`{app="${app}"} |= "declined"`))).toEqual([
        '{"level":"error","msg":"declined","user":{"id":7}}',
      ]);
      expect(lines(await q(`{app="${app}"} != "json" |~ "time(out)?" `))).toEqual([
        'level=error msg="gateway timeout" attempt=3',
      ]);
      expect(lines(await q(`{app="${app}"} !~ "^[{]"`))).toHaveLength(2);
    });

    test("| json flattens nested keys and marks lines it cannot parse; label filters then select", async () => {
      const parsed = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"} |= "paid" | json`,
        ...range,
      });
      expect(parsed.result[0].stream).toMatchObject({
        level: "error",
        level_extracted: "info",
        msg: "paid",
        user_id: "8",
      });
      const filtered = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"} | json | user_id="7"`,
        ...range,
      });
      expect(lines(filtered)).toEqual(['{"level":"error","msg":"declined","user":{"id":7}}']);
      const failed = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"} | json | __error__!=""`,
        ...range,
      });
      expect(lines(failed)).toEqual(['level=error msg="gateway timeout" attempt=3', "not json at all"]);
    });

    test("| logfmt extracts quoted and bare values; a structured metadata label filters", async () => {
      const parsed = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"} |= "attempt" | logfmt | msg=~"gateway.*"`,
        ...range,
      });
      expect(parsed.result[0].stream).toMatchObject({
        msg: "gateway timeout",
        attempt: "3",
        level_extracted: "error",
      });
      const byTrace = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"} | trace_id="t-1"`,
        ...range,
      });
      expect(lines(byTrace)).toEqual(["not json at all"]);
    });

    test("limit and direction: the newest entries backward, the oldest forward", async () => {
      const backward = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"}`,
        ...range,
        direction: "backward",
        limit: "1",
      });
      expect(lines(backward)).toEqual(["not json at all"]);
      const forward = await data(loki, "/loki/api/v1/query_range", {
        query: `{app="${app}"}`,
        ...range,
        limit: "1",
      });
      expect(lines(forward)).toEqual(['{"level":"error","msg":"declined","user":{"id":7}}']);
    });

    test("metric queries: count_over_time and rate, sum by, as a matrix over steps and a vector at a time", async () => {
      const at = Number(t0 / NS_PER_MS) + 1000;
      const vector = await data(loki, "/loki/api/v1/query", {
        query: `sum by (app) (count_over_time({app="${app}"}[1m]))`,
        time: String(at / 1000),
      });
      expect(vector).toEqual({
        resultType: "vector",
        result: [{ metric: { app }, value: [at / 1000, "4"] }],
      });
      const rate = await data(loki, "/loki/api/v1/query", {
        query: `sum(rate({app="${app}"} |= "level=error" [1m]))`,
        time: String(at / 1000),
      });
      expect(rate.result[0].value[1]).toBe(String(1 / 60));
      const matrix = await data(loki, "/loki/api/v1/query_range", {
        query: `sum by (level) (count_over_time({app="${app}"}[1m]))`,
        start: String((at - 120_000) / 1000),
        end: String((at + 120_000) / 1000),
        step: "60",
      });
      expect(matrix).toEqual({
        resultType: "matrix",
        result: [{ metric: { level: "error" }, values: [[at / 1000, "4"]] }],
      });
    });

    test("a metric query over lines a parser could not read fails, as Loki's does, until __error__ is filtered", async () => {
      const q = (query: string) =>
        get(loki, "/loki/api/v1/query", { query, time: String(Number(t0 / NS_PER_MS) / 1000 + 1) });
      expect((await q(`sum(count_over_time({app="${app}"} | json [1m]))`)).status).toBe(400);
      const kept = (await (
        await q(`sum(count_over_time({app="${app}"} | json | __error__="" [1m]))`)
      ).json()) as Json;
      expect(kept.data.result[0].value[1]).toBe("2");
    });

    test("labels, label values and series", async () => {
      const window = { start: String(t0 - 1n), end: String(t0 + 10n) };
      expect(await data(loki, "/loki/api/v1/labels", { ...window, query: `{app="${app}"}` })).toEqual([
        "app",
        "level",
        "namespace",
        "service_name",
      ]);
      expect(await data(loki, "/loki/api/v1/label/app/values", window)).toEqual([app]);
      expect(
        await data(loki, "/loki/api/v1/series", { ...window, "match[]": `{namespace="tiketi-spring"}` }),
      ).toEqual([{ app, level: "error", namespace: "tiketi-spring", service_name: app }]);
    });
  });

  test.each([
    ['topk(1, sum by (app) (count_over_time({app="a"}[1m])))', /does not evaluate .*Topk|does not evaluate/],
    ['sum(bytes_over_time({app="a"}[1m]))', /does not evaluate BytesOverTime/],
    ['{app="a"} | pattern "<ip> <_>"', /does not evaluate/],
    ['sum(count_over_time({app="a"}[1m])) > bool 1', /does not evaluate a binary operation with a modifier/],
    [
      'sum(count_over_time({app="a"}[1m])) / sum(count_over_time({app="b"}[1m]))',
      /does not evaluate the operator \//,
    ],
    ['{app="a"} | status >= 500', /does not evaluate/],
    ['{app=~".*"}', /at least one regexp or equality matcher that does not have an empty-compatible value/],
    ["sum(count_over_time({app=} [1m]))", /^parse error at line 1, col/],
  ])("%s is refused with 400, naming why", async (query, why) => {
    const response = await get(loki, "/loki/api/v1/query_range", { query });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(why);
  });

  test("a log query as an instant query is refused", async () => {
    const response = await get(loki, "/loki/api/v1/query", { query: '{app="a"}' });
    expect([response.status, await response.text()]).toEqual([400, expect.stringMatching(/use query_range/)]);
  });
});

describe("the stack's rendered LogQL on the stand-in (kind render, auth off)", () => {
  let loki: LokiStandIn;
  let objects: Awaited<ReturnType<typeof rendered>>["objects"];

  beforeAll(async () => {
    objects = (await rendered("kind")).objects;
    loki = await startLokiStandIn(lokiStandInOptions(objects, "fake"));
  });

  afterAll(() => loki.stop());

  const rule = (alert: string): string => {
    const files = Object.values(configMapData(objects, "loki-rules")).map((text) => yaml.load(text) as Json);
    return files.flatMap((f) => f.groups.flatMap((g: Json) => g.rules)).find((r: Json) => r.alert === alert)
      .expr;
  };
  const at = (query: string, ms: number) =>
    data(loki, "/loki/api/v1/query", { query, time: String(ms / 1000) });

  test("every dashboard query is answered with the lines pushed", async () => {
    const t = BigInt(Date.now() - 30_000) * NS_PER_MS;
    const pushed = await post(
      loki,
      jsonPush({ namespace: "tiketi-spring", app: "catalog-service", level: "error" }, [
        [String(t), "ERROR boom"],
      ]),
      "application/json",
    );
    expect(pushed.status).toBe(204);
    const event = await post(
      loki,
      jsonPush(
        {
          job: "kubernetes-events",
          namespace: "tiketi-spring",
          kind: "Pod",
          name: "catalog-service-7d9f8b6c5-abcde",
          reason: "BackOff",
          type: "Warning",
        },
        [
          [
            String(t),
            'name=catalog-service-7d9f8b6c5-abcde kind=Pod reason=BackOff type=Warning msg="Back-off restarting failed container"',
          ],
        ],
      ),
      "application/json",
    );
    expect(event.status).toBe(204);
    const variables = {
      namespace: "tiketi-spring",
      pod: "catalog-service-7d9f8b6c5-abcde",
      workload: "catalog-service",
    };
    const exprs = [...new Set(dashboardExprs(objects, "loki"))].map((expr) =>
      Object.entries(variables).reduce((e, [name, value]) => e.replaceAll(`$${name}`, value), expr),
    );
    expect(exprs.length).toBeGreaterThanOrEqual(4);
    const empty: string[] = [];
    for (const expr of exprs) {
      const answer = await data(loki, "/loki/api/v1/query_range", {
        query: expr.replaceAll("$__auto", "1m"),
        step: "60",
      });
      if (answer.result.length === 0) empty.push(expr);
    }
    expect(empty).toEqual([]);
  });

  test("LogErrorBurst fires for an app with more than 100 ERROR lines in 5 minutes and stays silent at 100", async () => {
    const t = Date.now() - 60_000;
    const errors = (n: number): [string, string][] =>
      Array.from({ length: n }, (_, i) => [
        String(BigInt(t) * NS_PER_MS + BigInt(i)),
        `ERROR payment ${i} declined`,
      ]);
    const stream = (app: string) => ({ namespace: "tiketi-spring", app, level: "error" });
    expect(
      (await post(loki, jsonPush(stream("payment-service"), errors(101)), "application/json")).status,
    ).toBe(204);
    expect(
      (await post(loki, jsonPush(stream("ticket-service"), errors(100)), "application/json")).status,
    ).toBe(204);
    const firing = await at(rule("LogErrorBurst"), t + 1000);
    expect(firing.result).toEqual([
      {
        metric: { app: "payment-service", namespace: "tiketi-spring", service: "payment-service" },
        value: [(t + 1000) / 1000, "101"],
      },
    ]);
  });

  test("LogsStopped fires for an app that logged in the hour before the last 15 minutes and not since, not for one still logging", async () => {
    const now = Date.now();
    const quiet = BigInt(now - 40 * 60_000) * NS_PER_MS;
    const busy = BigInt(now - 60_000) * NS_PER_MS;
    await post(
      loki,
      jsonPush({ namespace: "observability-demo", app: "gone-quiet" }, [[String(quiet), "last words"]]),
      "application/json",
    );
    await post(
      loki,
      jsonPush({ namespace: "observability-demo", app: "still-logging" }, [
        [String(quiet), "then"],
        [String(busy), "now"],
      ]),
      "application/json",
    );
    const firing = await at(rule("LogsStopped"), now);
    expect(firing.result.map((s: Json) => s.metric)).toEqual([
      { app: "gone-quiet", namespace: "observability-demo", service: "gone-quiet" },
    ]);
  });
});
