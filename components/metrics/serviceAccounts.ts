import { StackConfig } from "../../config";
import { ServiceAccountName, serviceAccountName } from "../common/serviceAccount";
import {
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  NODE_EXPORTER,
  PROMETHEUS,
  THANOS_COMPACTOR,
  THANOS_STORE,
} from "./names";

/** The ServiceAccounts MetricsStack creates. */
export interface MetricsServiceAccounts {
  /** Prometheus' (with its Thanos sidecar): the IRSA role of `metrics.remoteWrite` or `metrics.objectStorage`. */
  readonly prometheus: ServiceAccountName;
  readonly kubeStateMetrics: ServiceAccountName;
  /** With `metrics.objectStorage`: the store gateways', on its IRSA role. */
  readonly thanosStore?: ServiceAccountName;
  /** With `metrics.objectStorage`: the compactor's, on its IRSA role. */
  readonly thanosCompactor?: ServiceAccountName;
  /** With `metrics.prometheusOperatorMonitors.enabled`. */
  readonly monitorScraper?: ServiceAccountName;
  /**
   * With `metrics.nodeExporter.authProxy`: node-exporter's, in the node namespace, whose
   * kube-rbac-proxy asks the API server to review each caller's token.
   */
  readonly nodeExporter?: ServiceAccountName;
}

/** Every ServiceAccount MetricsStack may create, by the names they get in the stack's namespace. */
export function metricsServiceAccounts(
  config: Pick<StackConfig, "namespaces">,
): Required<MetricsServiceAccounts> {
  const account = (name: string) => serviceAccountName(config.namespaces.observability, name);
  const nodeAccount = (name: string) => serviceAccountName(config.namespaces.node, name);
  return {
    prometheus: account(PROMETHEUS.name),
    kubeStateMetrics: account(KUBE_STATE_METRICS.name),
    thanosStore: account(THANOS_STORE.name),
    thanosCompactor: account(THANOS_COMPACTOR.name),
    monitorScraper: account(MONITOR_SCRAPER.name),
    nodeExporter: nodeAccount(NODE_EXPORTER.name),
  };
}
