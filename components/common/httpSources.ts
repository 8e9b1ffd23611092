// Where a service's HTTP signals come from, whatever its framework prints by default. Each
// recording rule takes, per service, the first source in the lists below that the service has, and
// labels what it records `sli_source`. `or on (service)` keeps that choice per service: a source
// of one service never hides another service's absence.

/** The label that names the source of a recorded service signal. */
export const SOURCE_LABEL = "sli_source";

interface HttpSource {
  /** The `sli_source` value. */
  readonly name: string;
  /** The metric family: `<family>_count`, `_sum`, `_bucket` (histograms) of server requests. */
  readonly family: string;
  /** The label carrying the service: `service` (scraped), `service_name` (span metrics). */
  readonly serviceLabel: "service" | "service_name";
  /** Matchers every selector of the source carries. */
  readonly only?: string;
  /** Alternative matchers for server errors (5xx); the first that matches a series counts. */
  readonly errors: readonly string[];
  /** Alternative matchers for client errors (4xx); none when the source cannot tell. */
  readonly clientErrors: readonly string[];
  /** Whether bucket bounds arrive as Prometheus' scrape writes them ("1.0") or by remote write ("1"). */
  readonly scraped: boolean;
}

const SPAN_METRICS: HttpSource = {
  name: "span_metrics",
  family: "traces_spanmetrics_duration_seconds",
  serviceLabel: "service_name",
  only: 'span_kind="SPAN_KIND_SERVER"',
  errors: ['status_code="STATUS_CODE_ERROR"'],
  clientErrors: ['http_response_status_code=~"4.."', 'http_status_code=~"4.."'],
  scraped: false,
};

/**
 * Request rate and errors, in order of preference: the server's own HTTP metric (Micrometer's
 * timer, the OpenTelemetry semantic conventions' histogram, a `http_requests_total` counter as
 * client_golang's promhttp examples name it, a `http_request_duration_seconds` histogram's
 * `_count` as prom-client/express-prom-bundle print it), then the collector's span metrics.
 */
export const TRAFFIC_SOURCES: readonly HttpSource[] = [
  {
    name: "micrometer",
    family: "http_server_requests_seconds",
    serviceLabel: "service",
    errors: ['status=~"5.."'],
    clientErrors: ['status=~"4.."'],
    scraped: true,
  },
  {
    name: "otel_semconv",
    family: "http_server_request_duration_seconds",
    serviceLabel: "service",
    errors: ['http_response_status_code=~"5.."'],
    clientErrors: ['http_response_status_code=~"4.."'],
    scraped: true,
  },
  {
    name: "http_requests_total",
    family: "http_requests",
    serviceLabel: "service",
    errors: ['code=~"5.."', 'status=~"5.."'],
    clientErrors: ['code=~"4.."', 'status=~"4.."'],
    scraped: true,
  },
  {
    name: "http_request_duration_seconds",
    family: "http_request_duration_seconds",
    serviceLabel: "service",
    errors: ['status_code=~"5.."', 'code=~"5.."', 'status=~"5.."'],
    clientErrors: ['status_code=~"4.."', 'code=~"4.."', 'status=~"4.."'],
    scraped: true,
  },
  SPAN_METRICS,
];

/** Latency histograms, in order of preference: the server's own, then span metrics. */
export const LATENCY_SOURCES: readonly HttpSource[] = TRAFFIC_SOURCES.filter(
  (s) => s.name !== "http_requests_total",
);

/** The counter of requests: `_total` for a counter family, `_count` for a histogram or timer. */
const requestCounter = (source: HttpSource): string =>
  source.family === "http_requests" ? "http_requests_total" : `${source.family}_count`;

/** The `le` label value Prometheus 3 stores for a scraped bucket bound: integers gain ".0". */
export function leLabel(seconds: number): string {
  const text = String(seconds);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}

/** A matcher for the bucket at `bound` whether it arrived scraped ("1.0") or by remote write ("1"). */
export function anyLeMatcher(bound: number): string {
  return Number.isInteger(bound) ? `le=~"${bound}(\\\\.0)?"` : `le="${bound}"`;
}

/** A matcher for the bucket at `seconds`, as the source's bounds arrive. */
export function leMatcher(source: HttpSource, seconds: number): string {
  return source.scraped ? `le="${leLabel(seconds)}"` : anyLeMatcher(seconds);
}

/**
 * Services named by a selector on `service`, written for the source's own service label: `service`
 * matchers such as `service!~"a|b"` become `service_name!~"a|b"` for span metrics.
 */
function serviceMatcher(source: HttpSource, services: string): string[] {
  return services === "" ? [] : [services.replace(/^service(?=[!=]~?)/, source.serviceLabel)];
}

/**
 * `sum by (service, …) (rate(metric{…}[window]))`, with span metrics' `service_name` read as
 * `service`. `services` is an optional matcher on `service` (e.g. a group of per-service objectives).
 */
export function sumRate(
  source: HttpSource,
  metric: string,
  matchers: readonly string[],
  window: string,
  options: { readonly by?: readonly string[]; readonly services?: string } = {},
): string {
  const all = [
    ...(source.only === undefined ? [] : [source.only]),
    ...matchers,
    ...serviceMatcher(source, options.services ?? ""),
  ];
  const rate = `rate(${metric}${all.length === 0 ? "" : `{${all.join(", ")}}`}[${window}])`;
  const inner =
    source.serviceLabel === "service"
      ? rate
      : `label_replace(${rate}, "service", "$1", "service_name", "(.*)")`;
  return `sum by (${["service", ...(options.by ?? [])].join(", ")}) (${inner})`;
}

/** The per-service alternatives of `expr` over `sources`, each labelled with its source. */
export function perService(
  sources: readonly HttpSource[],
  expr: (source: HttpSource) => string | undefined,
): string {
  return sources
    .flatMap((source) => {
      const e = expr(source);
      return e === undefined ? [] : [`label_replace(${e}, "${SOURCE_LABEL}", "${source.name}", "", "")`];
    })
    .join(" or on (service) ");
}

/** Requests per second of the source, per service. */
export const requestRate = (source: HttpSource, window: string, services = ""): string =>
  sumRate(source, requestCounter(source), [], window, { services });

/**
 * Requests per second of the source that match one of `alternatives`, per service; 0 where the
 * service has the source but no such series, so a service never falls through to another source.
 */
export function matchingRate(
  source: HttpSource,
  alternatives: readonly string[],
  window: string,
  services = "",
): string {
  const matching = alternatives.map((m) =>
    sumRate(source, requestCounter(source), [m], window, { services }),
  );
  return `(${[...matching, `0 * ${requestRate(source, window, services)}`].join(" or ")})`;
}
