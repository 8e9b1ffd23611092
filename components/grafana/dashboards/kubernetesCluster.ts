import { RATE_INTERVAL, prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import {
  ACTIVE_PODS,
  CONTAINERS,
  KUBERNETES_DASHBOARDS,
  cpuUse,
  drillDown,
  memoryUse,
  reserved,
} from "./kubernetesSeries";

const ALL = 'namespace!=""';
const RESTARTS = "increase(kube_pod_container_status_restarts_total[1h])";

/** Requests or limits of every active pod against what the nodes can allocate. */
const commitment = (kind: "requests" | "limits", resource: "cpu" | "memory") =>
  `sum(${reserved(kind, resource, ALL)}) / sum(kube_node_status_allocatable{resource="${resource}"})`;

/** The whole cluster by USE: what it uses and has promised against what its nodes have, and what is failing. */
export const kubernetesCluster = defineDashboard(KUBERNETES_DASHBOARDS.cluster, () => ({
  description:
    "The cluster's utilisation, saturation and errors: node CPU, memory, disks and file descriptors, requests and limits against allocatable, pods that do not run, restarts, pressure, volumes and the API server's requests. Click a namespace, node or container to drill down.",
  tags: ["observability", "kubernetes"],
  links: [KUBERNETES_DASHBOARDS.namespace, KUBERNETES_DASHBOARDS.node, KUBERNETES_DASHBOARDS.volumes],
  panels: [
    statTile({
      title: "CPU utilisation",
      description: "Share of all nodes' CPU time not idle (node-exporter).",
      expr: `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[${RATE_INTERVAL}]))`,
      unit: "percentunit",
      width: 4,
    }),
    statTile({
      title: "Memory utilisation",
      description: "Share of all nodes' memory not available to new work (node-exporter).",
      expr: "1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)",
      unit: "percentunit",
      width: 4,
    }),
    statTile({
      title: "CPU requests committed",
      expr: commitment("requests", "cpu"),
      unit: "percentunit",
      width: 4,
    }),
    statTile({
      title: "CPU limits committed",
      expr: commitment("limits", "cpu"),
      unit: "percentunit",
      width: 4,
    }),
    statTile({
      title: "Memory requests committed",
      expr: commitment("requests", "memory"),
      unit: "percentunit",
      width: 4,
    }),
    statTile({
      title: "Memory limits committed",
      expr: commitment("limits", "memory"),
      unit: "percentunit",
      width: 4,
    }),
    statTile({
      title: "Nodes not ready",
      expr: 'count(kube_node_status_condition{condition="Ready", status="true"} == 0) or vector(0)',
      width: 4,
    }),
    statTile({
      title: "Pods not running",
      description: "Pods Pending, Failed or Unknown.",
      expr: 'sum(kube_pod_status_phase{phase=~"Pending|Failed|Unknown"}) or vector(0)',
      width: 4,
    }),
    statTile({ title: "Restarts (1h)", expr: `sum(${RESTARTS})`, width: 4 }),
    statTile({
      title: "OOM kills (1h)",
      description: "Containers the kernel killed for memory (cAdvisor).",
      expr: `sum(increase(container_oom_events_total{${CONTAINERS}}[1h]))`,
      width: 4,
    }),
    statTile({
      title: "Node pressure conditions",
      description: "Memory, disk and PID pressure the kubelets report, summed over nodes.",
      expr: 'sum(kube_node_status_condition{condition=~".+Pressure", status="true"})',
      width: 4,
    }),
    statTile({
      title: "Volumes over 80 % full",
      expr: "count(kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.8) or vector(0)",
      width: 4,
    }),
    timeSeries({
      title: "CPU use by namespace",
      queries: [prom(`sum by (namespace) (${cpuUse(ALL)})`, "{{namespace}}")],
      stacked: true,
      links: [drillDown("namespace", { namespace: "namespace" })],
    }),
    timeSeries({
      title: "Memory working set by namespace",
      queries: [prom(`sum by (namespace) (${memoryUse(ALL)})`, "{{namespace}}")],
      unit: "bytes",
      stacked: true,
      links: [drillDown("namespace", { namespace: "namespace" })],
    }),
    table({
      title: "Namespaces: use against requests and limits",
      description: "CPU in cores and memory in bytes: use, requests, limits.",
      queries: [
        prom(`sum by (namespace) (${cpuUse(ALL)})`, "CPU use"),
        prom(`sum by (namespace) (${reserved("requests", "cpu", ALL)})`, "CPU requests"),
        prom(`sum by (namespace) (${reserved("limits", "cpu", ALL)})`, "CPU limits"),
        prom(`sum by (namespace) (${memoryUse(ALL)})`, "memory use"),
        prom(`sum by (namespace) (${reserved("requests", "memory", ALL)})`, "memory requests"),
        prom(`sum by (namespace) (${reserved("limits", "memory", ALL)})`, "memory limits"),
      ],
      width: 24,
      links: [drillDown("namespace", { namespace: "namespace" })],
    }),
    timeSeries({
      title: "Node CPU utilisation",
      queries: [
        prom(`1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[${RATE_INTERVAL}]))`, "{{node}}"),
      ],
      unit: "percentunit",
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Node memory utilisation",
      queries: [prom("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{node}}")],
      unit: "percentunit",
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Pods by phase",
      queries: [prom("sum by (phase) (kube_pod_status_phase)", "{{phase}}")],
      stacked: true,
    }),
    timeSeries({
      title: "Node network errors and drops",
      description: "Receive and transmit errors and drops per second, every interface of every node.",
      queries: [
        prom(
          `sum by (node) (rate(node_network_receive_errs_total[${RATE_INTERVAL}]) + rate(node_network_transmit_errs_total[${RATE_INTERVAL}]))`,
          "{{node}} errors",
        ),
        prom(
          `sum by (node) (rate(node_network_receive_drop_total[${RATE_INTERVAL}]) + rate(node_network_transmit_drop_total[${RATE_INTERVAL}]))`,
          "{{node}} drops",
        ),
      ],
      unit: "pps",
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Node disk utilisation",
      description: "Share of time each disk of each node was busy with at least one request.",
      queries: [prom(`rate(node_disk_io_time_seconds_total[${RATE_INTERVAL}])`, "{{node}} {{device}}")],
      unit: "percentunit",
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Node disk queue depth",
      description:
        "Requests in flight on each disk on average (iostat's aqu-sz): a deep queue held for long is a disk at its IOPS or throughput limit.",
      queries: [
        prom(`rate(node_disk_io_time_weighted_seconds_total[${RATE_INTERVAL}])`, "{{node}} {{device}}"),
      ],
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Node disk throughput",
      description: "Bytes read and written per second, each disk of each node.",
      queries: [
        prom(
          `sum by (node, device) (rate(node_disk_read_bytes_total[${RATE_INTERVAL}]) + rate(node_disk_written_bytes_total[${RATE_INTERVAL}]))`,
          "{{node}} {{device}}",
        ),
      ],
      unit: "Bps",
      links: [drillDown("node", { node: "node" })],
    }),
    timeSeries({
      title: "Node file descriptors allocated against the limit",
      description: "Share of each node's file descriptor limit (fs.file-max) allocated.",
      queries: [prom("node_filefd_allocated / node_filefd_maximum", "{{node}}")],
      unit: "percentunit",
      links: [drillDown("node", { node: "node" })],
    }),
    table({
      title: "Restarting containers (1h)",
      queries: [prom(`topk(10, sum by (namespace, pod, container) (${RESTARTS}) > 0)`)],
      links: [drillDown("pod", { namespace: "namespace", pod: "pod" })],
    }),
    table({
      title: "Active pods per node",
      description: "Pods Pending or Running on each node, against the pods it can hold.",
      queries: [
        prom(
          `count by (node) (kube_pod_info{node!=""} * on (namespace, pod) group_left () ${ACTIVE_PODS})`,
          "pods",
        ),
        prom('max by (node) (kube_node_status_allocatable{resource="pods"})', "allocatable"),
      ],
      links: [drillDown("node", { node: "node" })],
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
      links: [
        drillDown("volumes", { namespace: "namespace", persistentvolumeclaim: "persistentvolumeclaim" }),
      ],
    },
    timeSeries({
      title: "API server requests by code, and ended in self-defence",
      description:
        "Requests per second by response code; those the API server rejected (429) or timed out (504) to protect itself, also counted by code.",
      queries: [
        prom(`sum by (code) (rate(apiserver_request_total[${RATE_INTERVAL}]))`, "{{code}}"),
        // The API server prints the counter only once it has ended a request.
        prom(
          `sum(rate(apiserver_request_terminations_total[${RATE_INTERVAL}])) or vector(0)`,
          "ended in self-defence",
        ),
      ],
      unit: "reqps",
    }),
  ],
}));
