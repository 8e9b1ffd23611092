import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";

/** Nodes and pods, from node-exporter, kube-state-metrics and the kubelet. */
export const infrastructure: DashboardDefinition = {
  uid: "obs-infrastructure",
  title: "Infrastructure",
  content: () => ({
    description: "Nodes, pods, restarts, pending pods and volume usage.",
    tags: ["observability", "infrastructure"],
    panels: [
      panel(
        "timeseries",
        "Node CPU",
        [
          prom(
            `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${RATE_INTERVAL}]))`,
            "{{instance}}",
          ),
        ],
        {
          unit: "percentunit",
        },
      ),
      panel(
        "timeseries",
        "Node memory",
        [prom("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}")],
        {
          unit: "percentunit",
        },
      ),
      panel("timeseries", "Pods by phase", [prom("sum by (phase) (kube_pod_status_phase)", "{{phase}}")], {
        stacked: true,
      }),
      panel(
        "stat",
        "Pending pods",
        [prom('sum(kube_pod_status_phase{phase="Pending"}) or vector(0)', undefined, { instant: true })],
        {
          width: 6,
        },
      ),
      panel(
        "stat",
        "Restarts (1h)",
        [prom("sum(increase(kube_pod_container_status_restarts_total[1h]))", undefined, { instant: true })],
        {
          width: 6,
        },
      ),
      panel("table", "Restarting containers (1h)", [
        prom(
          "topk(10, sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[1h])) > 0)",
          undefined,
          { instant: true },
        ),
      ]),
      panel(
        "bargauge",
        "Volume usage",
        [
          prom(
            "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes",
            "{{namespace}}/{{persistentvolumeclaim}}",
            { instant: true },
          ),
        ],
        { unit: "percentunit" },
      ),
    ],
  }),
};
