// What the USE dashboards of the cluster share: their UIDs and variables (platform alerts link them
// by these), the selectors of the series the exporters print, and the joins between their objects.

import { DataLink, PanelSpec, RATE_INTERVAL, VariableSpec, loki } from "../dashboard/model";
import { USE_DASHBOARDS } from "../../common/grafanaUids";
import { eventsSelector } from "../../common/kubernetesEvents";
import { DashboardIdentity } from "./definition";

/** The six dashboards at the UIDs platform alerts link, which fill in their variables from alert labels. */
export const KUBERNETES_DASHBOARDS = {
  cluster: { uid: USE_DASHBOARDS.cluster.uid, title: "Kubernetes / Cluster" },
  namespace: { uid: USE_DASHBOARDS.namespace.uid, title: "Kubernetes / Namespace" },
  workload: { uid: USE_DASHBOARDS.workload.uid, title: "Kubernetes / Workload" },
  pod: { uid: USE_DASHBOARDS.pod.uid, title: "Kubernetes / Pod" },
  node: { uid: USE_DASHBOARDS.node.uid, title: "Kubernetes / Node" },
  volumes: { uid: USE_DASHBOARDS.volumes.uid, title: "Kubernetes / Volumes" },
} as const satisfies Record<keyof typeof USE_DASHBOARDS, DashboardIdentity>;

export const NAMESPACE_VARIABLE: VariableSpec = {
  name: "namespace",
  label: "Namespace",
  query: "label_values(kube_namespace_status_phase, namespace)",
};

export const NODE_VARIABLE: VariableSpec = {
  name: "node",
  label: "Node",
  query: "label_values(kube_node_info, node)",
};

/** `workload` from the label an object's own series carry it in, so that kinds can be listed side by side. */
const asWorkload = (expr: string, label: string): string =>
  `label_replace(${expr}, "workload", "$1", "${label}", "(.+)")`;

/** Each controller kind's series for one fact (replicas wanted, ready, ...), by its own name label. */
interface PerKind {
  readonly deployment?: string;
  readonly statefulset?: string;
  readonly daemonset?: string;
}

/**
 * One series per workload of the selected namespaces with its `workload` label, whatever its kind;
 * `name` matches the workloads' names (the selected ones unless told otherwise).
 */
export function perWorkload(metrics: PerKind, name = '=~"$workload"'): string {
  return `max by (namespace, workload) (${Object.entries(metrics)
    .map(([kind, metric]) => asWorkload(`${metric as string}{namespace=~"$namespace", ${kind}${name}}`, kind))
    .join(" or ")})`;
}

/**
 * The workloads of the selected namespaces, every kind an alert may link: Deployments,
 * StatefulSets, DaemonSets, Jobs and CronJobs.
 */
export const WORKLOAD_VARIABLE: VariableSpec = {
  name: "workload",
  label: "Workload",
  query: `query_result(count by (workload) (${[
    ["kube_deployment_created", "deployment"],
    ["kube_statefulset_created", "statefulset"],
    ["kube_daemonset_created", "daemonset"],
    ["kube_job_info", "job_name"],
    ["kube_cronjob_info", "cronjob"],
  ]
    .map(([metric, label]) => asWorkload(`${metric}{namespace=~"$namespace"}`, label))
    .join(" or ")}))`,
  regex: '/workload="([^"]+)"/',
};

/**
 * 1 for each pod of the selected workloads, by (namespace, pod): pods a StatefulSet, DaemonSet or
 * Job owns, a Deployment's through its ReplicaSet, a CronJob's through its Job.
 */
export const WORKLOAD_PODS = `max by (namespace, pod) (
  kube_pod_owner{namespace=~"$namespace", owner_kind=~"StatefulSet|DaemonSet|Job", owner_name=~"$workload"}
  or label_replace(kube_pod_owner{namespace=~"$namespace", owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.+)")
    * on (namespace, replicaset) group_left () kube_replicaset_owner{namespace=~"$namespace", owner_kind="Deployment", owner_name=~"$workload"}
  or label_replace(kube_pod_owner{namespace=~"$namespace", owner_kind="Job"}, "job_name", "$1", "owner_name", "(.+)")
    * on (namespace, job_name) group_left () kube_job_owner{namespace=~"$namespace", owner_kind="CronJob", owner_name=~"$workload"}
)`;

/** Pods that hold their resources: requests and limits of finished pods are no longer reserved. */
export const ACTIVE_PODS = 'max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)';

/** cAdvisor's per-container series: not the pod's cgroup, its sandbox, or the node's root. */
export const CONTAINERS = 'container!="", container!="POD"';

/** cAdvisor's per-pod network series: counters live on the pod's sandbox, one per interface. */
export const POD_NETWORK = 'pod!=""';

/** kube-state-metrics' requests or limits of `resource` for the pods `selector` picks, still active. */
export const reserved = (kind: "requests" | "limits", resource: "cpu" | "memory", selector: string): string =>
  `(kube_pod_container_resource_${kind}{resource="${resource}", ${selector}} * on (namespace, pod) group_left () ${ACTIVE_PODS})`;

/** cAdvisor CPU use in cores. */
export const cpuUse = (selector: string): string =>
  `rate(container_cpu_usage_seconds_total{${CONTAINERS}, ${selector}}[${RATE_INTERVAL}])`;

/** cAdvisor memory working set: what the kubelet compares with the limit and evicts on. */
export const memoryUse = (selector: string): string =>
  `container_memory_working_set_bytes{${CONTAINERS}, ${selector}}`;

/** The share of CFS periods in which containers were throttled. */
export const throttling = (by: string, selector: string): string =>
  `sum by (${by}) (increase(container_cpu_cfs_throttled_periods_total{${CONTAINERS}, ${selector}}[${RATE_INTERVAL}]))
/ sum by (${by}) (increase(container_cpu_cfs_periods_total{${CONTAINERS}, ${selector}}[${RATE_INTERVAL}]))`;

/** A drill-down link to one of the six dashboards, its variables from the clicked series' labels. */
export function drillDown(
  to: keyof typeof KUBERNETES_DASHBOARDS,
  variables: Readonly<Record<string, string>>,
): DataLink {
  const { uid, title } = KUBERNETES_DASHBOARDS[to];
  const query = Object.entries(variables)
    .map(([name, label]) => `var-${name}=\${__field.labels.${label}}`)
    .join("&");
  return { title, url: `/d/${uid}?${query}` };
}

/**
 * The Kubernetes events about the objects the matchers select, newest first, as the event collector
 * ships them to Loki (`logs.clusterEvents`): where an OOM kill, a failed scheduling or a back-off
 * starts its timeline. The API server keeps events for an hour; Loki as long as log lines.
 */
export function eventsPanel(about: string, ...matchers: readonly string[]): PanelSpec {
  return {
    type: "logs",
    title: "Events",
    description: `Kubernetes events about ${about}: reason, type (Normal or Warning) and message, from the event collector (logs.clusterEvents).`,
    queries: [loki(eventsSelector(...matchers))],
  };
}
