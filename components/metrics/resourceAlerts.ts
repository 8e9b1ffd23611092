import { StackConfig } from "../../config";
import { alertFactory } from "../common/alertFactory";
import { withPodNode } from "./platformSeries";
import { RuleGroup } from "../common/prometheusTypes";
import { dashboardLink, withDashboard } from "./useDashboards";

type Thresholds = StackConfig["metrics"]["alerts"];

const ratio = (percent: number) => String(percent / 100);

/**
 * Containers throttled by their CPU limit, namespaces near their quota, and a cluster whose
 * requests would not fit on its nodes if the largest one failed.
 */
export function resourceAlertRules(
  t: Thresholds,
  runbookBaseUrl: string,
  grafanaUrl: string | undefined,
): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  // Requests beyond what is left when the largest node is lost; a one-node cluster (kind) has no
  // node to lose and is left out.
  const overcommit = (resource: string) =>
    `sum(kube_pod_container_resource_requests{resource="${resource}"} unless on (namespace, pod) kube_pod_status_phase{phase=~"Succeeded|Failed"} == 1)` +
    ` - (sum(kube_node_status_allocatable{resource="${resource}"}) - max(kube_node_status_allocatable{resource="${resource}"})) > 0` +
    ` and (sum(kube_node_status_allocatable{resource="${resource}"}) - max(kube_node_status_allocatable{resource="${resource}"})) > 0`;
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
          "The cluster's CPU requests would not fit if its largest node failed",
          "Pods request {{ $value }} cores more than the nodes but the largest can allocate: losing one node leaves pods unschedulable.",
        ),
        dashboardLink(grafanaUrl, "cluster"),
      ),
      withDashboard(
        alert(
          "ClusterMemoryOvercommitted",
          "warning",
          overcommit("memory"),
          "10m",
          "The cluster's memory requests would not fit if its largest node failed",
          "Pods request {{ $value | humanize1024 }}B more than the nodes but the largest can allocate: losing one node leaves pods unschedulable.",
        ),
        dashboardLink(grafanaUrl, "cluster"),
      ),
    ],
  };
}
