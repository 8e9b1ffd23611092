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
        expr: "sum by (service, method, uri, status) (rate(http_server_requests_seconds_count[5m]))",
      },
      {
        record: ENDPOINT_P95,
        expr: "histogram_quantile(0.95, sum by (service, method, uri, le) (rate(http_server_requests_seconds_bucket[5m])))",
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
