import { gossipPorts } from "../common/gossip";
import { workloadSpec } from "../common/workloadSpec";

// Grafana's ports (3006 is the reference platform's), paths, and the fixed datasource UIDs everything links by.
export const GRAFANA = workloadSpec("grafana", { http: { port: 3006, scrape: true }, ...gossipPorts(9094) });
export const GRAFANA_PEERS_SERVICE = "grafana-peers";
/** Answers without a login: the probes and the load balancer's health check. */
export const GRAFANA_HEALTH_PATH = "/api/health";

export const GRAFANA_PATHS = {
  data: "/var/lib/grafana",
  provisioning: "/etc/grafana/provisioning",
  dashboards: "/etc/grafana/dashboards",
  secrets: "/etc/grafana/secrets",
} as const;

export const DATASOURCE_UIDS = {
  prometheus: "prometheus",
  loki: "loki",
  tempo: "tempo",
  alertmanager: "alertmanager",
} as const;

export type DatasourceType = "prometheus" | "loki" | "tempo" | "alertmanager";

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
