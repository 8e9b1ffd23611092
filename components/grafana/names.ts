import { gossipPorts } from "../common/gossip";
import { workloadSpec } from "../common/workloadSpec";

// Grafana's ports (3006 is the reference platform's) and paths.
export const GRAFANA = workloadSpec("grafana", { http: { port: 3006, scrape: true }, ...gossipPorts(9094) });
export const GRAFANA_PEERS_SERVICE = "grafana-peers";
/**
 * Answers without a login, 503 while the database cannot be reached: readiness, the start and the
 * load balancer's health check.
 */
export const GRAFANA_HEALTH_PATH = "/api/health";
/** The web server alone, never the database: liveness, so a database failover restarts no replica. */
export const GRAFANA_LIVENESS_PATH = "/healthz";

export const GRAFANA_PATHS = {
  data: "/var/lib/grafana",
  provisioning: "/etc/grafana/provisioning",
  dashboards: "/etc/grafana/dashboards",
  secrets: "/etc/grafana/secrets",
  extraDashboards: "/etc/grafana/extra-dashboards",
} as const;

/** The objects Grafana's pods mount, by the names they are created with (see MountedConfig). */
export const GRAFANA_CONFIG = {
  credentials: "grafana-credentials",
  provisioning: "grafana-provisioning",
  dashboards: "grafana-dashboards",
} as const;

/** The ConfigMap of one `grafana.extraDashboards` folder. */
export const extraDashboardsConfigMap = (slug: string): string => `${GRAFANA_CONFIG.dashboards}-${slug}`;

/** Where the dashboards of one `grafana.extraDashboards` folder are mounted. */
export const extraDashboardsPath = (slug: string): string => `${GRAFANA_PATHS.extraDashboards}/${slug}`;
