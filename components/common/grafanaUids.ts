// What the stack's Grafana fixes so that the other components can link into it: the UIDs of its
// datasources and of the platform's USE dashboards (with their variables). GrafanaStack provisions
// them; MetricsStack's alerts and notifications link by them.

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
