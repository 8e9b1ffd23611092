import { gossipPorts } from "../common/gossip";
import { workloadSpec } from "../common/workloadSpec";

// Grafana's ports (3006 is the reference platform's), paths, and the fixed datasource UIDs everything links by.
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

/** Where the dashboards of one `grafana.extraDashboards` folder are mounted. */
export const extraDashboardsPath = (slug: string): string => `${GRAFANA_PATHS.extraDashboards}/${slug}`;

export const DATASOURCE_UIDS = {
  prometheus: "prometheus",
  loki: "loki",
  tempo: "tempo",
  alertmanager: "alertmanager",
} as const;

type DatasourceType = "prometheus" | "loki" | "tempo" | "alertmanager";

/** A panel's or target's reference to a provisioned datasource. */
export interface DatasourceRef {
  readonly type: string;
  readonly uid: string;
}

export const DATASOURCES: Readonly<Record<DatasourceType, DatasourceRef>> = {
  prometheus: { type: "prometheus", uid: DATASOURCE_UIDS.prometheus },
  loki: { type: "loki", uid: DATASOURCE_UIDS.loki },
  tempo: { type: "tempo", uid: DATASOURCE_UIDS.tempo },
  alertmanager: { type: "alertmanager", uid: DATASOURCE_UIDS.alertmanager },
};

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
