import { StackConfig } from "../../config";
import { RuleGroup } from "../common/prometheusTypes";
import {
  HttpSource,
  LATENCY_SOURCES,
  averageDuration,
  bucketRate,
  latencySources,
  matchingRate,
  perService,
  quantileOf,
  requestRate,
  trafficSources,
} from "../common/httpSources";
import { TIER_LABEL } from "../common/scrapeJobs";
import { alertFactory, ratio } from "../common/alertFactory";
import { BURN_WINDOWS, fromChunks } from "./sloEngine";
import { OPTED_OUT_CLAIMS } from "./platformSeries";

type Thresholds = StackConfig["metrics"]["alerts"];

/** The series recording a latency source's bucket rates per service over 5 minutes. */
const bucketRateRecord = (source: HttpSource) => `service_le:${source.family}_bucket:rate5m`;

/**
 * Per service, from the first source it has (see httpSources.ts; a meshed service's sidecar first
 * with `mesh`), labelled `sli_source`: request rates, error rates and ratios over every window the
 * SLO burn-rate alerts read up to a day (5m also serves the plain error-rate alert), and the latency figures a
 * panel can show — the 99th percentile where the service has a histogram, the average
 * (`_sum / _count`) wherever it has a duration metric, and Micrometer's `_max`. Span-metric rates
 * count only the spans apps send: with head sampling below 1 they are that share of the real rate;
 * ratios are not affected.
 */
export function httpRecordingRules(mesh = false): RuleGroup {
  const traffic = trafficSources(mesh);
  const latency = latencySources(mesh);
  // The longer windows add up hourly chunks (sloRules.ts).
  const perWindow = BURN_WINDOWS.filter((w) => !fromChunks(w)).flatMap((w) => [
    {
      record: `service:http_requests:rate${w}`,
      expr: perService(traffic, (s) => requestRate(s, w)),
    },
    {
      record: `service:http_errors:rate${w}`,
      expr: perService(traffic, (s) => matchingRate(s, s.errors, w)),
    },
    // 0/0 (no requests in the window) is NaN: the SLI exists, and no alert fires on it.
    {
      record: `service:http_errors:ratio_rate${w}`,
      expr: `service:http_errors:rate${w} / service:http_requests:rate${w}`,
    },
  ]);
  return {
    name: "http-red",
    rules: [
      ...perWindow,
      {
        record: "service:http_client_errors:rate5m",
        expr: perService(traffic, (s) => matchingRate(s, s.clientErrors, "5m")),
      },
      // Each histogram's buckets are summed per service once, and the three quantiles read that sum:
      // at prod's rated load a pass over every pod's buckets is most of the group's evaluation.
      ...latency.map((s) => ({ record: bucketRateRecord(s), expr: bucketRate(s, "5m") })),
      ...(
        [
          ["p50", 0.5],
          ["p95", 0.95],
          ["p99", 0.99],
        ] as const
      ).map(([name, q]) => ({
        record: `service:http_request_duration_seconds:${name}_rate5m`,
        expr: perService(latency, (s) => quantileOf(s, q, bucketRateRecord(s))),
      })),
      {
        record: "service:http_request_duration_seconds:avg_rate5m",
        expr: perService(latency, (s) => averageDuration(s, "5m")),
      },
      {
        record: "service:http_request_duration_seconds:max",
        expr: perService(LATENCY_SOURCES.slice(0, 1), (s) => `max by (service) (${s.family}_max)`),
      },
    ],
  };
}

/** The reference review's alert list: critical service alerts and warning resource alerts. */
export function serviceAlertRules(t: Thresholds, runbookBaseUrl: string): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  return [
    {
      name: "services-critical",
      rules: [
        alert(
          "ServiceDown",
          "critical",
          `up{${TIER_LABEL}="app"} == 0`,
          "5m",
          "{{ $labels.service }} is down",
          "Prometheus has not been able to scrape {{ $labels.service }} ({{ $labels.pod }} in {{ $labels.namespace }}) for 5 minutes.",
        ),
        alert(
          "HighErrorRate",
          "critical",
          `service:http_errors:ratio_rate5m > ${ratio(t.errorRatePercent)}`,
          "5m",
          "{{ $labels.service }} answers more than " + `${t.errorRatePercent} % of requests with 5xx`,
          "{{ $value | humanizePercentage }} of the requests to {{ $labels.service }} failed with a 5xx status over the last 5 minutes.",
        ),
        alert(
          "HighLatency",
          "critical",
          `service:http_request_duration_seconds:p99_rate5m > ${t.latencyP99Seconds}`,
          "10m",
          "{{ $labels.service }} p99 latency above " + `${t.latencyP99Seconds}s`,
          "The 99th percentile of {{ $labels.service }}'s request duration is {{ $value | humanizeDuration }}.",
        ),
      ],
    },
    {
      name: "resources-warning",
      rules: [
        alert(
          "HighMemory",
          "warning",
          'sum by (namespace, pod, container) (container_memory_working_set_bytes{container!="", container!="POD"})' +
            ' / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="memory"})' +
            ` > ${ratio(t.memoryPercentOfLimit)}`,
          "10m",
          "{{ $labels.namespace }}/{{ $labels.pod }} uses more than " +
            `${t.memoryPercentOfLimit} % of its memory limit`,
          "Container {{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit; it will be OOM-killed at 100 %.",
        ),
        alert(
          "HighCPU",
          "warning",
          'sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{container!="", container!="POD"}[5m]))' +
            ' / sum by (namespace, pod, container) (kube_pod_container_resource_limits{resource="cpu"})' +
            ` > ${ratio(t.cpuPercentOfLimit)}`,
          "10m",
          "{{ $labels.namespace }}/{{ $labels.pod }} uses more than " +
            `${t.cpuPercentOfLimit} % of its CPU limit`,
          "Container {{ $labels.container }} uses {{ $value | humanizePercentage }} of its CPU limit and is likely throttled.",
        ),
        alert(
          "DiskPressure",
          "warning",
          `kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > ${ratio(t.diskPercent)}` +
            ` unless on (namespace, persistentvolumeclaim) ${OPTED_OUT_CLAIMS}` +
            ' or (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs|nsfs"}' +
            ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs|nsfs"})' +
            ` > ${ratio(t.diskPercent)}`,
          "10m",
          "A volume or node filesystem is more than " + `${t.diskPercent} % full`,
          "{{ with $labels.persistentvolumeclaim }}Volume claim {{ $labels.namespace }}/{{ . }}{{ else }}Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }}{{ end }} is {{ $value | humanizePercentage }} full.",
        ),
        alert(
          "PendingPods",
          "warning",
          'sum by (namespace) (kube_pod_status_phase{phase="Pending"}) > 0',
          "10m",
          "Pods in {{ $labels.namespace }} have been pending for 10 minutes",
          "{{ $value }} pods in {{ $labels.namespace }} cannot be scheduled or started.",
        ),
      ],
    },
    {
      name: "datastores",
      rules: [
        alert(
          "PostgresDown",
          "critical",
          "pg_up == 0",
          "5m",
          "PostgreSQL behind {{ $labels.job }} is unreachable",
          "postgres-exporter has not been able to connect to its database for 5 minutes.",
        ),
        alert(
          "RedisDown",
          "critical",
          "redis_up == 0",
          "5m",
          "Redis behind {{ $labels.job }} is unreachable",
          "redis-exporter has not been able to connect to its Redis for 5 minutes.",
        ),
      ],
    },
    {
      name: "resilience",
      rules: [
        alert(
          "CircuitBreakerOpen",
          "warning",
          // Open or half-open at any scrape of the last 5 minutes: Resilience4j leaves the open state
          // after seconds, so a breaker that keeps failing flips between the two faster than a `for`.
          'max by (namespace, service, name) (max_over_time(resilience4j_circuitbreaker_state{state=~"open|half_open"}[5m])) == 1',
          "1m",
          "Circuit breaker {{ $labels.name }} of {{ $labels.service }} keeps opening",
          "Calls through {{ $labels.name }} were failing fast (open or half-open) within the last 5 minutes; the downstream dependency is failing or slow.",
        ),
        alert(
          "HighRetryRate",
          "warning",
          'sum by (service, name) (rate(resilience4j_retry_calls_total{kind=~"successful_with_retry|failed_with_retry"}[5m]))' +
            " / sum by (service, name) (rate(resilience4j_retry_calls_total[5m]))" +
            ` > ${ratio(t.retryPercent)}`,
          "10m",
          "More than " +
            `${t.retryPercent} % of {{ $labels.service }}'s calls through {{ $labels.name }} need retries`,
          "{{ $value | humanizePercentage }} of the calls needed at least one retry over the last 5 minutes.",
        ),
      ],
    },
  ];
}

/** Alerts on the observability stack itself, including the always-firing Watchdog. */
export function selfMonitoringRules(runbookBaseUrl: string): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  return {
    name: "observability-self",
    rules: [
      alert(
        "Watchdog",
        "none",
        "vector(1)",
        undefined,
        "The alerting pipeline is alive",
        "Always firing. If a dead man's switch stops receiving it, Prometheus or Alertmanager is down.",
      ),
      alert(
        "ObservabilityTargetDown",
        "critical",
        `up{${TIER_LABEL}="observability"} == 0`,
        "5m",
        "{{ $labels.job }} of the observability stack is down",
        "Prometheus cannot scrape {{ $labels.job }} ({{ $labels.pod }}); its signals are missing.",
      ),
      alert(
        "PrometheusConfigReloadFailed",
        "warning",
        "prometheus_config_last_reload_successful == 0",
        "10m",
        "Prometheus could not load its new configuration",
        "{{ $labels.pod }} keeps running the previous configuration; check its log for the error.",
      ),
      alert(
        "PrometheusRuleEvaluationFailures",
        "warning",
        "increase(prometheus_rule_evaluation_failures_total[5m]) > 0",
        undefined,
        "Prometheus fails to evaluate rules of group {{ $labels.rule_group }}",
        "{{ $value | humanize }} rule evaluations failed in 5 minutes; alerts of that group may be missed.",
      ),
      alert(
        "PrometheusNotificationsFailing",
        "critical",
        "increase(prometheus_notifications_errors_total[5m]) > 0",
        undefined,
        "Prometheus cannot send alerts to Alertmanager",
        "{{ $value | humanize }} notifications to {{ $labels.alertmanager }} failed in 5 minutes.",
      ),
      alert(
        "AlertmanagerNotificationsFailing",
        "critical",
        "increase(alertmanager_notifications_failed_total[5m]) > 0",
        undefined,
        "Alertmanager cannot deliver to {{ $labels.integration }}",
        "{{ $value | humanize }} notifications through {{ $labels.integration }} failed in 5 minutes; check the receiver's credentials and reachability.",
      ),
      alert(
        "AlertmanagerConfigReloadFailed",
        "warning",
        "alertmanager_config_last_reload_successful == 0",
        "10m",
        "Alertmanager could not load its new configuration",
        "{{ $labels.pod }} keeps running the previous configuration.",
      ),
      alert(
        "LogsDropped",
        "warning",
        "sum by (namespace, pod) (increase(loki_write_dropped_entries_total[10m])) > 0",
        undefined,
        "The log agent {{ $labels.pod }} drops log lines",
        "{{ $value | humanize }} lines were dropped in 10 minutes after Loki kept refusing them (retries exhausted, rate limits, or Loki down).",
      ),
      alert(
        "LogLinesMissing",
        "critical",
        "sum by (namespace, pod) (increase(loki_canary_missing_entries_total[15m])) > 0",
        undefined,
        "Lines the log canary {{ $labels.pod }} wrote never came back from Loki",
        "{{ $value | humanize }} of its lines were still not in Loki 10 minutes after it wrote them (its tail and a direct query both missed them): the log path loses lines.",
      ),
      alert(
        "TracesDropped",
        "warning",
        // Both counters are per exporter and have the same labels: `reason` keeps them apart.
        `sum by (namespace, pod, exporter, reason) (
  label_replace(increase(otelcol_exporter_enqueue_failed_spans_total[10m]), "reason", "queue_full", "", "")
  or
  label_replace(increase(otelcol_exporter_send_failed_spans_total[10m]), "reason", "retries_exhausted", "", "")
) > 0`,
        undefined,
        "The collector {{ $labels.pod }} drops spans ({{ $labels.reason }})",
        "{{ $value | humanize }} spans for {{ $labels.exporter }} were dropped in 10 minutes: its sending queue was full or it gave up retrying (the trace store unreachable for longer than the queue and retries cover).",
      ),
      alert(
        "PrometheusTSDBCompactionsFailing",
        "warning",
        "increase(prometheus_tsdb_compactions_failed_total[3h]) > 0",
        undefined,
        "Prometheus TSDB compactions are failing",
        "{{ $value | humanize }} compactions failed in 3 hours; the volume may be full or corrupt.",
      ),
    ],
  };
}
