// Spans as the reference services send them over OTLP/HTTP: traces of five spans across the
// gateway and the services (server and client spans, so the service graph has edges), 2 % with
// an error status and 5 % slower than the tail-sampling latency threshold.
import { hex } from "../../tests/kit/localServers";

type Json = Record<string, unknown>;

export const SPANS_PER_TRACE = 5;

const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });

function resourceSpans(service: string, spans: readonly Json[]): Json {
  return {
    resource: {
      attributes: [
        attribute("service.name", service),
        attribute("deployment.environment", "bench"),
        attribute("k8s.namespace.name", "tiketi-spring"),
      ],
    },
    scopeSpans: [{ scope: { name: "io.opentelemetry.spring-webmvc-6.0" }, spans }],
  };
}

/** One trace: gateway SERVER → gateway CLIENT → service SERVER → service CLIENT → downstream SERVER. */
function trace(services: readonly string[], index: number): Json[] {
  const traceId = hex(16);
  const error = index % 50 === 0;
  const slow = index % 20 === 1;
  const totalMs = slow ? 1500 : 20 + (index % 7) * 15;
  const end = BigInt(Date.now()) * 1_000_000n;
  const at = (ms: number) => String(end - BigInt(Math.round(ms * 1_000_000)));
  const [service, downstream] = [services[index % services.length], services[(index + 3) % services.length]];
  const ids = Array.from({ length: SPANS_PER_TRACE }, () => hex(8));
  const span = (i: number, name: string, kind: number, fromMs: number, toMs: number, failed: boolean) => ({
    traceId,
    spanId: ids[i],
    ...(i > 0 ? { parentSpanId: ids[i - 1] } : {}),
    name,
    kind,
    startTimeUnixNano: at(fromMs),
    endTimeUnixNano: at(toMs),
    attributes: [attribute("http.request.method", "GET"), attribute("http.route", `/api/${service}`)],
    status: { code: failed ? 2 : 1 },
  });
  return [
    resourceSpans("gateway-service", [
      span(0, "GET /api/**", 2, totalMs, 0, error),
      span(1, "GET", 3, totalMs - 1, 1, error),
    ]),
    resourceSpans(service, [
      span(2, `GET /api/${service}`, 2, totalMs - 2, 2, error),
      span(3, "GET", 3, totalMs - 5, 5, false),
    ]),
    resourceSpans(downstream, [span(4, `GET /api/${downstream}/{id}`, 2, totalMs - 6, 6, false)]),
  ];
}

let sent = 0;

/** An OTLP/HTTP JSON export request of about `spans` spans (whole traces). */
export function otlpBatch(services: readonly string[], spans: number): Json {
  const traces = Math.max(1, Math.round(spans / SPANS_PER_TRACE));
  return { resourceSpans: Array.from({ length: traces }, () => trace(services, sent++)).flat() };
}
