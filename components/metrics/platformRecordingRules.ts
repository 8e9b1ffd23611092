import { CONTAINERS } from "./platformSeries";
import { RuleGroup } from "../common/prometheusTypes";

const APISERVER_REQUESTS = 'apiserver_request_total{subresource!~"/(healthz|livez|readyz).*"}';

/** The USE figures platform alerts and dashboards both read, computed once. */
export function platformRecordingRules(): RuleGroup {
  return {
    name: "platform-use",
    rules: [
      {
        record: "namespace_pod_container:container_cpu_cfs_throttled:ratio_rate5m",
        expr:
          `sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{${CONTAINERS}}[5m]))` +
          ` / sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total{${CONTAINERS}}[5m]))`,
      },
      {
        record: "node:node_cpu_utilisation:ratio_rate5m",
        expr: '1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[5m]))',
      },
      {
        record: "node:node_memory_utilisation:ratio",
        expr: "1 - max by (node) (node_memory_MemAvailable_bytes) / max by (node) (node_memory_MemTotal_bytes)",
      },
      {
        record: "cluster:kube_pod_container_resource_requests:ratio_allocatable",
        expr:
          'sum by (resource) (kube_pod_container_resource_requests{resource=~"cpu|memory"} unless on (namespace, pod) kube_pod_status_phase{phase=~"Succeeded|Failed"} == 1)' +
          ' / sum by (resource) (kube_node_status_allocatable{resource=~"cpu|memory"})',
      },
      {
        record: "cluster:apiserver_request_errors:ratio_rate5m",
        // Health checks are left out: /readyz answers 500 while the server is not ready, which is its
        // verdict, not a failed request (a fresh control plane answers 20 of them).
        expr: `sum(rate(${APISERVER_REQUESTS.replace("}", ', code=~"5.."}')}[5m])) / sum(rate(${APISERVER_REQUESTS}[5m]))`,
      },
    ],
  };
}
