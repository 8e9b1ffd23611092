import type * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";
import type { ClusterChoice } from "./dashboard/clusterPicker";

/** The services Grafana's datasources query, and how; each absent when it is not there. */
export interface GrafanaBackends {
  /** One consistent view of the Prometheus replicas: Thanos Query or one replica's Service, or AMP signed with SigV4. */
  readonly prometheus?: {
    readonly url: pulumi.Input<string>;
    readonly sigV4Region?: string;
    /** It answers for several clusters, told apart by this label. */
    readonly clusters?: ClusterChoice;
  };
  readonly alertmanagerUrl?: pulumi.Input<string>;
  readonly lokiUrl?: pulumi.Input<string>;
  /** The Loki tenant the log agent writes as, sent in the datasource's tenant header; none without multi-tenancy. */
  readonly lokiTenant?: string;
  readonly tempoUrl?: pulumi.Input<string>;
  /** The expression that finds a trace ID in a log line, for the Loki datasource's derived field to Tempo. */
  readonly traceIdExpression?: string;
}

/**
 * What the dashboards read: the cluster they title, the app namespaces they filter, the SLOs, the
 * mesh whose sidecars they read.
 */
export interface DashboardSettings extends Pick<StackConfig, "cluster" | "apps" | "mesh"> {
  readonly metrics: Pick<StackConfig["metrics"], "slo" | "slos">;
  /** Where people open Kiali, which the mesh dashboards link; none when it is not reachable. */
  readonly kialiUrl?: string;
  /**
   * The Prometheus job of the collectors apps send spans to, whose accepted spans Landing counts;
   * without one it counts every collector's.
   */
  readonly spanIngestJob?: string;
  /** The Prometheus answers for several clusters: dashboards pick one, this cluster first. */
  readonly clusters?: ClusterChoice;
}

/** What GrafanaStack reads: its args, validated and defaulted. */
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
  /** Landing's span rate: see DashboardSettings. */
  readonly spanIngestJob?: string;
  /** The clusters the dashboards pick from: see DashboardSettings. */
  readonly clusters?: ClusterChoice;
  /** `mesh.istio`: with it, the Istio Mesh dashboard and the sidecars' panels. */
  readonly mesh: StackConfig["mesh"];
  /** Kiali's link: see DashboardSettings. */
  readonly kialiUrl?: string;
  /**
   * The flows into and out of this component's workloads, which make their NetworkPolicies; a
   * workload no flow names is refused.
   */
  readonly wiring: readonly Flow[];
}
