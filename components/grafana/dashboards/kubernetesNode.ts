import { RATE_INTERVAL, prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { ACTIVE_PODS, KUBERNETES_DASHBOARDS, NODE_VARIABLE, drillDown } from "./kubernetesSeries";

const NODE = 'node=~"$node"';
/** Filesystems that hold data: not the kernel's and container runtimes' virtual ones. */
const FILESYSTEMS = `${NODE}, fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.*", mountpoint!~"/run.*|/var/lib/kubelet/.*"`;
const PREDICT_WINDOW = "6h";
/** 4 days ahead, as the platform's predicted-full alerts look. */
const PREDICT_AHEAD = 4 * 24 * 3600;

/** One node by USE, from node-exporter and kube-state-metrics, and the pods on it. */
export const kubernetesNode = defineDashboard(KUBERNETES_DASHBOARDS.node, () => ({
  description:
    "A node's CPU, memory, disks, file descriptors, filesystems, network, conntrack and clock (node-exporter), its conditions and the pods on it (kube-state-metrics). Click a pod to drill down.",
  tags: ["observability", "kubernetes"],
  variables: [NODE_VARIABLE],
  links: [KUBERNETES_DASHBOARDS.cluster, KUBERNETES_DASHBOARDS.pod],
  panels: [
    statTile({
      title: "Pods on the node",
      expr: `count by (node) (kube_pod_info{${NODE}} * on (namespace, pod) group_left () ${ACTIVE_PODS})`,
      legend: "{{node}}",
    }),
    statTile({
      title: "Pod capacity used",
      expr: `count by (node) (kube_pod_info{${NODE}} * on (namespace, pod) group_left () ${ACTIVE_PODS}) / max by (node) (kube_node_status_allocatable{resource="pods", ${NODE}})`,
      legend: "{{node}}",
      unit: "percentunit",
    }),
    statTile({
      title: "CPU requests against allocatable",
      expr: `sum by (node) (kube_pod_container_resource_requests{resource="cpu", ${NODE}} * on (namespace, pod) group_left () ${ACTIVE_PODS}) / max by (node) (kube_node_status_allocatable{resource="cpu", ${NODE}})`,
      legend: "{{node}}",
      unit: "percentunit",
    }),
    statTile({
      title: "Memory requests against allocatable",
      expr: `sum by (node) (kube_pod_container_resource_requests{resource="memory", ${NODE}} * on (namespace, pod) group_left () ${ACTIVE_PODS}) / max by (node) (kube_node_status_allocatable{resource="memory", ${NODE}})`,
      legend: "{{node}}",
      unit: "percentunit",
    }),
    timeSeries({
      title: "CPU utilisation and saturation",
      description:
        "Share of CPU time not idle; load average per core; share of time some task waited for CPU (PSI).",
      queries: [
        prom(
          `1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle", ${NODE}}[${RATE_INTERVAL}]))`,
          "{{node}} utilisation",
        ),
        prom(
          `max by (node) (node_load1{${NODE}}) / count by (node) (node_cpu_seconds_total{mode="idle", ${NODE}})`,
          "{{node}} load per core",
        ),
        prom(
          `max by (node) (rate(node_pressure_cpu_waiting_seconds_total{${NODE}}[${RATE_INTERVAL}]))`,
          "{{node}} waiting (PSI)",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Memory utilisation and saturation",
      description: "Share of memory not available; share of time some task stalled on memory (PSI).",
      queries: [
        prom(
          `1 - node_memory_MemAvailable_bytes{${NODE}} / node_memory_MemTotal_bytes{${NODE}}`,
          "{{node}} utilisation",
        ),
        prom(
          `max by (node) (rate(node_pressure_memory_waiting_seconds_total{${NODE}}[${RATE_INTERVAL}]))`,
          "{{node}} waiting (PSI)",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Disk utilisation",
      description:
        "Share of time each disk was busy with at least one request. A disk that queues requests can be busy all the time well before its limit: read the queue beside it.",
      queries: [prom(`rate(node_disk_io_time_seconds_total{${NODE}}[${RATE_INTERVAL}])`, "{{device}}")],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Disk queue depth",
      description:
        "Requests in flight on each disk on average (iostat's aqu-sz). A deep queue held for long is a disk at its IOPS or throughput limit; NodeDiskIOSaturated pages on it.",
      queries: [
        prom(`rate(node_disk_io_time_weighted_seconds_total{${NODE}}[${RATE_INTERVAL}])`, "{{device}}"),
      ],
    }),
    timeSeries({
      title: "Disk throughput",
      description: "Bytes read and written per second, each disk.",
      queries: [
        prom(`rate(node_disk_read_bytes_total{${NODE}}[${RATE_INTERVAL}])`, "{{device}} read"),
        prom(`rate(node_disk_written_bytes_total{${NODE}}[${RATE_INTERVAL}])`, "{{device}} written"),
      ],
      unit: "Bps",
    }),
    timeSeries({
      title: "Disk operations",
      description:
        "Reads and writes completed per second (IOPS), each disk: EBS volumes are provisioned in these.",
      queries: [
        prom(`rate(node_disk_reads_completed_total{${NODE}}[${RATE_INTERVAL}])`, "{{device}} reads"),
        prom(`rate(node_disk_writes_completed_total{${NODE}}[${RATE_INTERVAL}])`, "{{device}} writes"),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "File descriptors allocated against the limit",
      description:
        "Share of the kernel's file descriptor limit (fs.file-max) allocated; at the limit every process on the node fails to open files and sockets.",
      queries: [prom(`node_filefd_allocated{${NODE}} / node_filefd_maximum{${NODE}}`, "{{node}}")],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Filesystem space used, now and predicted",
      description: `Share of each filesystem used; the prediction extrapolates the last ${PREDICT_WINDOW} four days ahead.`,
      queries: [
        prom(
          `1 - node_filesystem_avail_bytes{${FILESYSTEMS}} / node_filesystem_size_bytes{${FILESYSTEMS}}`,
          "{{mountpoint}}",
        ),
        prom(
          `1 - clamp_min(predict_linear(node_filesystem_avail_bytes{${FILESYSTEMS}}[${PREDICT_WINDOW}], ${PREDICT_AHEAD}), 0) / node_filesystem_size_bytes{${FILESYSTEMS}}`,
          "{{mountpoint}} in 4 days",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Filesystem inodes used, now and predicted",
      queries: [
        prom(
          `1 - node_filesystem_files_free{${FILESYSTEMS}} / node_filesystem_files{${FILESYSTEMS}}`,
          "{{mountpoint}}",
        ),
        prom(
          `1 - clamp_min(predict_linear(node_filesystem_files_free{${FILESYSTEMS}}[${PREDICT_WINDOW}], ${PREDICT_AHEAD}), 0) / node_filesystem_files{${FILESYSTEMS}}`,
          "{{mountpoint}} in 4 days",
        ),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Network received and sent",
      queries: [
        prom(
          `sum by (node) (rate(node_network_receive_bytes_total{${NODE}, device!="lo"}[${RATE_INTERVAL}]))`,
          "{{node}} received",
        ),
        prom(
          `sum by (node) (rate(node_network_transmit_bytes_total{${NODE}, device!="lo"}[${RATE_INTERVAL}]))`,
          "{{node}} sent",
        ),
      ],
      unit: "Bps",
    }),
    timeSeries({
      title: "Network errors and drops",
      queries: [
        prom(
          `sum by (node, device) (rate(node_network_receive_errs_total{${NODE}}[${RATE_INTERVAL}]) + rate(node_network_transmit_errs_total{${NODE}}[${RATE_INTERVAL}]))`,
          "{{device}} errors",
        ),
        prom(
          `sum by (node, device) (rate(node_network_receive_drop_total{${NODE}}[${RATE_INTERVAL}]) + rate(node_network_transmit_drop_total{${NODE}}[${RATE_INTERVAL}]))`,
          "{{device}} drops",
        ),
      ],
      unit: "pps",
    }),
    timeSeries({
      title: "Conntrack table used",
      queries: [
        prom(`node_nf_conntrack_entries{${NODE}} / node_nf_conntrack_entries_limit{${NODE}}`, "{{node}}"),
      ],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Clock offset and synchronisation",
      description:
        "Offset from the reference clock (s), and 1 while the kernel reports the clock synchronised.",
      queries: [
        prom(`node_timex_offset_seconds{${NODE}}`, "{{node}} offset"),
        prom(`node_timex_sync_status{${NODE}}`, "{{node}} synchronised"),
      ],
    }),
    table({
      title: "Conditions",
      description: "Ready, and the pressure conditions (1 while true).",
      queries: [prom(`kube_node_status_condition{${NODE}, status="true"}`, "{{condition}}")],
    }),
    table({
      title: "Pods on the node",
      queries: [
        prom(
          `kube_pod_info{${NODE}} * on (namespace, pod) group_left () ${ACTIVE_PODS}`,
          "{{namespace}}/{{pod}}",
        ),
      ],
      links: [drillDown("pod", { namespace: "namespace", pod: "pod" })],
      width: 24,
    }),
  ],
}));
