import { RATE_INTERVAL, prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";

const RESTARTS = "increase(kube_pod_container_status_restarts_total[1h])";

/** Nodes and pods, from node-exporter, kube-state-metrics and the kubelet. */
export const infrastructure = defineDashboard({ uid: "obs-infrastructure", title: "Infrastructure" }, () => ({
  description: "Nodes, pods, restarts, pending pods and volume usage.",
  tags: ["observability", "infrastructure"],
  panels: [
    timeSeries({
      title: "Node CPU",
      queries: [
        prom(
          `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${RATE_INTERVAL}]))`,
          "{{instance}}",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Node memory",
      queries: [prom("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}")],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Pods by phase",
      queries: [prom("sum by (phase) (kube_pod_status_phase)", "{{phase}}")],
      stacked: true,
    }),
    statTile({ title: "Pending pods", expr: 'sum(kube_pod_status_phase{phase="Pending"}) or vector(0)' }),
    statTile({ title: "Restarts (1h)", expr: `sum(${RESTARTS})` }),
    table({
      title: "Restarting containers (1h)",
      queries: [prom(`topk(10, sum by (namespace, pod, container) (${RESTARTS}) > 0)`)],
    }),
    {
      type: "bargauge",
      title: "Volume usage",
      queries: [
        prom(
          "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes",
          "{{namespace}}/{{persistentvolumeclaim}}",
          { instant: true },
        ),
      ],
      unit: "percentunit",
    },
  ],
}));
