import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** The in-cluster URLs and settings Grafana's datasources take from the other components. */
export interface GrafanaBackends {
  /** One consistent view of the Prometheus replicas: one replica's Service, or AMP signed with SigV4. */
  readonly prometheus: { readonly url: string; readonly sigV4Region?: string };
  readonly alertmanagerUrl: string;
  readonly lokiUrl: string;
  /** The Loki tenant the log agent writes as, sent in the datasource's tenant header; none without multi-tenancy. */
  readonly lokiTenant?: string;
  readonly tempoUrl: string;
  /** The expression that finds a trace ID in a log line, for the Loki datasource's derived field. */
  readonly traceIdExpression: string;
}

/** What the dashboards read: the cluster they title, the app namespaces they filter, the SLOs. */
export interface DashboardSettings extends Pick<StackConfig, "cluster" | "apps"> {
  readonly metrics: Pick<StackConfig["metrics"], "slo" | "slos">;
}

/** What the Grafana stack reads: mapped once, in index.ts. */
export interface GrafanaSettings extends PlatformSettings {
  /** Admin user, rotation key, storage, folder, replicas, database, extra datasources. Defaults per profile (1 replica on SQLite on kind; 2 on PostgreSQL on eks). */
  readonly grafana: StackConfig["grafana"];
  /** NodePort 30006 (kind) or an Ingress for the configured host (eks). */
  readonly exposure: StackConfig["exposure"];
  /**
   * `metrics.slo` and `metrics.slos`, whose SLOs the dashboards draw, and `metrics.remoteWrite`: with Amazon
   * Managed Prometheus, Grafana's pods assume its query role.
   */
  readonly metrics: Pick<StackConfig["metrics"], "slo" | "slos" | "remoteWrite">;
  /**
   * The stack's flows (`wiringGraph`, built once in index.ts): those into and out of this
   * component's workloads make their NetworkPolicies, and a workload no flow names is refused.
   * No default.
   */
  readonly wiring: readonly Flow[];
}
