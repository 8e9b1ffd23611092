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
  eventsPanel,
  memoryUse,
  throttling,
} from "./kubernetesSeries";

const POD = 'namespace=~"$namespace", pod=~"$pod"';

/** One pod's containers by USE. */
export const kubernetesPod = defineDashboard(KUBERNETES_DASHBOARDS.pod, () => ({
  description:
    "A pod's containers: CPU and memory against their requests and limits, throttling, restarts, OOM kills and the pod's events, termination reasons, readiness and network errors, and the node it runs on.",
  tags: ["observability", "kubernetes"],
  variables: [
    NAMESPACE_VARIABLE,
    { name: "pod", label: "Pod", query: 'label_values(kube_pod_info{namespace=~"$namespace"}, pod)' },
  ],
  links: [KUBERNETES_DASHBOARDS.namespace, KUBERNETES_DASHBOARDS.workload, KUBERNETES_DASHBOARDS.node],
  panels: [
    timeSeries({
      title: "CPU use against requests and limits",
      queries: [
        prom(`sum by (container) (${cpuUse(POD)})`, "{{container}} use"),
        prom(
          `sum by (container) (kube_pod_container_resource_requests{resource="cpu", ${POD}})`,
          "{{container}} requests",
        ),
        prom(
          `sum by (container) (kube_pod_container_resource_limits{resource="cpu", ${POD}})`,
          "{{container}} limits",
        ),
      ],
    }),
    timeSeries({
      title: "Memory use against requests and limits",
      queries: [
        prom(`sum by (container) (${memoryUse(POD)})`, "{{container}} working set"),
        prom(
          `sum by (container) (kube_pod_container_resource_requests{resource="memory", ${POD}})`,
          "{{container}} requests",
        ),
        prom(
          `sum by (container) (kube_pod_container_resource_limits{resource="memory", ${POD}})`,
          "{{container}} limits",
        ),
      ],
      unit: "bytes",
    }),
    timeSeries({
      title: "Restarts and OOM kills (1h)",
      queries: [
        prom(
          `sum by (container) (increase(kube_pod_container_status_restarts_total{${POD}}[1h]))`,
          "{{container}} restarts",
        ),
        prom(
          `sum by (container) (increase(container_oom_events_total{${CONTAINERS}, ${POD}}[1h]))`,
          "{{container}} OOM kills",
        ),
      ],
    }),
    eventsPanel("the pod", 'namespace=~"$namespace"', 'kind="Pod"', 'name=~"$pod"'),
    timeSeries({
      title: "CPU throttling",
      description: "Share of CFS periods throttled, for containers with a CPU limit only.",
      queries: [prom(throttling("container", POD), "{{container}}")],
      unit: "percentunit",
    }),
    table({
      title: "Containers",
      description: "Ready (1) or not, restarts so far, and why each last stopped where it has.",
      queries: [
        prom(`kube_pod_container_status_ready{${POD}}`, "{{container}} ready"),
        prom(`kube_pod_container_status_restarts_total{${POD}}`, "{{container}} restarts"),
        prom(`kube_pod_container_status_last_terminated_reason{${POD}}`, "{{container}} {{reason}}"),
      ],
    }),
    table({
      title: "Node",
      description: "The node the pod runs on, and its IP.",
      queries: [prom(`kube_pod_info{${POD}}`, "{{node}}")],
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Network received and sent",
      queries: [
        prom(
          `sum(rate(container_network_receive_bytes_total{${POD_NETWORK}, ${POD}}[${RATE_INTERVAL}]))`,
          "received",
        ),
        prom(
          `sum(rate(container_network_transmit_bytes_total{${POD_NETWORK}, ${POD}}[${RATE_INTERVAL}]))`,
          "sent",
        ),
      ],
      unit: "Bps",
    }),
    timeSeries({
      title: "Network errors and drops",
      queries: [
        prom(
          `sum(rate(container_network_receive_errors_total{${POD_NETWORK}, ${POD}}[${RATE_INTERVAL}]) + rate(container_network_transmit_errors_total{${POD_NETWORK}, ${POD}}[${RATE_INTERVAL}]))`,
          "errors",
        ),
        prom(
          `sum(rate(container_network_receive_packets_dropped_total{${POD_NETWORK}, ${POD}}[${RATE_INTERVAL}]) + rate(container_network_transmit_packets_dropped_total{${POD_NETWORK}, ${POD}}[${RATE_INTERVAL}]))`,
          "drops",
        ),
      ],
      unit: "pps",
    }),
  ],
}));
