import { StackConfig } from "../../config";
import { alertFactory, ratio } from "../common/alertFactory";
import { RuleGroup } from "../common/prometheusTypes";
import { dashboardLink, withDashboard } from "./useDashboards";

type Thresholds = StackConfig["metrics"]["alerts"];

/** Node filesystems that hold data: not pseudo or read-only ones. */
const FILESYSTEMS = 'fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs|fuse.*", mountpoint!=""';

/** Nodes cordoned for maintenance: a node being drained is expected to be under pressure. */
const CORDONED = "max by (node) (kube_node_spec_unschedulable) == 1";

/**
 * Nodes: readiness and pressure conditions (kube-state-metrics), filesystems, memory, file
 * descriptors, disk queues, clock, conntrack and network errors (node-exporter), and pods against
 * the node's capacity.
 */
export function nodeAlertRules(
  t: Thresholds,
  runbookBaseUrl: string,
  grafanaUrl: string | undefined,
): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  const node = dashboardLink(grafanaUrl, "node");
  const fs = (family: string) => `node_filesystem_${family}{${FILESYSTEMS}}`;
  const writable = `and ${fs("readonly")} == 0`;
  const filling = (free: string, total: string) => ({
    now: (percent: number) => `${fs(free)} / ${fs(total)} < ${ratio(percent)} ${writable}`,
    predicted: `${fs(free)} / ${fs(total)} < 0.15 and predict_linear(${fs(free)}[6h], 24 * 3600) < 0 ${writable}`,
  });
  const space = filling("avail_bytes", "size_bytes");
  const inodes = filling("files_free", "files");
  return {
    name: "platform-nodes",
    rules: [
      withDashboard(
        alert(
          "NodeNotReady",
          "critical",
          'max by (node) (kube_node_status_condition{condition="Ready", status="true"}) == 0',
          "15m",
          "Node {{ $labels.node }} is not ready",
          "The node has not been Ready for 15 minutes: its kubelet stopped reporting or it failed its checks. Its pods are evicted after the toleration period; their own alerts are silenced.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeUnderPressure",
          "warning",
          'max by (node, condition) (kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure", status="true"}) == 1' +
            ` unless on (node) ${CORDONED}`,
          "5m",
          "Node {{ $labels.node }} reports {{ $labels.condition }}",
          "The kubelet reports {{ $labels.condition }}: it stops admitting pods and evicts some to reclaim the resource. Cordoned nodes are left out: a node being drained is expected to be under pressure.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeFilesystemAlmostFull",
          "critical",
          space.now(5),
          "30m",
          "Filesystem {{ $labels.mountpoint }} on node {{ $labels.node }} is almost full",
          "Only {{ $value | humanizePercentage }} of {{ $labels.device }} is free; the kubelet evicts pods and images when it fills.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeFilesystemFillingUp",
          "warning",
          space.predicted,
          "1h",
          "Filesystem {{ $labels.mountpoint }} on node {{ $labels.node }} will be full within 24 hours",
          "{{ $value | humanizePercentage }} of {{ $labels.device }} is free and, at the last six hours' rate, it fills up within a day.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeFilesystemInodesAlmostExhausted",
          "critical",
          inodes.now(3),
          "1h",
          "Filesystem {{ $labels.mountpoint }} on node {{ $labels.node }} is almost out of inodes",
          "Only {{ $value | humanizePercentage }} of {{ $labels.device }}'s inodes are free.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeFilesystemInodesFillingUp",
          "warning",
          inodes.predicted,
          "1h",
          "Filesystem {{ $labels.mountpoint }} on node {{ $labels.node }} will run out of inodes within 24 hours",
          "{{ $value | humanizePercentage }} of {{ $labels.device }}'s inodes are free and, at the last six hours' rate, they run out within a day.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeMemoryHighUtilisation",
          "warning",
          `node:node_memory_utilisation:ratio > ${ratio(t.nodeMemoryPercent)}`,
          "15m",
          "Node {{ $labels.node }} uses {{ $value | humanizePercentage }} of its memory",
          "Little memory is available: the kubelet will evict pods and the kernel may OOM-kill processes.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeFileDescriptorsNearLimit",
          "critical",
          `node_filefd_allocated / node_filefd_maximum > ${ratio(t.nodeFileDescriptorPercent)}`,
          "15m",
          "Node {{ $labels.node }} has allocated {{ $value | humanizePercentage }} of its file descriptors",
          "At the kernel's limit (fs.file-max) every process on the node fails to open files and accept connections (`VFS: file-max limit reached` in dmesg). Find the process that holds them or raise the limit.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeDiskIOSaturated",
          "warning",
          // node_exporter already leaves out RAM disks, loop devices and partitions (its diskstats
          // collector's default device-exclude).
          `rate(node_disk_io_time_weighted_seconds_total[5m]) > ${t.diskQueueDepth}`,
          "30m",
          "Disk {{ $labels.device }} of node {{ $labels.node }} has {{ $value | humanize }} I/O requests queued on average",
          "The disk's queue has stayed deep for 30 minutes: it is at its IOPS or throughput limit (an EBS volume's provisioned figures), and every pod reading or writing on it waits without showing CPU or memory pressure.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeClockSkewDetected",
          "warning",
          "(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0)" +
            " or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)",
          "10m",
          "The clock of node {{ $labels.node }} is off by {{ $value | humanizeDuration }}",
          "The offset is not shrinking: check NTP (chrony, systemd-timesyncd) on the node. Certificates, tokens and log order depend on the time.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeClockNotSynchronising",
          "warning",
          "min_over_time(node_timex_sync_status[5m]) == 0 and node_timex_maxerror_seconds >= 16",
          "10m",
          "The clock of node {{ $labels.node }} is not synchronising",
          "The kernel reports the clock unsynchronised with the maximum error at its limit: NTP is not running or cannot reach a server.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeConntrackNearlyFull",
          "warning",
          "node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.75",
          "5m",
          "Node {{ $labels.node }} uses {{ $value | humanizePercentage }} of its conntrack table",
          "When the table is full the kernel drops new connections (`nf_conntrack: table full` in dmesg).",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeNetworkErrors",
          "warning",
          `label_replace(rate(node_network_receive_errs_total[2m]) / rate(node_network_receive_packets_total[2m]) > 0.01, "direction", "receive", "", "")` +
            ` or label_replace(rate(node_network_transmit_errs_total[2m]) / rate(node_network_transmit_packets_total[2m]) > 0.01, "direction", "transmit", "", "")`,
          "1h",
          "Interface {{ $labels.device }} of node {{ $labels.node }} has {{ $labels.direction }} errors",
          "{{ $value | humanizePercentage }} of the packets the interface {{ $labels.direction }}s fail, for an hour: a faulty link, driver or MTU mismatch.",
        ),
        node,
      ),
      withDashboard(
        alert(
          "NodeTooManyPods",
          "warning",
          'max by (node) (kubelet_running_pods) / max by (node) (kube_node_status_capacity{resource="pods"}) > 0.95',
          "15m",
          "Node {{ $labels.node }} runs {{ $value | humanizePercentage }} of the pods it can hold",
          "New pods will not be scheduled on the node once it is full.",
        ),
        node,
      ),
    ],
  };
}
