import * as pulumi from "@pulumi/pulumi";
import { parseQuantity } from "../../config/quantity";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { THANOS_PATHS, THANOS_STORE } from "./names";
import { ObjectStoreMount, bucketConfigOptions, ownClusterBlocks } from "./objectStorage";
import { MetricsSettings } from "./settings";

/** Two, in different zones: a query reads the bucket through either while the other is gone. */
export const STORE_GATEWAY_REPLICAS = 2;

/**
 * The share of the container's memory limit the index cache (postings and series of recent
 * queries, in the Go heap) may hold; the chunk pool takes as much, and the rest is for the index
 * headers of every block, the series a query is building, and the runtime's headroom below
 * GOMEMLIMIT.
 */
export const INDEX_CACHE_SHARE = 0.25;

/**
 * The share of the limit the chunk pool (the chunk bytes of the queries being answered) may hold.
 * Thanos' default pool is 2 GB, more than prod's whole limit: when the dashboards read raw buckets,
 * a month of the rated load's series filled it and the pod's memory reached 96% of its limit
 * (bench:thanos). Past this share a query is refused with the pool's error instead of the pod being
 * killed.
 */
export const CHUNK_POOL_SHARE = 0.25;

/**
 * The most series one Series request may touch, and the most samples (Thanos counts 120 for each
 * chunk it touches). A request past either is refused with the limit's error instead of taking the
 * store gateway's memory; Thanos Query answers with what the other stores gave and a warning that
 * names the limit. The dashboards' heaviest query touched 4,480 series over 30 days of blocks of
 * both replicas (bench:thanos, docs/measured/thanos-footprint.md), about 160 per block. At a 10 s
 * scrape a series fills 72 chunks a day, so over a week of raw blocks that query would touch some
 * 2 × 160 × 504 chunks, 19 million samples. The limits are about ten and five times that. One
 * service's raw request histogram (10 pods of 1,449 bucket series at the rated load) passes for a
 * few hours at a 10 s scrape; over days, or every service's, it is refused.
 */
export const REQUEST_SERIES_LIMIT = 50000;
export const REQUEST_SAMPLES_LIMIT = 100000000;

/** How often a store gateway lists the bucket: a block uploaded or compacted is served this much later at most. */
const SYNC_INTERVAL = "3m";

/** A share of a store gateway's memory limit, as Thanos' size flags take it (MB are MiB). */
export function limitShare(memoryLimit: string, share: number): string {
  return `${Math.floor((parseQuantity(memoryLimit) * share) / 2 ** 20)}MB`;
}

/** Every store gateway by its pod's stable name, as Thanos Query dials them. */
export function storeGatewayEndpoints(namespace: string): string[] {
  return Array.from(
    { length: STORE_GATEWAY_REPLICAS },
    (_, i) =>
      `${THANOS_STORE.name}-${i}.${THANOS_STORE.name}.${namespace}.svc.cluster.local:${THANOS_STORE.ports.grpc.port}`,
  );
}

/**
 * The store gateways: each serves the bucket's blocks over the StoreAPI, keeping their index
 * headers on its volume (a cache: rebuilt from the bucket if lost). A hub's serve every cluster's
 * blocks; any other's only its own cluster's, as its Grafana shows one cluster.
 */
export function deployThanosStore(
  name: string,
  config: MetricsSettings,
  objectStore: ObjectStoreMount,
  opts: pulumi.CustomResourceOptions,
) {
  const storage = config.metrics.objectStorage;
  if (storage === undefined) {
    throw new Error("the store gateway needs metrics.objectStorage");
  }
  const id = { name: THANOS_STORE.name, component: "metrics", image: config.images.thanosStore };
  const resources = config.resources.thanosStore;
  return deployWorkload(
    name,
    {
      spec: THANOS_STORE,
      component: id.component,
      image: id.image,
      namespace: config.namespaces.observability,
      settings: config,
      placement: "thanosStore",
      serviceAccount: { roleArn: storage.storeRoleArn },
      ...bucketConfigOptions(objectStore),
      container: {
        name: THANOS_STORE.name,
        args: [
          "store",
          `--data-dir=${THANOS_PATHS.data}`,
          objectStore.flag,
          `--grpc-address=0.0.0.0:${THANOS_STORE.ports.grpc.port}`,
          `--http-address=0.0.0.0:${THANOS_STORE.ports.http.port}`,
          `--index-cache-size=${limitShare(resources.limits.memory, INDEX_CACHE_SHARE)}`,
          `--chunk-pool-size=${limitShare(resources.limits.memory, CHUNK_POOL_SHARE)}`,
          `--sync-block-duration=${SYNC_INTERVAL}`,
          // A block's index header is mapped when a query first needs it and unmapped once idle, so
          // memory follows the blocks queried, not every block of the bucket.
          "--store.enable-index-header-lazy-reader",
          // A matcher such as container!="" that selects most series of a block is applied to the
          // series it fetched instead of expanding its postings.
          "--store.enable-lazy-expanded-postings",
          `--store.limits.request-series=${REQUEST_SERIES_LIMIT}`,
          `--store.limits.request-samples=${REQUEST_SAMPLES_LIMIT}`,
          ...(storage.hub === undefined
            ? [`--selector.relabel-config=${ownClusterBlocks(config.cluster.name)}`]
            : []),
        ],
        resources,
        volumeMounts: [{ name: "data", mountPath: THANOS_PATHS.data }, objectStore.volumeMount],
        livenessProbe: httpProbe("http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/-/ready", { periodSeconds: 5 }),
        // Ready once it has loaded every block's index header: on a new volume it builds them
        // from the bucket first.
        startupProbe: httpProbe("http", "/-/ready", { periodSeconds: 10, failureThreshold: 60 }),
      },
      pod: { mountServiceAccountToken: false, topologySpreadConstraints: spreadAcrossNodes(id) },
      controller: {
        kind: "StatefulSet",
        replicas: STORE_GATEWAY_REPLICAS,
        serviceName: THANOS_STORE.name,
        storageSize: storage.storeGateway.storageSize,
        holdsHistory: false,
        cache: true,
      },
      services: [{ headless: true }],
      wiring: config.wiring,
    },
    opts,
  );
}
