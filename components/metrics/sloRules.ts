import { StackConfig } from "../../config";
import { alertFactory } from "../common/alertFactory";
import {
  BUDGET_EVALUATION_INTERVAL,
  BURN_RATES,
  BURN_WINDOWS,
  CHUNK,
  SloAlertNames,
  burnRatesInWords,
  chunkSum,
  errorBudget,
  fromChunks,
  pageAndTicket,
  sloBudgetAndAlerts,
} from "./sloEngine";
import { SOURCE_LABEL, latencySources, leMatcher, perService, sumRate } from "../common/httpSources";
import { TIER_LABEL } from "../common/scrapeJobs";
import { RecordingRule, RuleGroup } from "../common/prometheusTypes";

type Slo = StackConfig["metrics"]["slo"];
type AppService = StackConfig["apps"]["services"][number];

/** The page and ticket alerts of every service's HTTP SLOs, told apart by their `service` label. */
export const HTTP_SLO_ALERTS: Readonly<Record<"availability" | "latency", SloAlertNames>> = {
  availability: { page: "SLOAvailabilityBurnFast", ticket: "SLOAvailabilityBurnSlow" },
  latency: { page: "SLOLatencyBurnFast", ticket: "SLOLatencyBurnSlow" },
};

/** Share of a service's requests that failed (recorded by the http-red group) or were slow, over a window. */
const HTTP_ERROR_RATIO = (window: string) => `service:http_errors:ratio_rate${window}`;
const SLOW_RATIO = (window: string) => `service:http_requests_slow:ratio_rate${window}`;

/**
 * Each service's requests, failed requests, requests with a latency SLI and slow requests of every
 * hour (`CHUNK`), recorded once an hour; the windows longer than a day add them up.
 */
const HOUR_CHUNKS = {
  requests: "service:http_requests:hour_chunk",
  errors: "service:http_errors:hour_chunk",
  timed: "service:http_requests_timed:hour_chunk",
  slow: "service:http_requests_slow:hour_chunk",
} as const;

/**
 * The hourly chunks. A slow ratio is NaN in an hour without requests (0/0): such an hour has no
 * latency chunk, rather than one that would make every sum over it NaN.
 */
function hourChunks(): RuleGroup {
  const slowRatio = `(${SLOW_RATIO(CHUNK)} >= 0)`;
  return {
    name: "slo-chunks",
    interval: CHUNK,
    rules: [
      { record: HOUR_CHUNKS.requests, expr: `service:http_requests:rate${CHUNK} * 3600` },
      { record: HOUR_CHUNKS.errors, expr: `service:http_errors:rate${CHUNK} * 3600` },
      {
        record: HOUR_CHUNKS.timed,
        expr: `sum by (service) (service:http_requests:rate${CHUNK} * 3600) and on (service) ${slowRatio}`,
      },
      { record: HOUR_CHUNKS.slow, expr: `${slowRatio} * on (service) group_left () ${HOUR_CHUNKS.timed}` },
    ],
  };
}

/**
 * Over the compliance window and windows longer than a day, the ratio of the hourly chunks' sums,
 * which weighs each hour by its traffic and stays a number through idle hours; over a window of a day
 * or less (a compliance window that short), the ratio of the 5-minute rates' sums.
 */
const availabilityOver = (window: string): RecordingRule => ({
  record: HTTP_ERROR_RATIO(window),
  expr: fromChunks(window)
    ? `${chunkSum(HOUR_CHUNKS.errors, window)} / ${chunkSum(HOUR_CHUNKS.requests, window)}`
    : `sum_over_time(service:http_errors:rate5m[${window}]) / sum_over_time(service:http_requests:rate5m[${window}])`,
});

/** The slow share over a window longer than a day: of the hours' requests that had a latency SLI. */
const slowOverChunks = (window: string): RecordingRule => ({
  record: SLOW_RATIO(window),
  expr: `${chunkSum(HOUR_CHUNKS.slow, window)} / on (service) group_left () ${chunkSum(HOUR_CHUNKS.timed, window)}`,
});

/**
 * Services grouped by a per-service value. Listed services whose value differs from the default
 * get a selector naming them; every other service (the default group, including services found
 * only through pod annotations) gets a selector excluding those.
 */
function groupsBy(
  services: readonly AppService[],
  valueOf: (s: AppService) => number,
  fallback: number,
): { value: number; selector: string }[] {
  const overrides = new Map<number, string[]>();
  for (const service of services) {
    const value = valueOf(service);
    if (value !== fallback) {
      overrides.set(value, [...(overrides.get(value) ?? []), service.name]);
    }
  }
  const overridden = [...overrides.values()].flat();
  return [
    { value: fallback, selector: overridden.length === 0 ? "" : `service!~"${overridden.join("|")}"` },
    ...[...overrides.entries()].map(([value, names]) => ({
      value,
      selector: `service=~"${names.join("|")}"`,
    })),
  ];
}

/**
 * 1 per scraped app service that has the SLI (labelled with its source), 0 with the reason for one
 * that has not. Traffic does not matter: an idle service's SLI is NaN, not absent.
 */
function sliPresence(sli: string, record: string, reason: string): string {
  const label = (expr: string, name: string, value: string) =>
    `label_replace(${expr}, "${name}", "${value}", "", "")`;
  const present = label(`group by (service, ${SOURCE_LABEL}) (${record})`, "sli", sli);
  const missing = label(
    label(label(`0 * group by (service) (up{${TIER_LABEL}="app"})`, "sli", sli), SOURCE_LABEL, "none"),
    "reason",
    reason,
  );
  return `(${present} or on (service) ${missing})`;
}

/**
 * SLO recording rules and burn-rate alerts for every service: availability (share of non-5xx
 * requests) and latency (share of requests faster than the threshold), objectives per service
 * from `apps.services[].slo`, defaults from `metrics.slo`. The latency SLI reads, per service, the
 * server's histogram where it has a bucket at the service's threshold, else the span metrics
 * (whose buckets the config requires to contain every threshold), and says which in `sli_source`.
 * Both are SLOs of the engine (sloEngine.ts) recorded as one series per service: error ratios over
 * every burn-rate window and the compliance window, remaining budget, page and ticket alerts.
 * Coverage: which scraped app services have each SLI, and why not. With `mesh`, a meshed service's
 * sidecar is the first source of both (httpSources.ts says why).
 */
export function sloRules(
  services: readonly AppService[],
  slo: Slo,
  runbookBaseUrl: string,
  mesh = false,
): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  const objectives: RecordingRule[] = groupsBy(services, (s) => s.slo.availability, slo.availability).map(
    ({ value, selector }) => ({
      record: "service:slo_availability:objective",
      expr: `0 * service:http_requests:rate5m{${selector}} + ${value}`,
    }),
  );
  const thresholds = groupsBy(services, (s) => s.slo.latencyThresholdSeconds, slo.latencyThresholdSeconds);
  const slowFromBuckets = (w: string): RecordingRule => ({
    record: SLOW_RATIO(w),
    expr: thresholds
      .map(({ value, selector }) =>
        perService(latencySources(mesh), (source) => {
          const bucket = `${source.family}_bucket`;
          const fast = sumRate(source, bucket, [leMatcher(source, value)], w, { services: selector });
          const all = sumRate(source, bucket, ['le="+Inf"'], w, { services: selector });
          return `1 - ${fast} / ${all}`;
        }),
      )
      .join(" or on (service) "),
  });
  const slowRatio = (w: string): RecordingRule => (fromChunks(w) ? slowOverChunks(w) : slowFromBuckets(w));
  const coverage: RecordingRule = {
    record: "service:slo_sli:present",
    expr: [
      sliPresence(
        "availability",
        "service:http_requests:rate5m",
        mesh
          ? "no sidecar, no HTTP server metric and no span metrics"
          : "no HTTP server metric and no span metrics",
      ),
      sliPresence(
        "latency",
        "service:http_requests_slow:ratio_rate5m",
        mesh
          ? "no sidecar, no histogram bucket at the latency threshold and no span metrics"
          : "no histogram bucket at the latency threshold and no span metrics",
      ),
    ].join(" or "),
  };
  const http = (
    sli: "availability" | "latency",
    errorRatio: (window: string) => string,
    overWindow: RecordingRule,
    budget: string,
    objectiveInWords: string,
  ) =>
    sloBudgetAndAlerts(
      {
        errorRatio,
        selector: "",
        budget,
        complianceRatio: overWindow.expr,
        budgetRemaining: `service:slo_${sli}:error_budget_remaining`,
        alerts: pageAndTicket(HTTP_SLO_ALERTS[sli], {
          page: {
            summary: `{{ $labels.service }} burns its ${sli} error budget fast`,
            description: `The ${sli} error budget (${objectiveInWords}) burns ${burnRatesInWords(BURN_RATES.page)}.`,
          },
          ticket: {
            summary: `{{ $labels.service }} burns its ${sli} error budget`,
            description: `The ${sli} error budget (${objectiveInWords}) burns ${burnRatesInWords(BURN_RATES.ticket)}.`,
          },
        }),
        alertLabels: {},
      },
      runbookBaseUrl,
    );
  const availability = http(
    "availability",
    HTTP_ERROR_RATIO,
    availabilityOver(slo.window),
    "(1 - service:slo_availability:objective)",
    "the service's availability objective",
  );
  const latency = http(
    "latency",
    SLOW_RATIO,
    slowRatio(slo.window),
    String(errorBudget(slo.latencyObjective)),
    `${slo.latencyObjective * 100} % of requests faster than the latency threshold`,
  );
  return [
    {
      name: "slo-sli",
      rules: [
        ...objectives,
        ...BURN_WINDOWS.map(slowRatio),
        // The shorter windows' availability is the http-red group's.
        ...BURN_WINDOWS.filter(fromChunks).map(availabilityOver),
        coverage,
      ],
    },
    hourChunks(),
    {
      name: "slo-budget",
      interval: BUDGET_EVALUATION_INTERVAL,
      rules: [availabilityOver(slo.window), slowRatio(slo.window), availability.budget, latency.budget],
    },
    {
      name: "slo-burn-rate",
      rules: [
        ...availability.alerts,
        ...latency.alerts,
        alert(
          "SLOCoverageMissing",
          "warning",
          "service:slo_sli:present == 0",
          "30m",
          "{{ $labels.service }} has no {{ $labels.sli }} SLI",
          "{{ $labels.service }} has been scraped for 30 minutes without a {{ $labels.sli }} SLI ({{ $labels.reason }}), so its SLO alerts cannot fire. The README says what each framework must publish.",
        ),
      ],
    },
  ];
}
