// Where a service's HTTP signals come from, whatever its framework prints by default. Each
// recording rule takes, per service, the first source in the lists below that the service has, and
// labels what it records `sli_source`. `or on (service)` keeps that choice per service: a source
// of one service never hides another service's absence.

/** The label that names the source of a recorded service signal. */
export const SOURCE_LABEL = "sli_source";

export interface HttpSource {
  /** The `sli_source` value. */
  readonly name: string;
  /** The metric family: `<family>_count`, `_sum`, `_bucket` (histograms) of server requests. */
  readonly family: string;
  /** The counter of requests. @default `<family>_count` */
  readonly counter?: string;
  /**
   * The label carrying the service: `service` (scraped), `service_name` (span metrics),
   * `destination_service_name` (Istio's sidecars: the Kubernetes Service called).
   */
  readonly serviceLabel: "service" | "service_name" | "destination_service_name";
  /** Matchers every selector of the source carries. */
  readonly only?: string;
  /** Matchers for server errors; how they combine is `alternatives`. */
  readonly errors: readonly string[];
  /** Matchers for client errors (4xx); none when the source cannot tell. */
  readonly clientErrors: readonly string[];
  /**
   * How a service's series are matched by `errors` and `clientErrors`: by the first of them that
   * matches any of its series (label conventions a source's versions differ by), or by any of them
   * (kinds of failure, such as a 5xx status and a failed gRPC status, that one service has at once).
   * @default "first"
   */
  readonly alternatives?: "first" | "any";
  /** Whether bucket bounds arrive as Prometheus' scrape writes them ("1.0") or by remote write ("1"). */
  readonly scraped: boolean;
  /** Seconds per unit of the histogram's bounds and sums: 0.001 for milliseconds. @default 1 */
  readonly unitSeconds?: number;
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

/** Spring Boot's Micrometer timer, the one framework whose endpoint labels (`method`, `uri`, `status`) the dashboards read. */
export const MICROMETER_SOURCE: HttpSource = {
  name: "micrometer",
  family: "http_server_requests_seconds",
  serviceLabel: "service",
  errors: ['status=~"5.."'],
  clientErrors: ['status=~"4.."'],
  scraped: true,
};

/**
 * Request rate and errors, in order of preference: the server's own HTTP metric (Micrometer's
 * timer, the OpenTelemetry semantic conventions' histogram, a `http_requests_total` counter as
 * client_golang's promhttp examples name it, a `http_request_duration_seconds` histogram's
 * `_count` as prom-client/express-prom-bundle print it), then the collector's span metrics.
 */
export const TRAFFIC_SOURCES: readonly HttpSource[] = [
  MICROMETER_SOURCE,
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
    counter: "http_requests_total",
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

/**
 * gRPC statuses that are the server's fault, as the OpenTelemetry semantic conventions count them
 * for server spans: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. A
 * gRPC call answers HTTP 200 whatever its status, so its 5xx is not enough.
 */
export const GRPC_SERVER_ERRORS = "2|4|12|13|14|15";

/**
 * Istio's sidecars, as the server's sidecar reports every request that reached the pod
 * (`reporter="destination"`): `istio_requests_total` and the `istio_request_duration_milliseconds`
 * histogram (Envoy's default bounds, 0.5 ms to an hour), keyed by the Kubernetes Service called. A
 * request that matched no Service (`destination_service_name="unknown"`) is nobody's.
 */
export const ISTIO_SOURCE: HttpSource = {
  name: "istio",
  family: "istio_request_duration_milliseconds",
  counter: "istio_requests_total",
  serviceLabel: "destination_service_name",
  only: 'reporter="destination", destination_service_name!="unknown"',
  errors: ['response_code=~"5.."', `grpc_response_status=~"${GRPC_SERVER_ERRORS}"`],
  clientErrors: ['response_code=~"4.."'],
  alternatives: "any",
  scraped: true,
  unitSeconds: 0.001,
};

/**
 * The request sources in order of preference, a meshed service's sidecar first (`mesh`): it
 * counts what the app cannot (requests its sidecar answered because the app was not there, reset
 * the connection or was too slow for the route's timeout), and the same way in every language.
 */
export const trafficSources = (mesh: boolean): readonly HttpSource[] =>
  mesh ? [ISTIO_SOURCE, ...TRAFFIC_SOURCES] : TRAFFIC_SOURCES;

/** The latency histograms in order of preference, a meshed service's sidecar first (`mesh`). */
export const latencySources = (mesh: boolean): readonly HttpSource[] =>
  mesh ? [ISTIO_SOURCE, ...LATENCY_SOURCES] : LATENCY_SOURCES;

/** The counter of requests: the source's counter, else its histogram's or timer's `_count`. */
const requestCounter = (source: HttpSource): string => source.counter ?? `${source.family}_count`;

/** A bound or a sum in seconds, in the source's own unit. */
const inUnit = (source: HttpSource, seconds: number): number =>
  +(seconds / (source.unitSeconds ?? 1)).toFixed(9);

/** `expr`, a value in the source's unit, in seconds. */
const inSeconds = (source: HttpSource, expr: string): string =>
  source.unitSeconds === undefined ? expr : `${expr} / ${1 / source.unitSeconds}`;

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
  const bound = inUnit(source, seconds);
  return source.scraped ? `le="${leLabel(bound)}"` : anyLeMatcher(bound);
}

/**
 * Services named by a selector on `service`, written for the source's own service label: `service`
 * matchers such as `service!~"a|b"` become `service_name!~"a|b"` for span metrics.
 */
function serviceMatcher(source: HttpSource, services: string): string[] {
  return services === "" ? [] : [services.replace(/^service(?=[!=]~?)/, source.serviceLabel)];
}

interface SumOptions {
  /** Labels kept beside `service`. */
  readonly by?: readonly string[];
  /** A matcher on `service` (e.g. a group of per-service objectives). */
  readonly services?: string;
}

/**
 * `sum by (service, …) (rate(metric{…}[window]))` over the series any of `matcherSets` selects,
 * each series once, with the source's service label read as `service`.
 */
function sumRates(
  source: HttpSource,
  metric: string,
  matcherSets: readonly (readonly string[])[],
  window: string,
  options: SumOptions,
): string {
  const rates = matcherSets.map((matchers) => {
    const all = [
      ...(source.only === undefined ? [] : [source.only]),
      ...matchers,
      ...serviceMatcher(source, options.services ?? ""),
    ];
    return `rate(${metric}${all.length === 0 ? "" : `{${all.join(", ")}}`}[${window}])`;
  });
  // A series several sets select is one series: `or` keeps it once.
  const rate = rates.length === 1 ? rates[0] : `(${rates.join(" or ")})`;
  const inner =
    source.serviceLabel === "service"
      ? rate
      : `label_replace(${rate}, "service", "$1", "${source.serviceLabel}", "(.*)")`;
  return `sum by (${["service", ...(options.by ?? [])].join(", ")}) (${inner})`;
}

/**
 * `sum by (service, …) (rate(metric{…}[window]))`, with the source's service label (span metrics'
 * `service_name`, the sidecars' `destination_service_name`) read as `service`.
 */
export function sumRate(
  source: HttpSource,
  metric: string,
  matchers: readonly string[],
  window: string,
  options: SumOptions = {},
): string {
  return sumRates(source, metric, [matchers], window, options);
}

/** The rate of each bucket of the source's histogram over `window`, per service (and `by`) and `le`. */
export const bucketRate = (source: HttpSource, window: string, options: SumOptions = {}): string =>
  sumRate(source, `${source.family}_bucket`, [], window, { ...options, by: ["le", ...(options.by ?? [])] });

/** The `q` quantile, in seconds, of the source's bucket rates (bucketRate's, or a series recording them). */
export const quantileOf = (source: HttpSource, q: number, bucketRates: string): string =>
  inSeconds(source, `histogram_quantile(${q}, ${bucketRates})`);

/** The `q` quantile of the source's histogram over `window`, in seconds, per service. */
export function quantile(source: HttpSource, q: number, window: string, options: SumOptions = {}): string {
  return quantileOf(source, q, bucketRate(source, window, options));
}

/** The source's average duration over `window` (`_sum / _count`), in seconds, per service. */
export function averageDuration(source: HttpSource, window: string): string {
  return inSeconds(
    source,
    `${sumRate(source, `${source.family}_sum`, [], window)} / ${sumRate(source, `${source.family}_count`, [], window)}`,
  );
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

/** Requests per second of the source, per service (and `by`). */
export const requestRate = (
  source: HttpSource,
  window: string,
  services = "",
  by: readonly string[] = [],
): string => sumRate(source, requestCounter(source), [], window, { services, by });

/**
 * Requests per second of the source that `alternatives` match (see HttpSource.alternatives), per
 * service (and `by`); 0 where the service has the source but no such series, so a service never
 * falls through to another source.
 */
export function matchingRate(
  source: HttpSource,
  alternatives: readonly string[],
  window: string,
  services = "",
  by: readonly string[] = [],
): string {
  const counter = requestCounter(source);
  const matching =
    alternatives.length === 0
      ? []
      : (source.alternatives ?? "first") === "first"
        ? alternatives.map((m) => sumRate(source, counter, [m], window, { services, by }))
        : [
            sumRates(
              source,
              counter,
              alternatives.map((m) => [m]),
              window,
              { services, by },
            ),
          ];
  return `(${[...matching, `0 * ${requestRate(source, window, services, by)}`].join(" or ")})`;
}
