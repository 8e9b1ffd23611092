import { ContainerSpec } from "../common/podSpec";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { containerPorts } from "../common/workloadSpec";
import { PROMETHEUS, PROMETHEUS_PATHS } from "./names";
import { ObjectStoreMount } from "./objectStorage";
import { MetricsSettings } from "./settings";

/**
 * The Thanos sidecar in each Prometheus pod: it serves the replica's samples, labelled with the
 * replica's external labels, over the StoreAPI Thanos Query reads. Without an object store it only
 * reads the TSDB.
 *
 * With one (`objectStore`) it uploads every block Prometheus writes, oldest first, and records what
 * it uploaded in the TSDB directory. It also uploads the blocks Prometheus compacted before uploads
 * were turned on (`--shipper.upload-compacted`): Prometheus compacts no more once they are (its
 * block durations are equal), so the flag only ever concerns the history the volume held.
 */
export function thanosSidecarContainer(
  config: MetricsSettings,
  objectStore?: ObjectStoreMount,
): ContainerSpec {
  return {
    name: "thanos-sidecar",
    image: config.images.thanosSidecar,
    args: [
      "sidecar",
      `--prometheus.url=http://127.0.0.1:${PROMETHEUS.ports.http.port}`,
      `--tsdb.path=${PROMETHEUS_PATHS.data}`,
      `--grpc-address=0.0.0.0:${PROMETHEUS.ports["sidecar-grpc"].port}`,
      `--http-address=0.0.0.0:${PROMETHEUS.ports["sidecar-http"].port}`,
      ...(objectStore === undefined ? [] : [objectStore.flag, "--shipper.upload-compacted"]),
    ],
    ports: containerPorts(PROMETHEUS, ["sidecar-grpc", "sidecar-http"]),
    resources: config.resources.thanosSidecar,
    volumeMounts:
      objectStore === undefined
        ? [{ name: "data", mountPath: PROMETHEUS_PATHS.data, readOnly: true }]
        : [{ name: "data", mountPath: PROMETHEUS_PATHS.data }, objectStore.volumeMount],
    livenessProbe: httpProbe("sidecar-http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
    // Ready once Prometheus answers it with its external labels, which waits for Prometheus' WAL
    // replay: the same budget as Prometheus' own startup probe.
    readinessProbe: httpProbe("sidecar-http", "/-/ready", { periodSeconds: 5 }),
    startupProbe: httpProbe("sidecar-http", "/-/ready", { periodSeconds: 10, failureThreshold: 60 }),
  };
}
