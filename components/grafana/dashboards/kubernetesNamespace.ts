import { RATE_INTERVAL, prom } from "../dashboard/model";
import { table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import {
  CONTAINERS,
  KUBERNETES_DASHBOARDS,
  NAMESPACE_VARIABLE,
  POD_NETWORK,
  cpuUse,
  drillDown,
  memoryUse,
  perWorkload,
  reserved,
  throttling,
} from "./kubernetesSeries";

const SELECTED = 'namespace=~"$namespace"';
const toPod = drillDown("pod", { namespace: "namespace", pod: "pod" });
const toWorkload = drillDown("workload", { namespace: "namespace", workload: "workload" });

/** The pods of one namespace by USE, with its quotas, workloads and volumes. */
export const kubernetesNamespace = defineDashboard(KUBERNETES_DASHBOARDS.namespace, () => ({
  description:
    "A namespace's pods: CPU and memory use against requests and limits, throttling, restarts, OOM kills, network errors, quotas, workloads and volumes. Click a pod, workload or volume to drill down.",
  tags: ["observability", "kubernetes"],
  variables: [NAMESPACE_VARIABLE],
  links: [
    KUBERNETES_DASHBOARDS.cluster,
    KUBERNETES_DASHBOARDS.workload,
    KUBERNETES_DASHBOARDS.pod,
    KUBERNETES_DASHBOARDS.volumes,
  ],
  panels: [
    timeSeries({
      title: "CPU use against requests and limits",
      queries: [
        prom(`sum(${cpuUse(SELECTED)})`, "use"),
        prom(`sum(${reserved("requests", "cpu", SELECTED)})`, "requests"),
        prom(`sum(${reserved("limits", "cpu", SELECTED)})`, "limits"),
      ],
    }),
    timeSeries({
      title: "Memory use against requests and limits",
      queries: [
        prom(`sum(${memoryUse(SELECTED)})`, "working set"),
        prom(`sum(${reserved("requests", "memory", SELECTED)})`, "requests"),
        prom(`sum(${reserved("limits", "memory", SELECTED)})`, "limits"),
      ],
      unit: "bytes",
    }),
    timeSeries({
      title: "CPU use by pod",
      queries: [prom(`sum by (namespace, pod) (${cpuUse(SELECTED)})`, "{{pod}}")],
      stacked: true,
      links: [toPod],
    }),
    timeSeries({
      title: "Memory working set by pod",
      queries: [prom(`sum by (namespace, pod) (${memoryUse(SELECTED)})`, "{{pod}}")],
      unit: "bytes",
      stacked: true,
      links: [toPod],
    }),
    timeSeries({
      title: "CPU throttling by pod",
      description: "Share of CFS periods throttled, for containers with a CPU limit only.",
      queries: [prom(throttling("namespace, pod", SELECTED), "{{pod}}")],
      unit: "percentunit",
      links: [toPod],
    }),
    timeSeries({
      title: "Restarts and OOM kills by pod (1h)",
      queries: [
        prom(
          `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${SELECTED}}[1h]))`,
          "{{pod}} restarts",
        ),
        prom(
          `sum by (namespace, pod) (increase(container_oom_events_total{${CONTAINERS}, ${SELECTED}}[1h]))`,
          "{{pod}} OOM kills",
        ),
      ],
      links: [toPod],
    }),
    timeSeries({
      title: "Network received and sent by pod",
      queries: [
        prom(
          `sum by (namespace, pod) (rate(container_network_receive_bytes_total{${POD_NETWORK}, ${SELECTED}}[${RATE_INTERVAL}]))`,
          "{{pod}} received",
        ),
        prom(
          `sum by (namespace, pod) (rate(container_network_transmit_bytes_total{${POD_NETWORK}, ${SELECTED}}[${RATE_INTERVAL}]))`,
          "{{pod}} sent",
        ),
      ],
      unit: "Bps",
      links: [toPod],
    }),
    timeSeries({
      title: "Network errors and drops by pod",
      queries: [
        prom(
          `sum by (namespace, pod) (rate(container_network_receive_errors_total{${POD_NETWORK}, ${SELECTED}}[${RATE_INTERVAL}]) + rate(container_network_transmit_errors_total{${POD_NETWORK}, ${SELECTED}}[${RATE_INTERVAL}]))`,
          "{{pod}} errors",
        ),
        prom(
          `sum by (namespace, pod) (rate(container_network_receive_packets_dropped_total{${POD_NETWORK}, ${SELECTED}}[${RATE_INTERVAL}]) + rate(container_network_transmit_packets_dropped_total{${POD_NETWORK}, ${SELECTED}}[${RATE_INTERVAL}]))`,
          "{{pod}} drops",
        ),
      ],
      unit: "pps",
      links: [toPod],
    }),
    table({
      title: "Quota use",
      description: "Each ResourceQuota's used share of its hard limit, for namespaces with a quota only.",
      queries: [
        prom(
          `kube_resourcequota{${SELECTED}, type="used"} / ignoring (type) (kube_resourcequota{${SELECTED}, type="hard"} > 0)`,
          "{{resourcequota}} {{resource}}",
        ),
      ],
    }),
    table({
      title: "Workloads: replicas ready against wanted",
      description: "Deployments, StatefulSets and DaemonSets.",
      queries: [
        prom(
          perWorkload(
            {
              deployment: "kube_deployment_spec_replicas",
              statefulset: "kube_statefulset_replicas",
              daemonset: "kube_daemonset_status_desired_number_scheduled",
            },
            '!=""',
          ),
          "wanted",
        ),
        prom(
          perWorkload(
            {
              deployment: "kube_deployment_status_replicas_ready",
              statefulset: "kube_statefulset_status_replicas_ready",
              daemonset: "kube_daemonset_status_number_ready",
            },
            '!=""',
          ),
          "ready",
        ),
      ],
      links: [toWorkload],
    }),
    timeSeries({
      title: "Pods by phase",
      queries: [prom(`sum by (phase) (kube_pod_status_phase{${SELECTED}})`, "{{phase}}")],
      stacked: true,
    }),
    {
      type: "bargauge",
      title: "Volume usage",
      queries: [
        prom(
          `kubelet_volume_stats_used_bytes{${SELECTED}} / kubelet_volume_stats_capacity_bytes{${SELECTED}}`,
          "{{persistentvolumeclaim}}",
          { instant: true },
        ),
      ],
      unit: "percentunit",
      links: [
        drillDown("volumes", { namespace: "namespace", persistentvolumeclaim: "persistentvolumeclaim" }),
      ],
    },
  ],
}));
