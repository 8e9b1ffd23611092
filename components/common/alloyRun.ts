import { LIVENESS_FAILURES, httpProbe } from "./probes";

/** How every Alloy of the stack runs: its config file, UI/metrics port and data directory; no telemetry home. */
export function alloyRunArgs(
  paths: { readonly config: string; readonly data: string },
  port: number,
): string[] {
  return [
    "run",
    `${paths.config}/config.alloy`,
    `--server.http.listen-addr=0.0.0.0:${port}`,
    `--storage.path=${paths.data}`,
    "--stability.level=generally-available",
    "--disable-reporting",
  ];
}

/**
 * How the kubelet watches every Alloy of the stack. Positions, the write-ahead queue and the config
 * load before Alloy is ready, which the startup probe waits for.
 */
export function alloyProbes() {
  return {
    // /-/healthy fails while any component reports itself unhealthy, and a component may report
    // what it reaches (prometheus.operator.* the API server's errors); /-/ready turns true once the
    // first config is loaded and stays so.
    livenessProbe: httpProbe("http", "/-/ready", { failureThreshold: LIVENESS_FAILURES }),
    readinessProbe: httpProbe("http", "/-/ready", { initialDelaySeconds: 5, periodSeconds: 5 }),
    startupProbe: httpProbe("http", "/-/ready", {
      initialDelaySeconds: 0,
      periodSeconds: 5,
      failureThreshold: 24,
    }),
  };
}
