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

/**
 * The Kubernetes label that takes a volume claim out of the volume alerts (`excluded_from_alerts:
 * "true"`, the label kube-prometheus-stack's users already set): a claim meant to stay full, such as
 * a cache. kube-state-metrics exports it because its label allowlist names it (exporters.ts).
 */
export const ALERT_OPT_OUT_LABEL = "excluded_from_alerts";

/** The claims that carry the opt-out label, by (namespace, persistentvolumeclaim). */
export const OPTED_OUT_CLAIMS = `max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_labels{label_${ALERT_OPT_OUT_LABEL}="true"})`;
