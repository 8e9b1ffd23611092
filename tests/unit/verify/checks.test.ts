import { Finding } from "../../../scripts/cli/findings";
import { Check, runChecks } from "../../../scripts/verify/checks";
import { freePort } from "../../kit/processes";
import { COLLECTOR_COUNTERS, probeSpan, sumSamples } from "../../../scripts/verify/tracesChecks";
import { canaryFindings } from "../../../scripts/verify/canaryChecks";
import { LocalHttpServer, listen } from "../../kit/httpServers";

const blocking = (message: string): Finding => ({ status: "blocking", message, fix: "fix it" });

describe("runChecks: bounded retries while the stack converges", () => {
  test("a failing check is tried again until it passes, each wait reported", async () => {
    let calls = 0;
    const progress: string[] = [];
    const check: Check = {
      name: "targets",
      fixWhenUnreachable: "-",
      run: () =>
        Promise.resolve(++calls < 3 ? [blocking(`try ${calls}`)] : [{ status: "ok", message: "up" }]),
    };
    const findings = await runChecks([check], {
      deadline: Date.now() + 5000,
      intervalMs: 10,
      progress: (l) => progress.push(l),
    });
    expect(findings).toEqual([{ status: "ok", message: "up" }]);
    expect(progress).toEqual(["… targets: waiting (try 1: try 1)", "… targets: waiting (try 2: try 2)"]);
  });

  test("at the deadline the last findings stand; warnings are not waited for", async () => {
    let calls = 0;
    const stuck: Check = {
      name: "a",
      fixWhenUnreachable: "-",
      run: () => Promise.resolve([blocking(`try ${++calls}`)]),
    };
    const warned: Check = {
      name: "b",
      fixWhenUnreachable: "-",
      run: () => Promise.resolve([{ status: "warning", message: "no app yet", fix: "deploy one" }]),
    };
    const started = Date.now();
    const findings = await runChecks([stuck, warned], { deadline: started + 200, intervalMs: 50 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(findings[0]).toEqual(blocking(`try ${calls}`));
    expect(calls).toBeGreaterThan(1);
    expect(findings[1].status).toBe("warning");
  });

  test("a check that throws is a blocking line naming it, with fetch's cause and the check's fix", async () => {
    const port = await freePort();
    const unreachable: Check = {
      name: "Loki",
      fixWhenUnreachable: "kubectl -n observability get pods",
      run: () => fetch(`http://127.0.0.1:${port}/ready`).then(() => []),
    };
    const [finding] = await runChecks([unreachable], { deadline: Date.now() });
    expect(finding).toEqual({
      status: "blocking",
      message: `Loki: cannot check (fetch failed: connect ECONNREFUSED 127.0.0.1:${port})`,
      fix: "kubectl -n observability get pods",
    });
  });
});

describe("the collector's counters and the probe span", () => {
  // As the collector's Prometheus reader prints them (otelcol 0.13x, telemetry level normal).
  const exposition = [
    "# HELP otelcol_exporter_sent_spans_total Number of spans successfully sent to destination. [alpha]",
    "# TYPE otelcol_exporter_sent_spans_total counter",
    'otelcol_exporter_sent_spans_total{exporter="otlp/tempo",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_version=""} 42',
    'otelcol_exporter_sent_spans_total{exporter="spanmetrics",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_version=""} 8',
    'otelcol_exporter_send_failed_spans_total{exporter="otlp/tempo",otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_version=""} 0',
    "",
  ].join("\n");

  test("sums every series of a counter and no other counter", () => {
    expect(sumSamples(exposition, COLLECTOR_COUNTERS.sent)).toBe(50);
    expect(sumSamples(exposition, COLLECTOR_COUNTERS.failed)).toBe(0);
    expect(sumSamples(exposition, COLLECTOR_COUNTERS.accepted)).toBe(0);
  });

  test("the probe is one OTLP/JSON span of its own service with fresh IDs", () => {
    const parsed = JSON.parse(probeSpan(1_700_000_000_000)) as {
      resourceSpans: { resource: unknown; scopeSpans: { spans: Record<string, string>[] }[] }[];
    };
    const [span] = parsed.resourceSpans[0].scopeSpans[0].spans;
    expect(parsed.resourceSpans[0].resource).toEqual({
      attributes: [{ key: "service.name", value: { stringValue: "observability-verify" } }],
    });
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.endTimeUnixNano).toBe("1700000000000000000");
    expect(JSON.parse(probeSpan()).resourceSpans[0].scopeSpans[0].spans[0].traceId).not.toBe(span.traceId);
  });
});

describe("the Loki canary's counters, read through Prometheus", () => {
  /** A stand-in for Prometheus' instant-query API answering `sum(<counter>)` from `values`. */
  function prometheusWith(values: Record<string, number>): Promise<LocalHttpServer> {
    return listen((request, response) => {
      const query = new URL(request.url ?? "/", "http://x").searchParams.get("query") ?? "";
      const metric = /^sum\((\w+)\)$/.exec(query)?.[1] ?? "";
      const result = metric in values ? [{ metric: {}, value: [0, String(values[metric])] }] : [];
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
    });
  }

  const counters = (written: number, received: number, missing: number) => ({
    loki_canary_entries_total: written,
    loki_canary_response_latency_seconds_count: received,
    loki_canary_missing_entries_total: missing,
    loki_canary_websocket_missing_entries_total: 2,
    loki_canary_duplicate_entries_total: 0,
  });

  test.each([
    [
      "lines come back, none missing",
      counters(120, 118, 0),
      "ok",
      /120 written, 118 back through its tail, 2 late, 0 missing/,
    ],
    ["lines missing", counters(120, 110, 3), "blocking", /lines go missing: .*3 missing/],
    ["nothing came back yet", counters(30, 0, 0), "blocking", /none of the Loki canary's lines came back/],
    ["no canary series at all", {}, "blocking", /has written no line that Prometheus knows of/],
  ] as const)("%s", async (_, values, status, message) => {
    const prometheus = await prometheusWith(values);
    try {
      const [finding] = await canaryFindings(`http://127.0.0.1:${prometheus.port}`, "observability");
      expect(finding.status).toBe(status);
      expect(finding.message).toMatch(message);
    } finally {
      await prometheus.close();
    }
  });
});
