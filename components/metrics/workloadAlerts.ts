import { StackConfig } from "../../config";
import { alertFactory } from "../common/alertFactory";
import { withPodNode } from "./platformSeries";
import { RuleGroup } from "../common/prometheusTypes";
import { dashboardLink, withDashboard } from "./useDashboards";

type Thresholds = StackConfig["metrics"]["alerts"];

const waiting = (reasons: string) =>
  `max by (namespace, pod, container, reason) (kube_pod_container_status_waiting_reason{reason=~"${reasons}"})`;

const IMAGE_PULL = "ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull";

/**
 * Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, PodDisruptionBudgets and
 * HorizontalPodAutoscalers that fail, from kube-state-metrics. Pod alerts carry the pod's `node`,
 * so a node that is not ready silences them (alertmanagerConfig.ts).
 */
export function workloadAlertRules(
  t: Thresholds,
  runbookBaseUrl: string,
  grafanaUrl: string | undefined,
): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  const pod = dashboardLink(grafanaUrl, "pod");
  const workload = (label: string) => dashboardLink(grafanaUrl, "workload", { workload: label });
  return {
    name: "platform-workloads",
    rules: [
      withDashboard(
        alert(
          "PodCrashLooping",
          "critical",
          // The kubelet's back-off caps at 5 minutes, after which a crash-looping container restarts a
          // few times an hour: the waiting reason, held over the runs between back-offs, keeps it firing.
          withPodNode(
            `max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) == 1)` +
              ` or max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m]) > ${t.restartsPer15m})`,
          ),
          "15m",
          "{{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
          "Container {{ $labels.container }} on {{ $labels.node }} has been crashing and restarting (CrashLoopBackOff, or more than " +
            `${t.restartsPer15m} restarts in 15 minutes) for 15 minutes.`,
        ),
        pod,
      ),
      withDashboard(
        alert(
          "ContainerOOMKilledRepeatedly",
          "warning",
          withPodNode(
            "max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[1h]) >= 2)" +
              ' and on (namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1)',
          ),
          undefined,
          "{{ $labels.namespace }}/{{ $labels.pod }} is OOM-killed again and again",
          "Container {{ $labels.container }} restarted {{ $value | humanize }} times in the last hour and was last terminated as OOMKilled: its memory limit is below what it needs.",
        ),
        pod,
      ),
      withDashboard(
        alert(
          "ContainerImagePullFailing",
          "warning",
          withPodNode(waiting(IMAGE_PULL)),
          "10m",
          "{{ $labels.namespace }}/{{ $labels.pod }} cannot pull its image",
          "Container {{ $labels.container }} has been waiting with {{ $labels.reason }} for 10 minutes: the image name, tag, registry credentials or registry are wrong or unreachable.",
        ),
        pod,
      ),
      withDashboard(
        alert(
          "ContainerWaiting",
          "warning",
          withPodNode(
            `max by (namespace, pod, container, reason) (kube_pod_container_status_waiting_reason{reason!~"CrashLoopBackOff|${IMAGE_PULL}"})`,
          ),
          "1h",
          "{{ $labels.namespace }}/{{ $labels.pod }} has a container that never starts",
          "Container {{ $labels.container }} has been waiting with {{ $labels.reason }} for an hour (a missing ConfigMap or Secret, a volume that does not mount, a failing init container).",
        ),
        pod,
      ),
      withDashboard(
        alert(
          "PodNotReady",
          "warning",
          withPodNode(
            'max by (namespace, pod) (kube_pod_status_ready{condition="true"}) == 0' +
              ' unless on (namespace, pod) max by (namespace, pod) (kube_pod_status_phase{phase="Succeeded"}) == 1' +
              ' unless on (namespace, pod) max by (namespace, pod) (kube_pod_owner{owner_kind="Job"})',
          ),
          "15m",
          "{{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes",
          "The pod on {{ $labels.node }} is not ready: it is pending, its containers are not running, or its readiness probe fails. It receives no traffic from its Services.",
        ),
        pod,
      ),
      withDashboard(
        alert(
          "DeploymentRolloutStuck",
          "warning",
          'max by (namespace, deployment) (kube_deployment_status_condition{condition="Progressing", status="false"}) == 1' +
            " or max by (namespace, deployment) (kube_deployment_status_observed_generation != kube_deployment_metadata_generation)",
          "15m",
          "The rollout of Deployment {{ $labels.namespace }}/{{ $labels.deployment }} is stuck",
          "The Deployment has not progressed for 15 minutes: its progress deadline passed, or the controller has not seen its latest spec.",
        ),
        workload("deployment"),
      ),
      withDashboard(
        alert(
          "DeploymentReplicasMissing",
          "warning",
          "max by (namespace, deployment) (kube_deployment_spec_replicas > kube_deployment_status_replicas_available)" +
            " and on (namespace, deployment) max by (namespace, deployment) (changes(kube_deployment_status_replicas_updated[10m]) == 0)",
          "15m",
          "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} misses replicas",
          "Fewer replicas are available than the Deployment asks for, and no rollout has moved for 15 minutes.",
        ),
        workload("deployment"),
      ),
      withDashboard(
        alert(
          "StatefulSetReplicasMissing",
          "warning",
          "max by (namespace, statefulset) (kube_statefulset_replicas > kube_statefulset_status_replicas_ready)" +
            " and on (namespace, statefulset) max by (namespace, statefulset) (changes(kube_statefulset_status_replicas_updated[10m]) == 0)",
          "15m",
          "StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} misses replicas",
          "Fewer replicas are ready than the StatefulSet asks for, and no rollout has moved for 15 minutes.",
        ),
        workload("statefulset"),
      ),
      withDashboard(
        alert(
          "StatefulSetRolloutStuck",
          "warning",
          "max by (namespace, statefulset) (kube_statefulset_status_observed_generation != kube_statefulset_metadata_generation)" +
            " or (max by (namespace, statefulset) (kube_statefulset_replicas > kube_statefulset_status_replicas_updated)" +
            " and on (namespace, statefulset) max by (namespace, statefulset) (changes(kube_statefulset_status_replicas_updated[10m]) == 0))",
          "15m",
          "The rollout of StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} is stuck",
          "Not every replica runs the StatefulSet's latest revision and none has been updated for 15 minutes (a replica that does not become ready blocks the ordered rollout).",
        ),
        workload("statefulset"),
      ),
      withDashboard(
        alert(
          "DaemonSetPodsMissing",
          "warning",
          "max by (namespace, daemonset) (kube_daemonset_status_desired_number_scheduled > kube_daemonset_status_number_available)" +
            " or max by (namespace, daemonset) (kube_daemonset_status_number_misscheduled > 0)",
          "15m",
          "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} does not run on every node it should",
          "Some nodes it should run on have no available pod of the DaemonSet, or run one they should not.",
        ),
        workload("daemonset"),
      ),
      withDashboard(
        alert(
          "DaemonSetRolloutStuck",
          "warning",
          "max by (namespace, daemonset) (kube_daemonset_status_observed_generation != kube_daemonset_metadata_generation)" +
            " or (max by (namespace, daemonset) (kube_daemonset_status_desired_number_scheduled > kube_daemonset_status_updated_number_scheduled)" +
            " and on (namespace, daemonset) max by (namespace, daemonset) (changes(kube_daemonset_status_updated_number_scheduled[10m]) == 0))",
          "15m",
          "The rollout of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is stuck",
          "Not every node runs the DaemonSet's latest revision and none has been updated for 15 minutes.",
        ),
        workload("daemonset"),
      ),
      withDashboard(
        alert(
          "JobFailed",
          "warning",
          'max by (namespace, job_name) (kube_job_failed{condition="true"}) == 1',
          undefined,
          "Job {{ $labels.namespace }}/{{ $labels.job_name }} failed",
          "The Job reached its back-off limit or deadline. `kubectl -n {{ $labels.namespace }} describe job {{ $labels.job_name }}` shows why; deleting the Job ends the alert.",
        ),
        workload("job_name"),
      ),
      withDashboard(
        alert(
          "JobRunningTooLong",
          "warning",
          "max by (namespace, job_name) (time() - kube_job_status_start_time) > 43200" +
            " and on (namespace, job_name) max by (namespace, job_name) (kube_job_status_active) > 0",
          undefined,
          "Job {{ $labels.namespace }}/{{ $labels.job_name }} has been running for more than 12 hours",
          "The Job started {{ $value | humanizeDuration }} ago and still has active pods.",
        ),
        workload("job_name"),
      ),
      withDashboard(
        alert(
          "CronJobNotScheduled",
          "warning",
          // The next schedule time stays in the past when the controller could not start the run.
          "max by (namespace, cronjob) (time() - kube_cronjob_next_schedule_time) > 3600" +
            " unless on (namespace, cronjob) max by (namespace, cronjob) (kube_cronjob_spec_suspend) == 1",
          undefined,
          "CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} has stopped running",
          "Its next run was due {{ $value | humanizeDuration }} ago and has not started (a previous run still active with concurrency Forbid, or a missed starting deadline).",
        ),
        workload("cronjob"),
      ),
      withDashboard(
        alert(
          "PodDisruptionBudgetUnhealthy",
          "warning",
          "max by (namespace, poddisruptionbudget) (kube_poddisruptionbudget_status_desired_healthy)" +
            " - max by (namespace, poddisruptionbudget) (kube_poddisruptionbudget_status_current_healthy) > 0",
          "15m",
          "PodDisruptionBudget {{ $labels.namespace }}/{{ $labels.poddisruptionbudget }} has fewer healthy pods than it requires",
          "{{ $value }} more of its pods must be healthy, for 15 minutes: it allows no eviction, so every drain and node upgrade blocks on it until they recover.",
        ),
        // The budget's own name: kube-state-metrics does not say which workload it selects, and a
        // budget is usually named after its workload (as the stack's own are).
        workload("poddisruptionbudget"),
      ),
      withDashboard(
        alert(
          "HPAMaxedOut",
          "warning",
          "max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas)" +
            " >= on (namespace, horizontalpodautoscaler) max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas)" +
            // An autoscaler whose minimum is its maximum is always there, by design.
            " unless on (namespace, horizontalpodautoscaler) max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas == kube_horizontalpodautoscaler_spec_min_replicas)",
          "15m",
          "HorizontalPodAutoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} is at its maximum",
          "It has run {{ $value }} replicas, its maximum, for 15 minutes: demand is above what it may scale to.",
        ),
        dashboardLink(grafanaUrl, "namespace"),
      ),
    ],
  };
}
