import { alertFactory } from "../common/alertFactory";
import { RuleGroup } from "../common/prometheusTypes";
import { THANOS_COMPACTOR, THANOS_SIDECAR_JOB } from "./names";

const compactor = `job="${THANOS_COMPACTOR.name}"`;
const sidecar = `job="${THANOS_SIDECAR_JOB}"`;

/**
 * The metrics history on S3 (metrics.objectStorage): the compactor stopped or falling behind, the
 * bucket failing its clients, and a sidecar whose blocks wait on the volume, where Prometheus
 * deletes them after `metrics.retentionTime` whether they were uploaded or not. Each Prometheus
 * evaluates them on its own cluster's Thanos processes.
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
    ],
  };
}
