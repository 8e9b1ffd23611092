import { alertFactory } from "../common/alertFactory";
import { RuleGroup } from "../common/prometheusTypes";
import { THANOS_COMPACTOR, THANOS_RULER, THANOS_SIDECAR_JOB } from "./names";

const compactor = `job="${THANOS_COMPACTOR.name}"`;
const sidecar = `job="${THANOS_SIDECAR_JOB}"`;
const ruler = `job="${THANOS_RULER.name}"`;

/**
 * The metrics history on S3 (metrics.objectStorage): the compactor stopped or falling behind, the
 * bucket failing its clients, and a sidecar whose blocks wait on the volume, where Prometheus
 * deletes them after `metrics.retentionTime` whether they were uploaded or not; and Thanos Ruler,
 * which evaluates the windows longer than Prometheus keeps, failing its evaluations, not evaluating,
 * not delivering its alerts or not writing what it records. Each Prometheus evaluates them on its
 * own cluster's Thanos processes, not on the ruler's own path.
 */
export function thanosRules(runbookBaseUrl: string): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  return {
    name: "thanos",
    rules: [
      alert(
        "ThanosCompactorHalted",
        "warning",
        `max by (namespace, pod) (thanos_compact_halted{${compactor}}) == 1`,
        "5m",
        "The Thanos compactor {{ $labels.pod }} has halted",
        "It met blocks it will not touch without a person (overlapping or corrupt blocks) and stopped compacting, downsampling and applying retention: the bucket grows and long queries slow down until it is fixed. Its log names the blocks.",
      ),
      alert(
        "ThanosCompactorBacklog",
        "warning",
        `sum by (namespace, pod) (thanos_compact_todo_compactions{${compactor}}) + sum by (namespace, pod) (thanos_compact_todo_downsample_blocks{${compactor}}) > 0`,
        "6h",
        "The Thanos compactor {{ $labels.pod }} falls behind",
        "{{ $value }} compactions and downsamplings have been waiting for 6 hours: queries over long ranges read more, smaller blocks at raw resolution.",
      ),
      alert(
        "ThanosBucketOperationsFailing",
        "warning",
        `sum by (namespace, job, pod) (rate(thanos_objstore_bucket_operation_failures_total[5m])) > 0`,
        "5m",
        "{{ $labels.job }} cannot use the metrics bucket",
        "Its requests to S3 have failed for 5 minutes ({{ $value | humanize }} a second): the bucket, its region, the IRSA role or the way out of the cluster.",
      ),
      alert(
        "ThanosSidecarUploadsFailing",
        "critical",
        `increase(thanos_shipper_dir_sync_failures_total{${sidecar}}[30m]) > 0 unless increase(thanos_shipper_dir_syncs_total{${sidecar}}[30m]) > 0`,
        "30m",
        "Prometheus' blocks are not reaching the bucket",
        "Every upload of {{ $externalLabels.prometheus_replica }}'s sidecar has failed for an hour. Its blocks wait on the volume, and Prometheus deletes each one once it is older than its retention, uploaded or not.",
      ),
      alert(
        "ThanosRulerEvaluationsFailing",
        "warning",
        `sum by (namespace, pod, rule_group) (increase(prometheus_rule_evaluation_failures_total{${ruler}}[5m])) > 0`,
        "15m",
        "Thanos Ruler {{ $labels.pod }} fails to evaluate {{ $labels.rule_group }}",
        "Its evaluations of the group have failed for 15 minutes: the SLO budgets and slow-burn tickets it records over the bucket's history are neither recorded nor alerted on. A store that does not answer makes each query abort rather than record part of the window; its log names the query and the error.",
      ),
      alert(
        "ThanosRulerNotEvaluating",
        "warning",
        `time() - max by (namespace, pod, rule_group) (prometheus_rule_group_last_evaluation_timestamp_seconds{${ruler}}) > 10 * max by (namespace, pod, rule_group) (prometheus_rule_group_interval_seconds{${ruler}})`,
        "5m",
        "Thanos Ruler {{ $labels.pod }} has not evaluated {{ $labels.rule_group }} for ten intervals",
        "What the group records is stale: the SLO budgets and slow-burn tickets over the bucket's history stand where they were. Its evaluations are queued behind slow queries to Thanos Query, or the ruler is stuck.",
      ),
      alert(
        "ThanosRulerAlertsDropped",
        "critical",
        `sum by (namespace, pod) (increase(thanos_alert_sender_alerts_dropped_total{${ruler}}[5m])) + sum by (namespace, pod) (increase(thanos_alert_queue_alerts_dropped_total{${ruler}}[5m])) > 0`,
        "5m",
        "Thanos Ruler {{ $labels.pod }} drops alerts",
        "Alerts it fired did not reach Alertmanager: no Alertmanager took them, or its queue overflowed. The other ruler sends the same alerts; if both drop them, slow-burn tickets go nowhere.",
      ),
      alert(
        "ThanosRulerRemoteWriteFailing",
        "warning",
        `sum by (namespace, pod) (increase(prometheus_remote_storage_samples_failed_total{${ruler}}[10m])) > 0`,
        "15m",
        "Thanos Ruler {{ $labels.pod }} cannot write what it records into Prometheus",
        "Its remote writes have failed for 15 minutes: the SLO budgets over the bucket's history are missing from Prometheus and so from the dashboards, while the ruler's own alerts still fire.",
      ),
    ],
  };
}
