import { MICROMETER_SOURCE, quantile, sumRate } from "../common/httpSources";
import { ENDPOINT_P95, ENDPOINT_REQUESTS, SPAN_CALLS, SPAN_P95 } from "../common/recordedSeries";
import { RuleGroup } from "../common/prometheusTypes";

/**
 * What the Service Detail and Tracing dashboards show, computed once per evaluation from the raw
 * series: per endpoint from Micrometer's timer (the only framework whose endpoint labels the
 * dashboards read), per service from the collector's span metrics. Thanos downsamples the results
 * like any series, so a month of a panel reads a few series at 5-minute resolution.
 */
export function dashboardRecordingRules(): RuleGroup {
  return {
    name: "dashboards",
    rules: [
      {
        record: ENDPOINT_REQUESTS,
        expr: sumRate(MICROMETER_SOURCE, `${MICROMETER_SOURCE.family}_count`, [], "5m", {
          by: ["method", "uri", "status"],
        }),
      },
      {
        record: ENDPOINT_P95,
        expr: quantile(MICROMETER_SOURCE, 0.95, "5m", { by: ["method", "uri"] }),
      },
      {
        record: SPAN_CALLS,
        expr: "sum by (service_name, status_code) (rate(traces_spanmetrics_calls_total[5m]))",
      },
      {
        record: SPAN_P95,
        expr: "histogram_quantile(0.95, sum by (service_name, le) (rate(traces_spanmetrics_duration_seconds_bucket[5m])))",
      },
    ],
  };
}
