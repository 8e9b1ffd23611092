import { StackConfig } from "../../config";
import { SLI_WINDOWS, alertFactory } from "./alertRules";
import { RecordingRule, RuleGroup } from "./prometheusTypes";

type Slo = StackConfig["metrics"]["slo"];
type AppService = StackConfig["apps"]["services"][number];

/** Multi-window, multi-burn-rate: page on a 2 % budget burn in 1 h, ticket on 5 % in 6 h (SRE workbook). */
const BURN_RATES = [
  { speed: "Fast", long: "1h", short: "5m", factor: 14.4, severity: "critical" },
  { speed: "Slow", long: "6h", short: "30m", factor: 6, severity: "warning" },
] as const;

/** The `le` label value Prometheus 3 stores for a bucket bound: integers gain ".0". */
export function leLabel(seconds: number): string {
  const text = String(seconds);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}

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
 * SLO recording rules and burn-rate alerts for every service: availability (share of non-5xx
 * requests) and latency (share of requests faster than the threshold), objectives per service
 * from `apps.services[].slo`, defaults from `metrics.slo`.
 */
export function sloRules(services: readonly AppService[], slo: Slo, runbookBaseUrl: string): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  const objectives: RecordingRule[] = groupsBy(services, (s) => s.slo.availability, slo.availability).map(
    ({ value, selector }) => ({
      record: "service:slo_availability:objective",
      expr: `0 * service:http_requests:rate5m{${selector}} + ${value}`,
    }),
  );
  const slowRatios: RecordingRule[] = groupsBy(
    services,
    (s) => s.slo.latencyThresholdSeconds,
    slo.latencyThresholdSeconds,
  ).flatMap(({ value, selector }) =>
    SLI_WINDOWS.map((w) => {
      const bucketSelector = [`le="${leLabel(value)}"`, ...(selector === "" ? [] : [selector])].join(", ");
      const fast =
        `sum by (service) (rate(http_server_requests_seconds_bucket{${bucketSelector}}[${w}]))` +
        ` or sum by (service) (rate(http_request_duration_seconds_bucket{${bucketSelector}}[${w}]))`;
      return {
        record: `service:http_requests_slow:ratio_rate${w}`,
        expr: `1 - (${fast}) / (service:http_requests:rate${w}{${selector}} > 0)`,
      };
    }),
  );
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
    { name: "slo-sli", rules: [...objectives, ...slowRatios] },
    { name: "slo-burn-rate", rules: burnAlerts },
  ];
}
