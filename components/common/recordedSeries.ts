// The series the Metrics component records for the dashboards' per-endpoint and per-span panels,
// by name: a panel over a month reads these few series instead of every pod's histogram buckets.

/** Requests per second of each Spring (Micrometer) endpoint and status, per service. */
export const ENDPOINT_REQUESTS = "service_method_uri_status:http_server_requests_seconds_count:rate5m";

/** The 95th percentile of each Spring (Micrometer) endpoint's request duration, per service. */
export const ENDPOINT_P95 = "service_method_uri:http_server_requests_seconds:p95_rate5m";

/** Spans per second the collector's span metrics count, per service and span status. */
export const SPAN_CALLS = "service_name_status_code:traces_spanmetrics_calls_total:rate5m";

/** The 95th percentile of span duration, per service, from the collector's span metrics. */
export const SPAN_P95 = "service_name:traces_spanmetrics_duration_seconds:p95_rate5m";
