import { StackConfig } from "../../config";
import { alertFactory } from "../common/alertFactory";
import { SLI_WINDOWS } from "./alertRules";
import { LATENCY_SOURCES, SOURCE_LABEL, leMatcher, perService, sumRate } from "../common/httpSources";
import { TIER_LABEL } from "./scrapeJobs";
import { RecordingRule, RuleGroup } from "../common/prometheusTypes";

type Slo = StackConfig["metrics"]["slo"];
type AppService = StackConfig["apps"]["services"][number];

/** Multi-window, multi-burn-rate: page on a 2 % budget burn in 1 h, ticket on 5 % in 6 h (SRE workbook). */
const BURN_RATES = [
  { speed: "Fast", long: "1h", short: "5m", factor: 14.4, severity: "critical" },
  { speed: "Slow", long: "6h", short: "30m", factor: 6, severity: "warning" },
] as const;

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
 * Coverage: which scraped app services have each SLI, and why not.
 */
export function sloRules(services: readonly AppService[], slo: Slo, runbookBaseUrl: string): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  const objectives: RecordingRule[] = groupsBy(services, (s) => s.slo.availability, slo.availability).map(
    ({ value, selector }) => ({
      record: "service:slo_availability:objective",
      expr: `0 * service:http_requests:rate5m{${selector}} + ${value}`,
    }),
  );
  const thresholds = groupsBy(services, (s) => s.slo.latencyThresholdSeconds, slo.latencyThresholdSeconds);
  const slowRatios: RecordingRule[] = SLI_WINDOWS.map((w) => ({
    record: `service:http_requests_slow:ratio_rate${w}`,
    expr: thresholds
      .map(({ value, selector }) =>
        perService(LATENCY_SOURCES, (source) => {
          const bucket = `${source.family}_bucket`;
          const fast = sumRate(source, bucket, [leMatcher(source, value)], w, { services: selector });
          const all = sumRate(source, bucket, ['le="+Inf"'], w, { services: selector });
          return `1 - ${fast} / ${all}`;
        }),
      )
      .join(" or on (service) "),
  }));
  const coverage: RecordingRule = {
    record: "service:slo_sli:present",
    expr: [
      sliPresence(
        "availability",
        "service:http_requests:rate5m",
        "no HTTP server metric and no span metrics",
      ),
      sliPresence(
        "latency",
        "service:http_requests_slow:ratio_rate5m",
        "no histogram bucket at the latency threshold and no span metrics",
      ),
    ].join(" or "),
  };
  const latencyBudget = +(1 - slo.latencyObjective).toFixed(6);
  const burnAlerts = BURN_RATES.flatMap(({ speed, long, short, factor, severity }) => [
    alert(
      `SLOAvailabilityBurn${speed}`,
      severity,
      `service:http_errors:ratio_rate${long} > ${factor} * (1 - service:slo_availability:objective)` +
        ` and service:http_errors:ratio_rate${short} > ${factor} * (1 - service:slo_availability:objective)`,
      speed === "Fast" ? "2m" : "15m",
      `{{ $labels.service }} burns its availability error budget ${factor}x too fast`,
      `Errors over the last ${long} and ${short} exceed ${factor} times the error budget of the availability objective.`,
    ),
    alert(
      `SLOLatencyBurn${speed}`,
      severity,
      `service:http_requests_slow:ratio_rate${long} > ${factor} * ${latencyBudget}` +
        ` and service:http_requests_slow:ratio_rate${short} > ${factor} * ${latencyBudget}`,
      speed === "Fast" ? "2m" : "15m",
      `{{ $labels.service }} burns its latency error budget ${factor}x too fast`,
      `Requests slower than the latency threshold over the last ${long} and ${short} exceed ${factor} times the budget of the ${slo.latencyObjective * 100} % objective.`,
    ),
  ]);
  return [
    { name: "slo-sli", rules: [...objectives, ...slowRatios, coverage] },
    {
      name: "slo-burn-rate",
      rules: [
        ...burnAlerts,
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
