import { AlertRule } from "./prometheusTypes";

/**
 * The USE dashboards of the platform (utilisation, saturation, errors), by UID, with the variables
 * each one takes. Platform alerts link the dashboard that shows their object, variables filled in
 * from the alert's labels; the dashboards use these UIDs and variable names.
 */
export const USE_DASHBOARDS = {
  cluster: { uid: "obs-k8s-cluster", variables: [] },
  namespace: { uid: "obs-k8s-namespace", variables: ["namespace"] },
  workload: { uid: "obs-k8s-workload", variables: ["namespace", "workload"] },
  pod: { uid: "obs-k8s-pod", variables: ["namespace", "pod"] },
  node: { uid: "obs-k8s-node", variables: ["node"] },
  volumes: { uid: "obs-k8s-volumes", variables: ["namespace", "persistentvolumeclaim"] },
} as const;

type Dashboards = typeof USE_DASHBOARDS;
type Variables<D extends keyof Dashboards> = Dashboards[D]["variables"][number];

/**
 * An alert annotation linking a USE dashboard: each variable set from an alert label (the label of
 * the same name unless `from` says otherwise), as a Go template Prometheus fills in.
 */
export function dashboardLink<D extends keyof Dashboards>(
  grafanaUrl: string,
  dashboard: D,
  from: Partial<Record<Variables<D>, string>> = {},
): string {
  const { uid, variables } = USE_DASHBOARDS[dashboard];
  const query = (variables as readonly Variables<D>[])
    .map((v) => `var-${v}={{ $labels.${from[v] ?? v} }}`)
    .join("&");
  return `${grafanaUrl}/d/${uid}${query === "" ? "" : `?${query}`}`;
}

/** The alert with a `dashboard_url` annotation. */
export const withDashboard = (rule: AlertRule, url: string): AlertRule => ({
  ...rule,
  annotations: { ...rule.annotations, dashboard_url: url },
});
