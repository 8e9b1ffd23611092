import { RATE_INTERVAL, prom } from "../dashboard/model";
import { table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import {
  CONTAINERS,
  KUBERNETES_DASHBOARDS,
  NAMESPACE_VARIABLE,
  POD_NETWORK,
  WORKLOAD_PODS,
  WORKLOAD_VARIABLE,
  cpuUse,
  drillDown,
  eventsPanel,
  memoryUse,
  perWorkload,
  reserved,
  throttling,
} from "./kubernetesSeries";

const NAMESPACE = 'namespace=~"$namespace"';
/** The expression for the selected workload's pods only. */
const ofWorkload = (expr: string) => `(${expr}) * on (namespace, pod) group_left () ${WORKLOAD_PODS}`;
const toPod = drillDown("pod", { namespace: "namespace", pod: "pod" });

/** One workload (Deployment, StatefulSet, DaemonSet, Job or CronJob) and its pods by USE. */
export const kubernetesWorkload = defineDashboard(KUBERNETES_DASHBOARDS.workload, () => ({
  description:
    "A workload's replicas, rollout, autoscaling and disruption budget, and its pods' CPU and memory against requests and limits, throttling, restarts, OOM kills and events, termination reasons and network errors. Click a pod to drill down.",
  tags: ["observability", "kubernetes"],
  variables: [NAMESPACE_VARIABLE, WORKLOAD_VARIABLE],
  links: [KUBERNETES_DASHBOARDS.namespace, KUBERNETES_DASHBOARDS.pod],
  panels: [
    timeSeries({
      title: "Replicas wanted, ready and up to date",
      description: "Deployments, StatefulSets and DaemonSets.",
      queries: [
        prom(
          perWorkload({
            deployment: "kube_deployment_spec_replicas",
            statefulset: "kube_statefulset_replicas",
            daemonset: "kube_daemonset_status_desired_number_scheduled",
          }),
          "{{workload}} wanted",
        ),
        prom(
          perWorkload({
            deployment: "kube_deployment_status_replicas_ready",
            statefulset: "kube_statefulset_status_replicas_ready",
            daemonset: "kube_daemonset_status_number_ready",
          }),
          "{{workload}} ready",
        ),
        prom(
          perWorkload({
            deployment: "kube_deployment_status_replicas_updated",
            statefulset: "kube_statefulset_status_replicas_updated",
            daemonset: "kube_daemonset_status_updated_number_scheduled",
          }),
          "{{workload}} up to date",
        ),
      ],
    }),
    timeSeries({
      title: "Autoscaler replicas",
      description:
        "Current, desired and maximum replicas of the HorizontalPodAutoscaler scaling the workload.",
      queries: (
        [
          ["current", "kube_horizontalpodautoscaler_status_current_replicas"],
          ["desired", "kube_horizontalpodautoscaler_status_desired_replicas"],
          ["maximum", "kube_horizontalpodautoscaler_spec_max_replicas"],
        ] as const
      ).map(([legend, metric]) =>
        prom(
          `${metric}{${NAMESPACE}} * on (namespace, horizontalpodautoscaler) group_left (scaletargetref_name) kube_horizontalpodautoscaler_info{${NAMESPACE}, scaletargetref_name=~"$workload"}`,
          `{{horizontalpodautoscaler}} ${legend}`,
        ),
      ),
    }),
    timeSeries({
      title: "Disruption budget: healthy against required",
      description:
        "Pods of each PodDisruptionBudget named like the workload (kube-state-metrics does not say which pods a budget selects) that are healthy, the number it requires, and the evictions it allows now. Below required, every drain blocks on it.",
      queries: (
        [
          ["healthy", "kube_poddisruptionbudget_status_current_healthy"],
          ["required", "kube_poddisruptionbudget_status_desired_healthy"],
          ["evictions allowed", "kube_poddisruptionbudget_status_pod_disruptions_allowed"],
        ] as const
      ).map(([legend, metric]) =>
        prom(
          `${metric}{${NAMESPACE}, poddisruptionbudget=~"$workload"}`,
          `{{poddisruptionbudget}} ${legend}`,
        ),
      ),
    }),
    timeSeries({
      title: "CPU use against requests and limits",
      queries: [
        prom(`sum(${ofWorkload(cpuUse(NAMESPACE))})`, "use"),
        prom(`sum(${ofWorkload(reserved("requests", "cpu", NAMESPACE))})`, "requests"),
        prom(`sum(${ofWorkload(reserved("limits", "cpu", NAMESPACE))})`, "limits"),
      ],
    }),
    timeSeries({
      title: "Memory use against requests and limits",
      queries: [
        prom(`sum(${ofWorkload(memoryUse(NAMESPACE))})`, "working set"),
        prom(`sum(${ofWorkload(reserved("requests", "memory", NAMESPACE))})`, "requests"),
        prom(`sum(${ofWorkload(reserved("limits", "memory", NAMESPACE))})`, "limits"),
      ],
      unit: "bytes",
    }),
    timeSeries({
      title: "CPU use by pod",
      queries: [prom(`sum by (namespace, pod) (${ofWorkload(cpuUse(NAMESPACE))})`, "{{pod}}")],
      links: [toPod],
    }),
    timeSeries({
      title: "Memory working set by pod",
      queries: [prom(`sum by (namespace, pod) (${ofWorkload(memoryUse(NAMESPACE))})`, "{{pod}}")],
      unit: "bytes",
      links: [toPod],
    }),
    timeSeries({
      title: "CPU throttling by pod",
      description: "Share of CFS periods throttled, for containers with a CPU limit only.",
      queries: [prom(ofWorkload(throttling("namespace, pod", NAMESPACE)), "{{pod}}")],
      unit: "percentunit",
      links: [toPod],
    }),
    timeSeries({
      title: "Restarts and OOM kills by pod (1h)",
      queries: [
        prom(
          `sum by (namespace, pod) (${ofWorkload(`increase(kube_pod_container_status_restarts_total{${NAMESPACE}}[1h])`)})`,
          "{{pod}} restarts",
        ),
        prom(
          `sum by (namespace, pod) (${ofWorkload(`increase(container_oom_events_total{${CONTAINERS}, ${NAMESPACE}}[1h])`)})`,
          "{{pod}} OOM kills",
        ),
      ],
      links: [toPod],
    }),
    // Controllers name what they make after themselves: a Deployment's ReplicaSets and pods, a
    // StatefulSet's or Job's pods, a CronJob's Jobs.
    eventsPanel(
      "the workload, and the ReplicaSets, Jobs and pods named after it",
      'namespace=~"$namespace"',
      'name=~"$workload(-.+)?"',
    ),
    table({
      title: "Last termination reasons",
      description:
        "Why each container of the workload last stopped (Error, OOMKilled, Completed), for containers that have restarted only.",
      queries: [
        prom(
          ofWorkload(`kube_pod_container_status_last_terminated_reason{${NAMESPACE}}`),
          "{{pod}} {{container}} {{reason}}",
        ),
      ],
      links: [toPod],
    }),
    timeSeries({
      title: "Network errors and drops by pod",
      queries: [
        prom(
          `sum by (namespace, pod) (${ofWorkload(`rate(container_network_receive_errors_total{${POD_NETWORK}, ${NAMESPACE}}[${RATE_INTERVAL}]) + rate(container_network_transmit_errors_total{${POD_NETWORK}, ${NAMESPACE}}[${RATE_INTERVAL}])`)})`,
          "{{pod}} errors",
        ),
        prom(
          `sum by (namespace, pod) (${ofWorkload(`rate(container_network_receive_packets_dropped_total{${POD_NETWORK}, ${NAMESPACE}}[${RATE_INTERVAL}]) + rate(container_network_transmit_packets_dropped_total{${POD_NETWORK}, ${NAMESPACE}}[${RATE_INTERVAL}])`)})`,
          "{{pod}} drops",
        ),
      ],
      unit: "pps",
      links: [toPod],
    }),
  ],
}));
