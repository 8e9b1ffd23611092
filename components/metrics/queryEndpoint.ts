import { StackConfig } from "../../config";
import { clusterUrl } from "../common/serviceUrl";
import { PROMETHEUS, PROMETHEUS_QUERY_SERVICE } from "./names";

/**
 * Where dashboards read metrics: one consistent view of the replicas. Queries never go through a
 * Service over all replicas, whose answers would alternate between replicas with different gaps;
 * writes go to every replica (`prometheusRemoteWriteUrls`).
 */
export interface PrometheusQueryEndpoint {
  readonly url: string;
  /** Requests are signed with AWS SigV4 for this region (Amazon Managed Prometheus). */
  readonly sigV4Region?: string;
}

const REMOTE_WRITE_PATH = "/api/v1/remote_write";

/** The workspace URL an AMP remote-write endpoint belongs to; the Prometheus API is under it. */
export function ampQueryUrl(remoteWriteUrl: string): string {
  return remoteWriteUrl.endsWith(REMOTE_WRITE_PATH)
    ? remoteWriteUrl.slice(0, -REMOTE_WRITE_PATH.length)
    : remoteWriteUrl;
}

/** The name of the replica queries go to without remote write (`metrics.queryReplica`). */
export function queryPodName(metrics: Pick<StackConfig["metrics"], "queryReplica">): string {
  return `${PROMETHEUS.name}-${metrics.queryReplica}`;
}

/** The in-cluster URL of the `prometheus-query` Service (one replica). */
export function queryServiceUrl(namespace: string): string {
  return clusterUrl(PROMETHEUS_QUERY_SERVICE, namespace, PROMETHEUS.ports.http.port);
}

/**
 * With remote write: the AMP workspace, which deduplicates the replicas by `cluster` and
 * `__replica__`. Without: the `prometheus-query` Service, which selects one replica alone.
 */
export function prometheusQueryEndpoint(
  config: Pick<StackConfig, "metrics" | "namespaces">,
): PrometheusQueryEndpoint {
  const remoteWrite = config.metrics.remoteWrite;
  return remoteWrite === undefined
    ? { url: queryServiceUrl(config.namespaces.observability) }
    : { url: ampQueryUrl(remoteWrite.url), sigV4Region: remoteWrite.region };
}
