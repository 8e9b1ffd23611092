import { ContainerSpec } from "../common/podSpec";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { containerPorts } from "../common/workloadSpec";
import { PROMETHEUS, PROMETHEUS_PATHS } from "./names";
import { MetricsSettings } from "./settings";

/**
 * The Thanos sidecar in each Prometheus pod: it serves the replica's samples, labelled with the
 * replica's external labels, over the StoreAPI Thanos Query reads. It uploads nothing (no object
 * store), so it only reads the TSDB.
 */
export function thanosSidecarContainer(config: MetricsSettings): ContainerSpec {
  return {
    name: "thanos-sidecar",
    image: config.images.thanosSidecar,
    args: [
      "sidecar",
      `--prometheus.url=http://127.0.0.1:${PROMETHEUS.ports.http.port}`,
      `--tsdb.path=${PROMETHEUS_PATHS.data}`,
      `--grpc-address=0.0.0.0:${PROMETHEUS.ports["sidecar-grpc"].port}`,
      `--http-address=0.0.0.0:${PROMETHEUS.ports["sidecar-http"].port}`,
    ],
    ports: containerPorts(PROMETHEUS, ["sidecar-grpc", "sidecar-http"]),
    resources: config.resources.thanosSidecar,
    volumeMounts: [{ name: "data", mountPath: PROMETHEUS_PATHS.data, readOnly: true }],
    livenessProbe: httpProbe("sidecar-http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
    // Ready once Prometheus answers it with its external labels, which waits for Prometheus' WAL
    // replay: the same budget as Prometheus' own startup probe.
    readinessProbe: httpProbe("sidecar-http", "/-/ready", { periodSeconds: 5 }),
    startupProbe: httpProbe("sidecar-http", "/-/ready", { periodSeconds: 10, failureThreshold: 60 }),
  };
}
