import { StackConfig } from "../../config";
import type { Flow } from "../wiring/graph";

/** The in-cluster URLs and settings Grafana's datasources take from the other stacks. */
export interface GrafanaBackends {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly lokiUrl: string;
  /** The Loki tenant the log agent writes as, sent in the datasource's tenant header; none without multi-tenancy. */
  readonly lokiTenant?: string;
  readonly tempoUrl: string;
  /** The expression that finds a trace ID in a log line, for the Loki datasource's derived field. */
  readonly traceIdExpression: string;
}

/**
 * What the Grafana stack reads of the stack config: the keys of `config/schema.ts`, with each
 * profile's defaults in `config/defaults.ts`. Selected once, in index.ts.
 */
export type GrafanaSettings = Pick<
  StackConfig,
  | "profile"
  | "cluster"
  | "namespaces"
  | "apps"
  | "metrics"
  | "grafana"
  | "storage"
  | "exposure"
  | "images"
  | "resources"
> & {
  /** The wiring graph, built once: every NetworkPolicy of the stack comes from it. */
  readonly wiring: readonly Flow[];
};

/** What the dashboards read: the cluster they title, the app namespaces they filter, the SLO objectives. */
export type DashboardSettings = Pick<StackConfig, "cluster" | "apps" | "metrics">;
