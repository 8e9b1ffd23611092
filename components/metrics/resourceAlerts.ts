import { StackConfig } from "../../config";
import { alertFactory, ratio } from "../common/alertFactory";
import { withPodNode } from "./platformSeries";
import { RuleGroup } from "../common/prometheusTypes";
import { dashboardLink, withDashboard } from "./useDashboards";

type Thresholds = StackConfig["metrics"]["alerts"];

/**
 * Containers throttled by their CPU limit, namespaces near their quota, and a cluster whose
 * requests would not fit on its nodes if the largest one failed (or, with one node, do not fit it).
 */
export function resourceAlertRules(
  t: Thresholds,
  runbookBaseUrl: string,
  grafanaUrl: string | undefined,
): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  // Requests beyond what is left when the largest node is lost; on a one-node cluster (kind, a small
  // node group), which has no node to lose, beyond what the node allocates.
  const overcommit = (resource: string) => {
    const requested = `sum(kube_pod_container_resource_requests{resource="${resource}"} unless on (namespace, pod) kube_pod_status_phase{phase=~"Succeeded|Failed"} == 1)`;
    const allocatable = `kube_node_status_allocatable{resource="${resource}"}`;
    return (
      `(${requested} - (sum(${allocatable}) - max(${allocatable})) > 0 and count(${allocatable}) > 1)` +
      ` or (${requested} - sum(${allocatable}) > 0 and count(${allocatable}) == 1)`
    );
  };
  return {
    name: "platform-resources",
    rules: [
      withDashboard(
        alert(
          "CPUThrottlingHigh",
          "warning",
          withPodNode(
            `namespace_pod_container:container_cpu_cfs_throttled:ratio_rate5m > ${ratio(t.cpuThrottlingPercent)}`,
          ),
          "15m",
          "{{ $labels.namespace }}/{{ $labels.pod }} is throttled by its CPU limit",
          "Container {{ $labels.container }} was throttled in {{ $value | humanizePercentage }} of its CPU periods over 5 minutes; its latency suffers. Raise or remove the CPU limit.",
        ),
        dashboardLink(grafanaUrl, "pod"),
      ),
      withDashboard(
        alert(
          "ResourceQuotaNearlyFull",
          "warning",
          'max by (namespace, resourcequota, resource) (kube_resourcequota{type="used"})' +
            ' / on (namespace, resourcequota, resource) max by (namespace, resourcequota, resource) (kube_resourcequota{type="hard"} > 0)' +
            ` > ${ratio(t.quotaPercent)}`,
          "15m",
          "Namespace {{ $labels.namespace }} has used {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota",
          "ResourceQuota {{ $labels.resourcequota }} is nearly exhausted: new pods that need {{ $labels.resource }} will be refused.",
        ),
        dashboardLink(grafanaUrl, "namespace"),
      ),
      withDashboard(
        alert(
          "ClusterCPUOvercommitted",
          "warning",
          overcommit("cpu"),
          "10m",
          "The cluster's CPU requests would not fit if its largest node failed, or do not fit its only node",
          "Pods request {{ $value }} cores more than the nodes but the largest can allocate (on a one-node cluster, than the node allocates): losing a node, or already now, leaves pods unschedulable.",
        ),
        dashboardLink(grafanaUrl, "cluster"),
      ),
      withDashboard(
        alert(
          "ClusterMemoryOvercommitted",
          "warning",
          overcommit("memory"),
          "10m",
          "The cluster's memory requests would not fit if its largest node failed, or do not fit its only node",
          "Pods request {{ $value | humanize1024 }}B more than the nodes but the largest can allocate (on a one-node cluster, than the node allocates): losing a node, or already now, leaves pods unschedulable.",
        ),
        dashboardLink(grafanaUrl, "cluster"),
      ),
    ],
  };
}
