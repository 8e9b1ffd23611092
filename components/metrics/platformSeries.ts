// Selectors and joins the platform rules share.

/** cAdvisor's per-container series: not the pod's cgroup, its sandbox, or the node's root. */
export const CONTAINERS = 'container!="", container!="POD"';

/**
 * The expression with each pod's `node` from kube_pod_info. kube-state-metrics' pod series have no
 * `node` of their own (the scrape would label them with kube-state-metrics' node), so callers
 * aggregate it away first; the join gives Alertmanager the node that inhibits the pod's alerts.
 */
export const withPodNode = (expr: string): string =>
  `(${expr})\n* on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info)`;
