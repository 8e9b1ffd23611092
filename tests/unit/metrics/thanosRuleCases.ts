// `promtool test rules` cases of the metrics bucket's alerts (components/metrics/thanosRules.ts),
// on the series Thanos v0.42.4 exports (the compactor's `thanos_compact_*` of cmd/thanos/compact.go
// and pkg/compact/compact.go, the shipper's of pkg/shipper/shipper.go, the bucket client's
// `thanos_objstore_bucket_*`; Thanos Ruler's rule manager, alert sender and remote write, which are
// Prometheus' and Thanos' own: `prometheus_rule_*`, `thanos_alert_*`, `prometheus_remote_storage_*`)
// with the labels the stack's scrape jobs give them.
import { AlertCase } from "./alertCase";

const compactor =
  'job="thanos-compactor",instance="10.0.12.7:10902",namespace="observability",pod="thanos-compactor-0",node="ip-10-0-12-4",tier="observability"';
const store =
  'job="thanos-store",instance="10.0.13.9:10902",namespace="observability",pod="thanos-store-1",node="ip-10-0-13-2",tier="observability"';
const ruler =
  'job="thanos-ruler",instance="10.0.14.3:10902",namespace="observability",pod="thanos-ruler-7d9f8c6b5-x2lkq",node="ip-10-0-14-8",tier="observability"';
const rulerGroup = `${ruler},rule_group="/etc/thanos/rules/slo.yaml;slo-budget"`;
const rulerPod = { namespace: "observability", pod: "thanos-ruler-7d9f8c6b5-x2lkq" };
// Each replica scrapes its own sidecar over the pod's loopback.
const sidecar = 'job="thanos-sidecar",instance="localhost:10902",tier="observability"';

const firing = (
  alert: string,
  evalTime: string,
  series: Record<string, string>,
  fires: Record<string, string>,
) => ({
  alert,
  evalTime,
  series,
  fires,
});
const silent = (alert: string, evalTime: string, series: Record<string, string>) => ({
  alert,
  evalTime,
  series,
});

export const THANOS_ALERT_CASES: readonly AlertCase[] = [
  firing(
    "ThanosCompactorHalted",
    "10m",
    { [`thanos_compact_halted{${compactor}}`]: "0 0 1x10" },
    { namespace: "observability", pod: "thanos-compactor-0", severity: "warning" },
  ),
  silent("ThanosCompactorHalted", "10m", { [`thanos_compact_halted{${compactor}}`]: "0x12" }),
  // Seven hours with two compactions waiting: over the 6 hours a healthy compactor never takes.
  firing(
    "ThanosCompactorBacklog",
    "400m",
    {
      [`thanos_compact_todo_compactions{${compactor}}`]: "2x420",
      [`thanos_compact_todo_downsample_blocks{${compactor}}`]: "0x420",
    },
    { namespace: "observability", pod: "thanos-compactor-0", severity: "warning" },
  ),
  // A downsampling waits five hours, then is done: no backlog.
  silent("ThanosCompactorBacklog", "400m", {
    [`thanos_compact_todo_compactions{${compactor}}`]: "0x420",
    [`thanos_compact_todo_downsample_blocks{${compactor}}`]: "1x300 0x120",
  }),
  firing(
    "ThanosBucketOperationsFailing",
    "14m",
    {
      [`thanos_objstore_bucket_operations_total{${store},bucket="tiketi-prod-metrics",operation="iter"}`]:
        "0+6x20",
      [`thanos_objstore_bucket_operation_failures_total{${store},bucket="tiketi-prod-metrics",operation="iter"}`]:
        "0x2 0+6x18",
    },
    { job: "thanos-store", namespace: "observability", pod: "thanos-store-1", severity: "warning" },
  ),
  // One failed listing, retried: a blip is not an outage.
  silent("ThanosBucketOperationsFailing", "14m", {
    [`thanos_objstore_bucket_operations_total{${store},bucket="tiketi-prod-metrics",operation="iter"}`]:
      "0+6x20",
    [`thanos_objstore_bucket_operation_failures_total{${store},bucket="tiketi-prod-metrics",operation="iter"}`]:
      "0x5 1x15",
  }),
  // The shipper tries every 30 s: an hour of failures and no success.
  firing(
    "ThanosSidecarUploadsFailing",
    "70m",
    {
      [`thanos_shipper_dir_sync_failures_total{${sidecar}}`]: "0+2x80",
      [`thanos_shipper_dir_syncs_total{${sidecar}}`]: "400x80",
    },
    { job: "thanos-sidecar", instance: "localhost:10902", tier: "observability", severity: "critical" },
  ),
  // Failing while some syncs still succeed (a flaky bucket): the blocks still leave.
  silent("ThanosSidecarUploadsFailing", "70m", {
    [`thanos_shipper_dir_sync_failures_total{${sidecar}}`]: "0+1x80",
    [`thanos_shipper_dir_syncs_total{${sidecar}}`]: "400+1x80",
  }),
  // Every evaluation of the group fails (a store does not answer and the query aborts).
  firing(
    "ThanosRulerEvaluationsFailing",
    "25m",
    { [`prometheus_rule_evaluation_failures_total{${rulerGroup}}`]: "0+1x30" },
    { ...rulerPod, rule_group: "/etc/thanos/rules/slo.yaml;slo-budget", severity: "warning" },
  ),
  // One failed evaluation, then none: a store restarted.
  silent("ThanosRulerEvaluationsFailing", "25m", {
    [`prometheus_rule_evaluation_failures_total{${rulerGroup}}`]: "0x5 1x25",
  }),
  // The group's last evaluation stays at 1m while its interval is 1m.
  firing(
    "ThanosRulerNotEvaluating",
    "20m",
    {
      [`prometheus_rule_group_last_evaluation_timestamp_seconds{${rulerGroup}}`]: "60x30",
      [`prometheus_rule_group_interval_seconds{${rulerGroup}}`]: "60x30",
    },
    { ...rulerPod, rule_group: "/etc/thanos/rules/slo.yaml;slo-budget", severity: "warning" },
  ),
  silent("ThanosRulerNotEvaluating", "20m", {
    [`prometheus_rule_group_last_evaluation_timestamp_seconds{${rulerGroup}}`]: "0+60x30",
    [`prometheus_rule_group_interval_seconds{${rulerGroup}}`]: "60x30",
  }),
  // No Alertmanager takes its alerts.
  firing(
    "ThanosRulerAlertsDropped",
    "15m",
    {
      [`thanos_alert_sender_alerts_dropped_total{${ruler}}`]: "0+1x20",
      [`thanos_alert_queue_alerts_dropped_total{${ruler}}`]: "0x20",
    },
    { ...rulerPod, severity: "critical" },
  ),
  silent("ThanosRulerAlertsDropped", "15m", {
    [`thanos_alert_sender_alerts_dropped_total{${ruler}}`]: "0x20",
    [`thanos_alert_queue_alerts_dropped_total{${ruler}}`]: "0x20",
  }),
  // Prometheus refuses its writes.
  firing(
    "ThanosRulerRemoteWriteFailing",
    "30m",
    {
      [`prometheus_remote_storage_samples_failed_total{${ruler},remote_name="0",url="http://prometheus-0"}`]:
        "0+5x40",
    },
    { ...rulerPod, severity: "warning" },
  ),
  silent("ThanosRulerRemoteWriteFailing", "30m", {
    [`prometheus_remote_storage_samples_failed_total{${ruler},remote_name="0",url="http://prometheus-0"}`]:
      "0x40",
  }),
];

/**
 * An hour of a healthy prod cluster's Thanos processes: the compactor running and caught up, the
 * bucket answering the store gateway, each sidecar's syncs succeeding, the ruler evaluating.
 */
export function healthyThanos(minutes: number): Record<string, string> {
  return {
    [`thanos_compact_halted{${compactor}}`]: `0x${minutes}`,
    [`thanos_compact_todo_compactions{${compactor}}`]: `0x${minutes}`,
    [`thanos_compact_todo_downsample_blocks{${compactor}}`]: `0x${minutes}`,
    [`thanos_objstore_bucket_operations_total{${store},bucket="tiketi-prod-metrics",operation="iter"}`]: `0+6x${minutes}`,
    [`thanos_objstore_bucket_operation_failures_total{${store},bucket="tiketi-prod-metrics",operation="iter"}`]: `0x${minutes}`,
    [`thanos_shipper_dir_syncs_total{${sidecar}}`]: `0+2x${minutes}`,
    [`thanos_shipper_dir_sync_failures_total{${sidecar}}`]: `0x${minutes}`,
    [`prometheus_rule_evaluation_failures_total{${rulerGroup}}`]: `0x${minutes}`,
    [`prometheus_rule_group_last_evaluation_timestamp_seconds{${rulerGroup}}`]: `0+60x${minutes}`,
    [`prometheus_rule_group_interval_seconds{${rulerGroup}}`]: `60x${minutes}`,
    [`thanos_alert_sender_alerts_dropped_total{${ruler}}`]: `0x${minutes}`,
    [`thanos_alert_queue_alerts_dropped_total{${ruler}}`]: `0x${minutes}`,
  };
}
