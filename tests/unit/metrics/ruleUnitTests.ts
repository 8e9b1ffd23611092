// `promtool test rules` cases for every alert of the generated rule files: one input that must
// make the alert fire with exactly the expected labels, and one close to it that must not. The
// latency alerts read fixture expositions (tests/kit/expositions) of a slow and a fast service.
import { Sample, promtoolSeries } from "../../kit/expositions/index";
import { AlertRule, RecordingRule, RuleFile } from "../../../components/common/prometheusTypes";
import { AlertCase } from "./alertCase";
import { MIXIN_ALERT_CASES } from "./mixinScenarioCases";
import { PLATFORM_ALERT_CASES, healthyCluster } from "./platformRuleCases";
import { THANOS_ALERT_CASES, healthyThanos } from "./thanosRuleCases";

const app = 'service="ticket-service"';

/** Target labels of an app pod and of another, as the services job's relabelling sets them. */
const APP_TARGET = {
  job: "services-actuator-prometheus-10s",
  instance: "10.244.0.21:3002",
  namespace: "tiketi-spring",
  pod: "ticket-service-7d9c5b6f4-k8x2p",
  service: "ticket-service",
  tier: "app",
};
const OTHER_APP_TARGET = {
  ...APP_TARGET,
  instance: "10.244.0.22:3005",
  pod: "auth-service-5f8b7c9d6-q4w7r",
  service: "auth-service",
};
const PROMETHEUS_TARGET = 'job="prometheus",instance="localhost:9090",tier="observability"';

/**
 * A target's `up` and scrape series over 15 minutes (40 for `post` alone): whole scrapes of the
 * Spring fixture's 1,534 samples unless given, under the default sample_limit of 20,000.
 */
function scrapeOf(
  target: Record<string, string>,
  values: { readonly up?: string; readonly scraped?: string; readonly post?: string },
): Record<string, string> {
  const labels = Object.entries(target)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  const post = values.post ?? "1534x15";
  return {
    [`up{${labels}}`]: values.up ?? "1x40",
    [`scrape_samples_scraped{${labels}}`]: values.scraped ?? post,
    [`scrape_samples_post_metric_relabeling{${labels}}`]: post,
    [`scrape_sample_limit{${labels}}`]: "20000x40",
  };
}

/** Each alert: [firing input, silent input, eval time, labels of the firing alert]. */
function pair(
  alert: string,
  evalTime: string,
  firing: Record<string, string>,
  silent: Record<string, string>,
  labels: Record<string, string> | Record<string, string>[],
): AlertCase[] {
  return [
    { alert, series: firing, evalTime, fires: labels },
    { alert, series: silent, evalTime },
  ];
}

const requests = (service: string, ok: string, failed: string) => ({
  [`http_server_requests_seconds_count{service="${service}",status="200",uri="/api"}`]: ok,
  [`http_server_requests_seconds_count{service="${service}",status="500",uri="/api"}`]: failed,
});

const micrometer = { sli_source: "micrometer" };

/** The HTTP series of a Spring service with SLO boundaries, as scraped; slow or fast. */
const spring = (
  service: string,
  slow: boolean,
  intervals: number,
  only = (s: Sample) => s.name.startsWith("http_"),
) =>
  promtoolSeries(
    slow ? "spring-boot-slo-boundaries-slow" : "spring-boot-slo-boundaries",
    { service },
    intervals,
    only,
  );

/** The SLO-boundary buckets and totals only: the long burn-rate windows need no more. */
const sloBuckets = (s: Sample) =>
  s.name.startsWith("http_") && (s.labels.le === undefined || ["0.5", "+Inf"].includes(s.labels.le));

/**
 * The counters of the demo's business SLOs (config/demo.ts, with the demo on) as the demo prints them: payments by outcome (objective 0.95: the page fires above 72 % failures over 1h and
 * 5m or 30 % over 6h and 30m, the ticket above 15 % over 1d and 2h or 5 % over 3d and 6h), and
 * seat locks by outcome (objective 0.93).
 */
const payments = (succeeded: string, failed: string) => ({
  'payments_total{service="demo-payments",outcome="succeeded"}': succeeded,
  'payments_total{service="demo-payments",outcome="failed"}': failed,
});
const seatLocks = (acquired: string, conflict: string) => ({
  'seat_locks_total{service="demo-checkout",outcome="acquired"}': acquired,
  'seat_locks_total{service="demo-checkout",outcome="conflict"}': conflict,
});
const paymentSlo = { slo: "demo-payment-failures", service: "demo-payments" };

/** The demo's business counters at its own failure shares (3 % of payments, 5 % of seat locks). */
const demoBusiness = (minutes: number) => ({
  ...payments(`0+97x${minutes}`, `0+3x${minutes}`),
  ...seatLocks(`0+95x${minutes}`, `0+5x${minutes}`),
});

export const ALERT_CASES: readonly AlertCase[] = [
  ...pair(
    "ServiceDown",
    "6m",
    { [`up{job="services",tier="app",${app},namespace="tiketi-spring",pod="ticket-0"}`]: "0x10" },
    {
      [`up{job="services",tier="app",${app},namespace="tiketi-spring",pod="ticket-0"}`]: "1x10",
      'up{job="alertmanager",tier="observability",pod="alertmanager-0"}': "0x10",
    },
    {
      job: "services",
      tier: "app",
      service: "ticket-service",
      namespace: "tiketi-spring",
      pod: "ticket-0",
      severity: "critical",
    },
  ),
  ...pair(
    "HighErrorRate",
    "10m",
    requests("payment-service", "0+60x20", "0+6x20"),
    requests("payment-service", "0+600x20", "0+2x20"),
    { service: "payment-service", ...micrometer, severity: "critical" },
  ),
  ...pair("HighLatency", "15m", spring("queue-service", true, 20), spring("queue-service", false, 20), {
    service: "queue-service",
    ...micrometer,
    severity: "critical",
  }),
  ...pair(
    "HighMemory",
    "11m",
    {
      'container_memory_working_set_bytes{namespace="ns",pod="p",container="c",id="/kubepods/x"}': "900x15",
      'kube_pod_container_resource_limits{namespace="ns",pod="p",container="c",resource="memory",unit="byte"}':
        "1000x15",
    },
    {
      'container_memory_working_set_bytes{namespace="ns",pod="p",container="c",id="/kubepods/x"}': "800x15",
      'kube_pod_container_resource_limits{namespace="ns",pod="p",container="c",resource="memory",unit="byte"}':
        "1000x15",
    },
    { namespace: "ns", pod: "p", container: "c", severity: "warning" },
  ),
  ...pair(
    "HighCPU",
    "16m",
    {
      'container_cpu_usage_seconds_total{namespace="ns",pod="p",container="c",id="/kubepods/x"}': "0+54x20",
      'kube_pod_container_resource_limits{namespace="ns",pod="p",container="c",resource="cpu",unit="core"}':
        "1x20",
    },
    {
      'container_cpu_usage_seconds_total{namespace="ns",pod="p",container="c",id="/kubepods/x"}': "0+42x20",
      'kube_pod_container_resource_limits{namespace="ns",pod="p",container="c",resource="cpu",unit="core"}':
        "1x20",
    },
    { namespace: "ns", pod: "p", container: "c", severity: "warning" },
  ),
  ...pair(
    "DiskPressure",
    "11m",
    {
      'kubelet_volume_stats_used_bytes{namespace="observability",persistentvolumeclaim="data-prometheus-0"}':
        "90x15",
      'kubelet_volume_stats_capacity_bytes{namespace="observability",persistentvolumeclaim="data-prometheus-0"}':
        "100x15",
    },
    {
      'kubelet_volume_stats_used_bytes{namespace="observability",persistentvolumeclaim="data-prometheus-0"}':
        "80x15",
      'kubelet_volume_stats_capacity_bytes{namespace="observability",persistentvolumeclaim="data-prometheus-0"}':
        "100x15",
      'node_filesystem_avail_bytes{instance="node-1",mountpoint="/",fstype="ext4"}': "50x15",
      'node_filesystem_size_bytes{instance="node-1",mountpoint="/",fstype="ext4"}': "100x15",
    },
    { namespace: "observability", persistentvolumeclaim: "data-prometheus-0", severity: "warning" },
  ),
  ...pair(
    "DiskPressure",
    "11m",
    {
      'node_filesystem_avail_bytes{instance="node-1",mountpoint="/",fstype="ext4"}': "10x15",
      'node_filesystem_size_bytes{instance="node-1",mountpoint="/",fstype="ext4"}': "100x15",
    },
    {
      'node_filesystem_avail_bytes{instance="node-1",mountpoint="/run",fstype="tmpfs"}': "1x15",
      'node_filesystem_size_bytes{instance="node-1",mountpoint="/run",fstype="tmpfs"}': "100x15",
    },
    { instance: "node-1", mountpoint: "/", fstype: "ext4", severity: "warning" },
  ),
  // The same claim labelled out of the alerts, as kube-state-metrics exports the label.
  {
    alert: "DiskPressure",
    evalTime: "11m",
    series: {
      'kubelet_volume_stats_used_bytes{namespace="observability",persistentvolumeclaim="data-prometheus-0"}':
        "90x15",
      'kubelet_volume_stats_capacity_bytes{namespace="observability",persistentvolumeclaim="data-prometheus-0"}':
        "100x15",
      'kube_persistentvolumeclaim_labels{namespace="observability",persistentvolumeclaim="data-prometheus-0",label_excluded_from_alerts="true"}':
        "1x15",
    },
  },
  ...pair(
    "PendingPods",
    "11m",
    { 'kube_pod_status_phase{namespace="tiketi-spring",pod="p",phase="Pending"}': "1x15" },
    { 'kube_pod_status_phase{namespace="tiketi-spring",pod="p",phase="Pending"}': "1x5 0x10" },
    { namespace: "tiketi-spring", severity: "warning" },
  ),
  ...pair(
    "PostgresDown",
    "6m",
    { 'pg_up{job="postgres-exporter-tickets",tier="observability"}': "0x10" },
    { 'pg_up{job="postgres-exporter-tickets",tier="observability"}': "1x10" },
    { job: "postgres-exporter-tickets", tier: "observability", severity: "critical" },
  ),
  ...pair(
    "RedisDown",
    "6m",
    { 'redis_up{job="redis-exporter-queue",tier="observability"}': "0x10" },
    { 'redis_up{job="redis-exporter-queue",tier="observability"}': "0x3 1x7" },
    { job: "redis-exporter-queue", tier: "observability", severity: "critical" },
  ),
  // A breaker that keeps failing flips between open and half-open faster than any `for`.
  ...pair(
    "CircuitBreakerOpen",
    "4m",
    {
      [`resilience4j_circuitbreaker_state{${app},name="internalService",state="closed"}`]: "0x5",
      [`resilience4j_circuitbreaker_state{${app},name="internalService",state="open"}`]: "1 0 1 0 1 0",
      [`resilience4j_circuitbreaker_state{${app},name="internalService",state="half_open"}`]: "0 1 0 1 0 1",
    },
    {
      [`resilience4j_circuitbreaker_state{${app},name="internalService",state="closed"}`]: "1x5",
      [`resilience4j_circuitbreaker_state{${app},name="internalService",state="open"}`]: "0x5",
      [`resilience4j_circuitbreaker_state{${app},name="internalService",state="half_open"}`]: "0x5",
    },
    { service: "ticket-service", name: "internalService", severity: "warning" },
  ),
  ...pair(
    "HighRetryRate",
    "16m",
    {
      [`resilience4j_retry_calls_total{${app},name="internalService",kind="successful_with_retry"}`]:
        "0+20x20",
      [`resilience4j_retry_calls_total{${app},name="internalService",kind="successful_without_retry"}`]:
        "0+80x20",
    },
    {
      [`resilience4j_retry_calls_total{${app},name="internalService",kind="successful_with_retry"}`]:
        "0+5x20",
      [`resilience4j_retry_calls_total{${app},name="internalService",kind="successful_without_retry"}`]:
        "0+95x20",
    },
    { service: "ticket-service", name: "internalService", severity: "warning" },
  ),
  ...pair(
    "ObservabilityTargetDown",
    "6m",
    { 'up{job="alertmanager",tier="observability",pod="alertmanager-0"}': "0x10" },
    {
      'up{job="alertmanager",tier="observability",pod="alertmanager-0"}': "1x10",
      [`up{job="services",tier="app",${app}}`]: "0x10",
    },
    { job: "alertmanager", tier: "observability", pod: "alertmanager-0", severity: "critical" },
  ),
  ...pair(
    "PrometheusConfigReloadFailed",
    "11m",
    { 'prometheus_config_last_reload_successful{pod="prometheus-0"}': "0x15" },
    { 'prometheus_config_last_reload_successful{pod="prometheus-0"}': "0x5 1x10" },
    { pod: "prometheus-0", severity: "warning" },
  ),
  ...pair(
    "PrometheusRuleEvaluationFailures",
    "5m",
    { 'prometheus_rule_evaluation_failures_total{rule_group="slo"}': "0+1x10" },
    { 'prometheus_rule_evaluation_failures_total{rule_group="slo"}': "0x10" },
    { rule_group: "slo", severity: "warning" },
  ),
  ...pair(
    "PrometheusNotificationsFailing",
    "5m",
    { 'prometheus_notifications_errors_total{alertmanager="am-0"}': "0+1x10" },
    { 'prometheus_notifications_errors_total{alertmanager="am-0"}': "0x10" },
    { alertmanager: "am-0", severity: "critical" },
  ),
  ...pair(
    "AlertmanagerNotificationsFailing",
    "5m",
    { 'alertmanager_notifications_failed_total{integration="slack"}': "0+1x10" },
    { 'alertmanager_notifications_failed_total{integration="slack"}': "0x10" },
    { integration: "slack", severity: "critical" },
  ),
  ...pair(
    "AlertmanagerConfigReloadFailed",
    "11m",
    { 'alertmanager_config_last_reload_successful{pod="alertmanager-0"}': "0x15" },
    { 'alertmanager_config_last_reload_successful{pod="alertmanager-0"}': "1x15" },
    { pod: "alertmanager-0", severity: "warning" },
  ),
  ...pair(
    "LogsDropped",
    "12m",
    {
      'loki_write_dropped_entries_total{namespace="observability-node",pod="alloy-x",reason="max_retries"}':
        "0x5 0+10x10",
    },
    {
      'loki_write_dropped_entries_total{namespace="observability-node",pod="alloy-x",reason="max_retries"}':
        "5x15",
    },
    { namespace: "observability-node", pod: "alloy-x", severity: "warning" },
  ),
  // The canary's counter as the stack's scrape labels it; it counts a line once, 10 minutes late.
  ...pair(
    "LogLinesMissing",
    "12m",
    {
      'loki_canary_missing_entries_total{namespace="observability",pod="loki-canary-6f7c9d8b4-q2w5e"}':
        "0x5 0 0 3 3 3 3 3 3 3 3",
    },
    {
      'loki_canary_missing_entries_total{namespace="observability",pod="loki-canary-6f7c9d8b4-q2w5e"}':
        "0x15",
    },
    { namespace: "observability", pod: "loki-canary-6f7c9d8b4-q2w5e", severity: "critical" },
  ),
  // The collector's own telemetry as it exposes it (labels as the stack's scrape adds them).
  ...pair(
    "TracesDropped",
    "6m",
    {
      'otelcol_exporter_enqueue_failed_spans_total{namespace="observability",pod="otel-collector-7d9f8c6b5-x2k4q",exporter="otlp/tempo"}':
        "0x5 1024+1024x10",
      'otelcol_exporter_send_failed_spans_total{namespace="observability",pod="otel-collector-7d9f8c6b5-x2k4q",exporter="otlp/tempo"}':
        "0x15",
    },
    {
      'otelcol_exporter_enqueue_failed_spans_total{namespace="observability",pod="otel-collector-7d9f8c6b5-x2k4q",exporter="otlp/tempo"}':
        "0x15",
      'otelcol_exporter_send_failed_spans_total{namespace="observability",pod="otel-collector-7d9f8c6b5-x2k4q",exporter="otlp/tempo"}':
        "0x15",
    },
    {
      namespace: "observability",
      pod: "otel-collector-7d9f8c6b5-x2k4q",
      exporter: "otlp/tempo",
      reason: "queue_full",
      severity: "warning",
    },
  ),
  ...pair(
    "PrometheusTSDBCompactionsFailing",
    "10m",
    { prometheus_tsdb_compactions_failed_total: "0+1x15" },
    { prometheus_tsdb_compactions_failed_total: "0x15" },
    { severity: "warning" },
  ),
  // An app pod's scrape series as Prometheus writes them with extra-scrape-metrics, under the
  // default sample_limit; the Spring fixture with percentile histograms has 1,534 samples.
  ...pair(
    "ScrapeSamplesNearLimit",
    "35m",
    { ...scrapeOf(APP_TARGET, { post: "17000x40" }) },
    { ...scrapeOf(APP_TARGET, { post: "15000x40" }) },
    { ...APP_TARGET, severity: "warning" },
  ),
  // Past the limit the near-limit warning gives way to the alert that the scrapes are refused.
  { alert: "ScrapeSamplesNearLimit", series: scrapeOf(APP_TARGET, { post: "25000x40" }), evalTime: "35m" },
  ...pair(
    "ScrapeSampleLimitExceeded",
    "11m",
    { ...scrapeOf(APP_TARGET, { up: "1x5 0x10", post: "1534x5 25000x10" }) },
    { ...scrapeOf(APP_TARGET, { post: "19000x15" }) },
    { ...APP_TARGET, severity: "critical" },
  ),
  // On the edge of its limit, refused at every other scrape: `up` is never 0 for 5 minutes.
  {
    alert: "ScrapeSampleLimitExceeded",
    series: scrapeOf(APP_TARGET, {
      up: Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? "1" : "0")).join(" "),
      post: Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? "19990" : "20010")).join(" "),
    }),
    evalTime: "11m",
    fires: { ...APP_TARGET, severity: "critical" },
  },
  // Refused for a series past label_limit: the scrape stopped at it, within its sample_limit, and
  // Prometheus counted the refusal. The healthy target beside it, and a target that does not answer
  // at all, are not named.
  ...pair(
    "ScrapeLabelLimitExceeded",
    "11m",
    {
      ...scrapeOf(APP_TARGET, { up: "1x5 0x10", scraped: "1534x5 212x10", post: "1534x5 211x10" }),
      ...scrapeOf(OTHER_APP_TARGET, {}),
      [`prometheus_target_scrape_pool_exceeded_label_limits_total{${PROMETHEUS_TARGET}}`]: "0x5 1+1x10",
    },
    {
      ...scrapeOf(APP_TARGET, { up: "1x5 0x10", scraped: "1534x5 0x10", post: "1534x5 0x10" }),
      ...scrapeOf(OTHER_APP_TARGET, {}),
      [`prometheus_target_scrape_pool_exceeded_label_limits_total{${PROMETHEUS_TARGET}}`]: "0x15",
    },
    { ...APP_TARGET, severity: "critical" },
  ),
  // A sample-limit refusal is ScrapeSampleLimitExceeded's, even while another target hits a label limit.
  {
    alert: "ScrapeLabelLimitExceeded",
    series: {
      ...scrapeOf(APP_TARGET, { up: "1x5 0x10", post: "1534x5 25000x10" }),
      [`prometheus_target_scrape_pool_exceeded_label_limits_total{${PROMETHEUS_TARGET}}`]: "0x5 1+1x10",
    },
    evalTime: "11m",
  },
  // Default objectives: availability 99.5 % (the page fires above 7.2 % errors over 1h and 5m or
  // 3 % over 6h and 30m, the ticket above 1.5 % over 1d and 2h or 0.5 % over 3d and 6h), latency
  // 95 % under 0.5 s (page above 72 % or 30 % slow requests, ticket above 15 % or 5 %). Windows
  // longer than the series read all of it: a steady rate is that rate over every window.
  ...pair(
    "SLOAvailabilityBurnFast",
    "65m",
    requests("catalog-service", "0+90x70", "0+10x70"),
    requests("catalog-service", "0+39x70", "0+1x70"),
    { service: "catalog-service", ...micrometer, severity: "critical" },
  ),
  ...pair(
    "SLOAvailabilityBurnSlow",
    "380m",
    requests("catalog-service", "0+49x400", "0+1x400"),
    requests("catalog-service", "0+249x400", "0+1x400"),
    { service: "catalog-service", ...micrometer, severity: "warning" },
  ),
  ...pair(
    "SLOLatencyBurnFast",
    "65m",
    spring("stats-service", true, 70, sloBuckets),
    spring("stats-service", false, 70, sloBuckets),
    { service: "stats-service", ...micrometer, severity: "critical" },
  ),
  ...pair(
    "SLOLatencyBurnSlow",
    "380m",
    spring("stats-service", true, 400, sloBuckets),
    spring("stats-service", false, 400, sloBuckets),
    { service: "stats-service", ...micrometer, severity: "warning" },
  ),
  // A scraped service that prints no HTTP server metric and sends no spans has neither SLI; one
  // with Micrometer's defaults and no spans has availability only.
  ...pair(
    "SLOCoverageMissing",
    "35m",
    {
      ...promtoolSeries("spring-boot-no-web", { service: "mail-worker" }, 40),
      'up{service="mail-worker",tier="app"}': "1x40",
      ...promtoolSeries("spring-boot-defaults", { service: "auth-service" }, 40),
      'up{service="auth-service",tier="app"}': "1x40",
    },
    {
      ...promtoolSeries("spring-boot-no-web", { service: "mail-worker" }, 40),
      'up{service="mail-worker",tier="app"}': "1x25 _x15",
      ...spring("auth-service", false, 40),
      'up{service="auth-service",tier="app"}': "1x40",
    },
    [
      {
        service: "mail-worker",
        sli: "availability",
        sli_source: "none",
        reason: "no HTTP server metric and no span metrics",
        severity: "warning",
      },
      {
        service: "mail-worker",
        sli: "latency",
        sli_source: "none",
        reason: "no histogram bucket at the latency threshold and no span metrics",
        severity: "warning",
      },
      {
        service: "auth-service",
        sli: "latency",
        sli_source: "none",
        reason: "no histogram bucket at the latency threshold and no span metrics",
        severity: "warning",
      },
    ],
  ),
  ...pair("SLOBurnFast", "65m", payments("0+20x70", "0+80x70"), payments("0+75x70", "0+25x70"), {
    ...paymentSlo,
    severity: "critical",
  }),
  ...pair("SLOBurnSlow", "380m", payments("0+80x400", "0+20x400"), payments("0+97x400", "0+3x400"), {
    ...paymentSlo,
    severity: "warning",
  }),
  // Only the seat locks are published: the payments SLO has had no data for 30 minutes.
  ...pair("SLOIndicatorMissing", "35m", seatLocks("0+95x40", "0+5x40"), demoBusiness(40), {
    ...paymentSlo,
    severity: "warning",
  }),
  { alert: "Watchdog", series: {}, evalTime: "1m", fires: { severity: "none" } },
  ...PLATFORM_ALERT_CASES,
  ...MIXIN_ALERT_CASES,
  ...THANOS_ALERT_CASES,
];

const minutes = (evalTime: string) => Number(/^(\d+)m$/.exec(evalTime)?.[1] ?? 0);

/** Minutes of healthy series each profile's cluster is evaluated over. */
const HEALTHY_MINUTES = 60;

/** Every name-like token of a PromQL expression: metrics, recording rules, functions, labels. */
const identifiers = (expr: string) => new Set(expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []);

const rulesIn = (files: Readonly<Record<string, RuleFile>>) =>
  Object.values(files).flatMap((f) => f.groups.flatMap((g) => g.rules));

/**
 * The rules of `files` that `alert` reads, in their groups and order: its own and the recording rules
 * it reads, directly or through other recording rules. A case of one alert asserts nothing of the
 * others, so it evaluates only these.
 */
export function rulesOfAlert(alert: string, files: Readonly<Record<string, RuleFile>>): RuleFile {
  return rulesReadBy((r) => "alert" in r && r.alert === alert, files);
}

/** The rules `isRoot` picks out of `files` and the recording rules they read, in their groups and order. */
export function rulesReadBy(
  isRoot: (rule: AlertRule | RecordingRule) => boolean,
  files: Readonly<Record<string, RuleFile>>,
): RuleFile {
  const rules = rulesIn(files);
  const needed = new Set<AlertRule | RecordingRule>(rules.filter(isRoot));
  for (let added = true; added; ) {
    const read = new Set([...needed].flatMap((r) => [...identifiers(r.expr)]));
    const more = rules.filter((r) => "record" in r && read.has(r.record) && !needed.has(r));
    more.forEach((r) => needed.add(r));
    added = more.length > 0;
  }
  return {
    groups: Object.values(files)
      .flatMap((f) => f.groups)
      .map((g) => ({ ...g, rules: g.rules.filter((r) => needed.has(r)) }))
      .filter((g) => g.rules.length > 0),
  };
}

/**
 * Only the series whose metric name some rule reads: no other series can change a result. A rule that
 * selects by labels alone (`{job="x"}`) reads every series, so then all are kept.
 */
function seriesRead(series: Readonly<Record<string, string>>, files: Readonly<Record<string, RuleFile>>) {
  const exprs = rulesIn(files).map((r) => r.expr);
  if (exprs.some((e) => /(^|[^a-zA-Z0-9_:])\{/.test(e))) return series;
  const read = new Set(exprs.flatMap((e) => [...identifiers(e)]));
  return Object.fromEntries(
    Object.entries(series).filter(([s]) => read.has(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s)![0])),
  );
}

const promtoolTest = (name: string, series: Readonly<Record<string, string>>, checks: object[]) => ({
  name,
  interval: "1m",
  input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
  alert_rule_test: checks,
});

/**
 * An hour of a healthy cluster of `shape` (with the demo publishing its business counters when it
 * runs) through every rule of `files`: of all their alerts only the Watchdog fires.
 */
export function healthyClusterTestFile(
  files: Readonly<Record<string, RuleFile>>,
  shape: "kind" | "prod",
  demo: boolean,
): object {
  const alerts = rulesIn(files).flatMap((r) => ("alert" in r ? [r.alert] : []));
  const series = {
    ...healthyCluster(shape, HEALTHY_MINUTES),
    ...(shape === "prod" ? healthyThanos(HEALTHY_MINUTES) : {}),
    ...(demo ? demoBusiness(HEALTHY_MINUTES) : {}),
  };
  return {
    rule_files: Object.keys(files),
    evaluation_interval: "1m",
    tests: [
      promtoolTest(
        `a healthy ${shape} cluster${demo ? "" : " without the demo"}`,
        seriesRead(series, files),
        [...new Set(alerts)].map((alertname) => ({
          eval_time: `${HEALTHY_MINUTES}m`,
          alertname,
          exp_alerts: alertname === "Watchdog" ? [{ exp_labels: { severity: "none" } }] : [],
        })),
      ),
    ],
  };
}

/**
 * Alert annotations are templates checked by `promtool check rules`; they are left out of the
 * unit-test copies so each case asserts the alert's labels, not its prose.
 */
export const withoutAnnotations = (file: RuleFile) => ({
  groups: file.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: undefined } : r)),
  })),
});

/**
 * The promtool files for `alertCases` (ALERT_CASES unless given) over the given rule files, by name: one rule file and one or two
 * test files per alert with the rules it reads (see `rulesOfAlert`), and one healthy-cluster test per
 * profile over all rules (with the demo publishing its business counters). Rules are evaluated
 * every minute, except for the cases over 6-hour windows: every 4 minutes, which keeps the run
 * short, is finer than their `for` durations, and stays inside the 5-minute lookback through which
 * an alert reads the previous round of another group's recording rules.
 */
export function promtoolTestFiles(
  files: Readonly<Record<string, RuleFile>>,
  alertCases: readonly AlertCase[] = ALERT_CASES,
): {
  ruleFiles: Record<string, object>;
  testFiles: Record<string, object>;
} {
  const testFile = (
    evaluationInterval: string,
    ruleFiles: readonly string[],
    cases: readonly AlertCase[],
  ) => ({
    rule_files: ruleFiles,
    evaluation_interval: evaluationInterval,
    tests: cases.map((c) =>
      promtoolTest(`${c.alert} ${c.fires === undefined ? "stays silent" : "fires"}`, c.series, [
        {
          eval_time: c.evalTime,
          alertname: c.alert,
          exp_alerts: [c.fires ?? []].flat().map((labels) => ({ exp_labels: labels })),
        },
      ]),
    ),
  });
  const alerts = rulesIn(files).flatMap((r) => ("alert" in r ? [r.alert] : []));
  const long = (c: AlertCase) => minutes(c.evalTime) >= 360;
  const ruleFiles = Object.fromEntries(
    Object.entries(files).map(([name, f]) => [name, withoutAnnotations(f)]),
  );
  const testFiles: Record<string, object> = {
    "healthy-kind.yaml": healthyClusterTestFile(files, "kind", true),
    "healthy-prod.yaml": healthyClusterTestFile(files, "prod", true),
  };
  for (const alert of new Set(alerts)) {
    const rules = `rules-${alert}.yaml`;
    ruleFiles[rules] = withoutAnnotations(rulesOfAlert(alert, files));
    const cases = alertCases.filter((c) => c.alert === alert);
    for (const [name, interval, some] of [
      [`tests-${alert}.yaml`, "1m", cases.filter((c) => !long(c))],
      [`tests-${alert}-6h.yaml`, "4m", cases.filter(long)],
    ] as const) {
      if (some.length > 0) testFiles[name] = testFile(interval, [rules], some);
    }
  }
  return { ruleFiles, testFiles };
}
