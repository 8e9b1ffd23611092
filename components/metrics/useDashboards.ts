import { AlertRule } from "../common/prometheusTypes";
import { USE_DASHBOARDS } from "../common/grafanaUids";

type Dashboards = typeof USE_DASHBOARDS;
type Variables<D extends keyof Dashboards> = Dashboards[D]["variables"][number];

/**
 * An alert annotation linking a USE dashboard: each variable set from an alert label (the label of
 * the same name unless `from` says otherwise), as a Go template Prometheus fills in. None without
 * a Grafana to link to.
 */
export function dashboardLink<D extends keyof Dashboards>(
  grafanaUrl: string | undefined,
  dashboard: D,
  from: Partial<Record<Variables<D>, string>> = {},
): string | undefined {
  if (grafanaUrl === undefined) {
    return undefined;
  }
  const { uid, variables } = USE_DASHBOARDS[dashboard];
  const query = (variables as readonly Variables<D>[])
    .map((v) => `var-${v}={{ $labels.${from[v] ?? v} }}`)
    .join("&");
  return `${grafanaUrl}/d/${uid}${query === "" ? "" : `?${query}`}`;
}

/** The alert with a `dashboard_url` annotation, when there is a dashboard to link. */
export const withDashboard = (rule: AlertRule, url: string | undefined): AlertRule =>
  url === undefined ? rule : { ...rule, annotations: { ...rule.annotations, dashboard_url: url } };
