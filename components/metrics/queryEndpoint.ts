import { StackConfig } from "../../config";
import type { PrometheusPeer } from "../common/peer";
import { clusterUrl } from "../common/serviceUrl";
import { CLUSTER_LABEL } from "./objectStorage";
import { PROMETHEUS, REPLICA_LABEL, THANOS_QUERY, THANOS_REPLICA_LABEL } from "./names";

type ReplicaSettings = Pick<StackConfig["metrics"], "replicas" | "remoteWrite" | "objectStorage">;

const REMOTE_WRITE_PATH = "/api/v1/remote_write";

/** The workspace URL an AMP remote-write endpoint belongs to; the Prometheus API is under it. */
export function ampQueryUrl(remoteWriteUrl: string): string {
  return remoteWriteUrl.endsWith(REMOTE_WRITE_PATH)
    ? remoteWriteUrl.slice(0, -REMOTE_WRITE_PATH.length)
    : remoteWriteUrl;
}

/**
 * Whether Thanos Query reads the replicas: with more than one, unless they remote-write to Amazon
 * Managed Prometheus, which deduplicates them itself; and always with the bucket's history to read.
 */
export function thanosQueryRuns(metrics: ReplicaSettings): boolean {
  return metrics.remoteWrite === undefined && (metrics.replicas > 1 || metrics.objectStorage !== undefined);
}

/**
 * What a peer reading Thanos Query cannot ask it for (`PrometheusPeer`'s `thanos`): the retention
 * and scrape interval behind it; nothing when the replicas are queried directly.
 */
export function thanosQueryFacts(
  metrics: ReplicaSettings & Pick<StackConfig["metrics"], "retentionTime" | "scrapeInterval">,
): Pick<PrometheusPeer, "thanos"> {
  return thanosQueryRuns(metrics)
    ? { thanos: { retention: metrics.retentionTime, scrapeInterval: metrics.scrapeInterval } }
    : {};
}

/**
 * The external label each replica carries with its pod name, by which the query path tells the
 * replicas apart and deduplicates them: AMP's, or Thanos Query's; none with one replica in the
 * cluster.
 */
export function replicaLabel(metrics: ReplicaSettings): string | undefined {
  return metrics.remoteWrite !== undefined
    ? REPLICA_LABEL
    : thanosQueryRuns(metrics)
      ? THANOS_REPLICA_LABEL
      : undefined;
}

/** The Service in-cluster queries go to: Thanos Query over several replicas, else the one replica's. */
export function queryService(metrics: ReplicaSettings): { readonly name: string; readonly port: number } {
  return thanosQueryRuns(metrics)
    ? { name: THANOS_QUERY.name, port: THANOS_QUERY.ports.http.port }
    : { name: PROMETHEUS.name, port: PROMETHEUS.ports.http.port };
}

/** The in-cluster query URL (see queryService). */
export function queryServiceUrl(config: Pick<StackConfig, "metrics" | "namespaces">): string {
  const service = queryService(config.metrics);
  return clusterUrl(service.name, config.namespaces.observability, service.port);
}

/**
 * Where dashboards read metrics: one consistent view of the replicas that keeps answering while
 * one is down. Queries never go through a Service over all replicas, whose answers would alternate
 * between replicas with different gaps; writes go to every replica (`prometheusRemoteWriteUrls`).
 * With remote write: the AMP workspace, which deduplicates the replicas by `cluster` and
 * `__replica__`. Without: the in-cluster query Service, over every cluster's history on a hub.
 */
export function prometheusQueryEndpoint(
  config: Pick<StackConfig, "metrics" | "namespaces" | "cluster">,
): PrometheusPeer {
  const remoteWrite = config.metrics.remoteWrite;
  if (remoteWrite !== undefined) {
    const url = remoteWrite.url;
    return {
      url: typeof url === "string" ? ampQueryUrl(url) : url.apply(ampQueryUrl),
      sigV4Region: remoteWrite.region,
    };
  }
  return config.metrics.objectStorage?.hub === undefined
    ? { url: queryServiceUrl(config) }
    : { url: queryServiceUrl(config), clusters: { label: CLUSTER_LABEL, current: config.cluster.name } };
}
