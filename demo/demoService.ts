// One demo service, the role given by its environment (demoWorkload.ts sets it, the tracing
// ConfigMap gives the collector's addresses). It behaves as the Spring Boot services the stack is
// built for: Spring's console log lines with Micrometer Tracing's `[service,traceId,spanId]`,
// `/actuator/prometheus` in Micrometer's format, spans over OTLP/HTTP (JSON) or Zipkin v2 JSON,
// W3C `traceparent` and B3 propagation. Node.js built-ins only: the official node image runs it
// as the JavaScript demoProgram.ts transpiles from this file, and so do the component tests.
import * as crypto from "crypto";
import * as http from "http";

interface TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

interface Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: "SERVER" | "CLIENT";
  readonly startMicros: number;
  readonly durationMicros: number;
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly error?: string;
}

interface Route {
  readonly method: string;
  readonly path: string;
  readonly url?: string;
}

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set`);
  }
  return value;
}

/** `GET /api/orders`, or `POST http://host:port/api/checkout`. */
function route(text: string): Route {
  const [method, target] = text.split(" ");
  const url = target.startsWith("http") ? new URL(target) : undefined;
  return { method, path: url?.pathname ?? target, ...(url === undefined ? {} : { url: url.toString() }) };
}

const SERVICE = setting("DEMO_SERVICE");
const PORT = Number(setting("PORT", "8080"));
const ROUTE = route(setting("DEMO_ROUTE"));
const DOWNSTREAM = process.env.DEMO_DOWNSTREAM === undefined ? undefined : route(process.env.DEMO_DOWNSTREAM);
const ZIPKIN = setting("DEMO_TRACES", "otlp") === "zipkin";
const SPANS_URL = ZIPKIN ? setting("ZIPKIN_ENDPOINT") : `${setting("OTEL_EXPORTER_OTLP_ENDPOINT")}/v1/traces`;
/** Whether the next service is a Zipkin (B3) one. */
const DOWNSTREAM_B3 = process.env.DEMO_DOWNSTREAM_B3 === "true";
const ERROR_RATIO = Number(setting("DEMO_ERROR_RATIO", "0"));
const SLOW_RATIO = Number(setting("DEMO_SLOW_RATIO", "0"));
const LOAD_PER_SECOND = Number(setting("DEMO_LOAD_PER_SECOND", "0"));
/** `payments failed succeeded`: a counter of requests by outcome, bad when this service's trouble struck. */
const EVENTS = process.env.DEMO_EVENTS?.split(" ");
const SAMPLING = Number(setting("TRACING_SAMPLING_PROBABILITY", "1"));
const RESOURCE = ROUTE.path.split("/").pop() ?? "api";
const LOGGER = `c.e.demo.${SERVICE.replace(/^demo-/, "")}.${RESOURCE[0].toUpperCase()}${RESOURCE.slice(1)}Controller`;

const randomId = (bytes: number): string => crypto.randomBytes(bytes).toString("hex");
const nowMicros = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

// --- Logs: Spring Boot's console pattern with the level pattern Micrometer Tracing documents. ---

let thread = 0;
function log(level: "INFO" | "WARN" | "ERROR", context: TraceContext | undefined, message: string): void {
  thread = (thread % 10) + 1;
  const ids = context === undefined ? "," : `${context.traceId},${context.spanId}`;
  const logger = LOGGER.length > 40 ? LOGGER.slice(-40) : LOGGER.padEnd(40);
  const threadName = `nio-${PORT}-exec-${thread}`.slice(-15).padStart(15);
  process.stdout.write(
    `${new Date().toISOString()} ${level.padStart(5)} [${SERVICE},${ids}] ${process.pid} --- [${threadName}] ${logger} : ${message}\n`,
  );
}

/** What Spring's default error handling logs: the message, then the exception and its frames. */
function logError(context: TraceContext, exception: string, message: string): void {
  log("ERROR", context, `Request processing failed: ${exception}: ${message}`);
  const className = LOGGER.replace("c.e.", "com.example.");
  process.stdout.write(
    [
      `${exception}: ${message}`,
      `\tat ${className}.handle(${LOGGER.split(".").pop() ?? "Controller"}.java:42)`,
      "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
      "\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)",
      "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
      "",
    ].join("\n"),
  );
}

// --- Metrics: Micrometer's http.server.requests timer and a business counter, as /actuator/prometheus prints them. ---

/**
 * Micrometer's percentile-histogram buckets for a timer between 1 ms and 30 s (Spring's defaults),
 * plus the SLO boundaries `management.metrics.distribution.slo.http.server.requests` adds.
 */
function histogramBounds(): number[] {
  const nanos: number[] = [];
  for (let exp = 2; exp < 36; exp++) {
    const delta = Math.floor(2 ** exp / 3);
    const next = 2 ** (exp + 2) - delta;
    for (let current = 2 ** exp; current < next; current += delta) {
      nanos.push(current);
    }
  }
  const seconds = nanos.map((n) => n / 1e9).filter((s) => s > 0.001 && s < 30);
  const slo = (process.env.MANAGEMENT_METRICS_DISTRIBUTION_SLO_HTTP_SERVER_REQUESTS ?? "")
    .split(",")
    .filter((text) => /^[0-9.]+ms$/.test(text))
    .map((text) => Number(text.slice(0, -2)) / 1000);
  return [...new Set([0.001, ...seconds, 30, ...slo])].sort((a, b) => a - b);
}

const BOUNDS = histogramBounds();

interface Timer {
  readonly labels: string;
  readonly buckets: number[];
  count: number;
  sum: number;
  max: number;
}
const timers = new Map<string, Timer>();

function record(status: number, exception: string, seconds: number, path: string): void {
  const outcome = status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS";
  const labels = `error="${exception}",exception="${exception}",method="${ROUTE.method}",outcome="${outcome}",status="${status}",uri="${path}"`;
  const timer = timers.get(labels) ?? { labels, buckets: BOUNDS.map(() => 0), count: 0, sum: 0, max: 0 };
  BOUNDS.forEach((bound, i) => (timer.buckets[i] += seconds <= bound ? 1 : 0));
  timer.count += 1;
  timer.sum += seconds;
  timer.max = Math.max(timer.max, seconds);
  timers.set(labels, timer);
}

/** The business counter of DEMO_EVENTS, by outcome. */
const events = new Map<string, number>();

function countEvent(troubled: boolean): void {
  if (EVENTS !== undefined) {
    const outcome = troubled ? EVENTS[1] : EVENTS[2];
    events.set(outcome, (events.get(outcome) ?? 0) + 1);
  }
}

const number = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

function exposition(): string {
  const name = "http_server_requests_seconds";
  const all = [...timers.values()];
  return [
    `# HELP ${name}  `,
    `# TYPE ${name} histogram`,
    ...all.flatMap((t) => [
      ...BOUNDS.map((bound, i) => `${name}_bucket{${t.labels},le="${number(bound)}"} ${t.buckets[i]}`),
      `${name}_bucket{${t.labels},le="+Inf"} ${t.count}`,
      `${name}_count{${t.labels}} ${t.count}`,
      `${name}_sum{${t.labels}} ${t.sum}`,
    ]),
    `# HELP ${name}_max  `,
    `# TYPE ${name}_max gauge`,
    ...all.map((t) => `${name}_max{${t.labels}} ${t.max}`),
    ...(EVENTS === undefined
      ? []
      : [
          `# HELP ${EVENTS[0]}_total  `,
          `# TYPE ${EVENTS[0]}_total counter`,
          ...[...events].map(
            ([outcome, count]) => `${EVENTS[0]}_total{outcome="${outcome}"} ${number(count)}`,
          ),
        ]),
    "",
  ].join("\n");
}

// --- Traces: batched once a second, to the collector's OTLP/HTTP or Zipkin receiver. ---

let pending: Span[] = [];

function resourceAttributes(): { key: string; value: { stringValue: string } }[] {
  const extra = (process.env.OTEL_RESOURCE_ATTRIBUTES ?? "")
    .split(",")
    .filter((pair) => pair.includes("="))
    .map((pair) => pair.split("=") as [string, string]);
  return [["service.name", SERVICE] as [string, string], ...extra].map(([key, value]) => ({
    key,
    value: { stringValue: value },
  }));
}

function otlpBody(spans: readonly Span[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes() },
        scopeSpans: [
          {
            scope: { name: "observability-demo" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind === "SERVER" ? 2 : 3,
              startTimeUnixNano: `${s.startMicros}000`,
              endTimeUnixNano: `${s.startMicros + s.durationMicros}000`,
              attributes: Object.entries(s.attributes).map(([key, value]) => ({
                key,
                value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
              })),
              status: s.error === undefined ? { code: 1 } : { code: 2, message: s.error },
            })),
          },
        ],
      },
    ],
  };
}

function zipkinBody(spans: readonly Span[]): unknown {
  return spans.map((s) => ({
    traceId: s.traceId,
    id: s.spanId,
    ...(s.parentSpanId === undefined ? {} : { parentId: s.parentSpanId }),
    name: s.name.toLowerCase(),
    kind: s.kind,
    timestamp: s.startMicros,
    duration: Math.max(1, s.durationMicros),
    localEndpoint: { serviceName: SERVICE },
    tags: {
      ...Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k, String(v)])),
      ...(s.error === undefined ? {} : { error: s.error }),
    },
  }));
}

function flushSpans(): void {
  if (pending.length === 0) {
    return;
  }
  const spans = pending;
  pending = [];
  const url = SPANS_URL;
  const body = JSON.stringify(ZIPKIN ? zipkinBody(spans) : otlpBody(spans));
  fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body })
    .then((response) => {
      if (!response.ok) {
        log("WARN", undefined, `Dropped ${spans.length} spans: ${url} answered ${response.status}`);
      }
    })
    .catch((error: Error) => log("WARN", undefined, `Dropped ${spans.length} spans: ${error.message}`));
}

// --- Serving: one route; the next service called with the trace context propagated. ---

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The caller's context: W3C `traceparent`, else B3's multiple headers. */
function incomingContext(req: http.IncomingMessage): TraceContext | undefined {
  const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(
    header(req, "traceparent") ?? "",
  );
  if (traceparent !== null) {
    return {
      traceId: traceparent[1],
      spanId: traceparent[2],
      sampled: (parseInt(traceparent[3], 16) & 1) === 1,
    };
  }
  const traceId = header(req, "x-b3-traceid");
  const spanId = header(req, "x-b3-spanid");
  return traceId === undefined || spanId === undefined
    ? undefined
    : { traceId, spanId, sampled: header(req, "x-b3-sampled") !== "0" };
}

/** Calls the next service: W3C to OTLP services, B3 to the Zipkin one (as Brave would). */
function callDownstream(
  target: Route & { url: string },
  context: TraceContext,
  zipkinPeer: boolean,
): Promise<number> {
  const headers: Record<string, string> = zipkinPeer
    ? {
        "X-B3-TraceId": context.traceId,
        "X-B3-SpanId": context.spanId,
        "X-B3-Sampled": context.sampled ? "1" : "0",
      }
    : { traceparent: `00-${context.traceId}-${context.spanId}-${context.sampled ? "01" : "00"}` };
  return new Promise((resolve) => {
    const request = http.request(
      target.url,
      { method: target.method, headers, timeout: 5000 },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", () => resolve(0));
    request.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/actuator/health") {
    res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"UP"}');
    return;
  }
  if (req.method === "GET" && path === "/actuator/prometheus") {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(exposition());
    return;
  }
  const started = nowMicros();
  if (req.method !== ROUTE.method || path !== ROUTE.path) {
    res.writeHead(404).end();
    record(404, "none", (nowMicros() - started) / 1e6, "/**");
    return;
  }
  const parent = incomingContext(req);
  const server: TraceContext = {
    traceId: parent?.traceId ?? randomId(16),
    spanId: randomId(8),
    sampled: parent?.sampled ?? Math.random() < SAMPLING,
  };
  const spans: Span[] = [];
  let status = 200;
  let exception = "none";
  let failure: string | undefined;
  let troubled = false;

  if (Math.random() < SLOW_RATIO) {
    troubled = true;
    const delay = 600 + Math.round(Math.random() * 900);
    await sleep(delay);
    log("WARN", server, `Slow ${ROUTE.method} ${ROUTE.path}: waited ${delay} ms for a lock`);
  }
  if (DOWNSTREAM?.url !== undefined) {
    const client: TraceContext = { ...server, spanId: randomId(8) };
    const callStart = nowMicros();
    const answer = await callDownstream({ ...DOWNSTREAM, url: DOWNSTREAM.url }, client, DOWNSTREAM_B3);
    spans.push({
      traceId: client.traceId,
      spanId: client.spanId,
      parentSpanId: server.spanId,
      name: `${DOWNSTREAM.method} ${DOWNSTREAM.path}`,
      kind: "CLIENT",
      startMicros: callStart,
      durationMicros: nowMicros() - callStart,
      attributes: {
        "http.request.method": DOWNSTREAM.method,
        "url.full": DOWNSTREAM.url,
        "http.response.status_code": answer,
      },
      ...(answer >= 200 && answer < 500 ? {} : { error: `HTTP ${answer}` }),
    });
    if (answer < 200 || answer >= 500) {
      status = 500;
      exception = "HttpServerErrorException";
      failure = `${answer === 0 ? "No response" : `${answer} Internal Server Error`} from ${DOWNSTREAM.path}`;
    }
  } else if (Math.random() < ERROR_RATIO) {
    troubled = true;
    status = 500;
    exception = "IllegalStateException";
    failure = "Card declined by the issuer (simulated)";
  }

  if (failure === undefined) {
    log("INFO", server, `${ROUTE.method} ${ROUTE.path} completed`);
  } else {
    logError(
      server,
      exception === "IllegalStateException"
        ? "java.lang.IllegalStateException"
        : "org.springframework.web.client.HttpServerErrorException",
      failure,
    );
  }
  const durationMicros = nowMicros() - started;
  spans.push({
    traceId: server.traceId,
    spanId: server.spanId,
    ...(parent === undefined ? {} : { parentSpanId: parent.spanId }),
    name: `${ROUTE.method} ${ROUTE.path}`,
    kind: "SERVER",
    startMicros: started,
    durationMicros,
    attributes: {
      "http.request.method": ROUTE.method,
      "http.route": ROUTE.path,
      "http.response.status_code": status,
    },
    ...(failure === undefined ? {} : { error: failure }),
  });
  if (server.sampled) {
    pending.push(...spans);
  }
  record(status, exception, durationMicros / 1e6, ROUTE.path);
  countEvent(troubled);
  res
    .writeHead(status, { "Content-Type": "application/json" })
    .end(JSON.stringify({ service: SERVICE, status }));
}

const httpServer = http.createServer((req, res) => {
  handle(req, res).catch((error: Error) => {
    log("ERROR", undefined, `Unhandled: ${error.message}`);
    res.writeHead(500).end();
  });
});
httpServer.listen(PORT, () => log("INFO", undefined, `Started ${SERVICE} on port ${PORT}`));
const flushing = setInterval(flushSpans, 1000);

// The load: a few requests a second at this service's own route, so that data flows with no user.
const loading =
  LOAD_PER_SECOND > 0
    ? setInterval(() => {
        const request = http.request(`http://127.0.0.1:${PORT}${ROUTE.path}`, { method: ROUTE.method }, (r) =>
          r.resume(),
        );
        request.on("error", () => undefined);
        request.end();
      }, 1000 / LOAD_PER_SECOND)
    : undefined;

process.on("SIGTERM", () => {
  clearInterval(flushing);
  clearInterval(loading);
  flushSpans();
  httpServer.close(() => process.exit(0));
});
