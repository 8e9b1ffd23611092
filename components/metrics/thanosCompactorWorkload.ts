import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { THANOS_COMPACTOR, THANOS_PATHS } from "./names";
import { ObjectStoreMount, bucketConfigOptions, ownClusterBlocks } from "./objectStorage";
import { MetricsSettings } from "./settings";

/**
 * The compactor of this cluster's blocks: it compacts them into larger blocks (up to two weeks),
 * downsamples them to 5-minute and 1-hour resolution and deletes each resolution past its
 * retention, running again every five minutes (`--wait`).
 *
 * Thanos requires one compactor per stream of blocks: two compacting the same blocks make
 * overlapping blocks, which halt it. Several clusters share a bucket, so each compacts only its own
 * cluster's blocks (the selector). Within the cluster there is one pod, and the StatefulSet is what
 * keeps it one: its pod has a fixed name, so the controller creates `thanos-compactor-0` again only
 * once the API server has deleted the old pod object, which it does only after the kubelet reports
 * the container stopped (a rollout, an eviction, a drain), or after someone force-deletes a pod whose
 * node stopped answering. Its ReadWriteOnce EBS volume, attachable to one node at a time, holds a
 * replacement on another node until the old attachment is released. A Deployment would not do: a
 * rolling update starts the new pod before the old one stops, and a ReplicaSet replaces a pod on an
 * unreachable node while that pod may still run. There is no disruption budget: one replica cannot
 * have one that lets a drain through, and a compactor stopped mid-compaction loses nothing (the
 * source blocks stay until its result is complete).
 */
export function deployThanosCompactor(
  name: string,
  config: MetricsSettings,
  objectStore: ObjectStoreMount,
  opts: pulumi.CustomResourceOptions,
) {
  const storage = config.metrics.objectStorage;
  if (storage === undefined) {
    throw new Error("the compactor needs metrics.objectStorage");
  }
  const { retention } = storage;
  return deployWorkload(
    name,
    {
      spec: THANOS_COMPACTOR,
      component: "metrics",
      image: config.images.thanosCompactor,
      namespace: config.namespaces.observability,
      settings: config,
      placement: "thanosCompactor",
      serviceAccount: { roleArn: storage.compactorRoleArn },
      ...bucketConfigOptions(objectStore),
      container: {
        name: THANOS_COMPACTOR.name,
        args: [
          "compact",
          "--wait",
          `--data-dir=${THANOS_PATHS.data}`,
          objectStore.flag,
          `--http-address=0.0.0.0:${THANOS_COMPACTOR.ports.http.port}`,
          `--retention.resolution-raw=${retention.raw}`,
          `--retention.resolution-5m=${retention.fiveMinutes}`,
          `--retention.resolution-1h=${retention.oneHour}`,
          `--selector.relabel-config=${ownClusterBlocks(config.cluster.name)}`,
        ],
        resources: config.resources.thanosCompactor,
        volumeMounts: [{ name: "data", mountPath: THANOS_PATHS.data }, objectStore.volumeMount],
        livenessProbe: httpProbe("http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/-/ready", { periodSeconds: 10 }),
        // Ready once its HTTP server and bucket client are up; its first compaction runs after.
        startupProbe: httpProbe("http", "/-/ready", { periodSeconds: 10, failureThreshold: 30 }),
      },
      pod: { mountServiceAccountToken: false },
      controller: {
        kind: "StatefulSet",
        replicas: 1,
        serviceName: THANOS_COMPACTOR.name,
        storageSize: storage.compactor.storageSize,
        holdsHistory: false,
        cache: true,
      },
      services: [{ headless: true }],
      wiring: config.wiring,
    },
    opts,
  );
}
