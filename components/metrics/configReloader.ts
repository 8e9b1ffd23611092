import { ContainerSpec } from "../common/podSpec";
import { ReadsLive } from "../common/readsLive";
import { LIVENESS_FAILURES, tcpProbe } from "../common/probes";
import { containerPorts } from "../common/workloadSpec";
import { CONFIG_RELOADER } from "./names";
import { MetricsSettings } from "./settings";

/** A directory the reloader watches: the pod volume mounted there. */
export interface WatchedVolume {
  readonly volume: string;
  readonly mountPath: string;
}

/** The volumes the reloader watches, as the workload says it re-reads them (`readsLive`). */
export function reloadedVolumes(server: string, watched: readonly WatchedVolume[]): ReadsLive {
  return Object.fromEntries(
    watched.map((w) => [w.volume, `its config reloader has ${server} reload it, no restart`]),
  );
}

/**
 * A sidecar that calls the server's reload endpoint when a mounted ConfigMap or Secret changes,
 * so a `pulumi up` that edits scrape jobs, rules or receivers takes effect without a restart
 * (and without replaying the WAL).
 */
export function configReloaderContainer(
  config: MetricsSettings,
  reloadUrl: string,
  watched: readonly WatchedVolume[],
): ContainerSpec {
  return {
    name: "config-reloader",
    image: config.images.configReloader,
    args: [
      `--reload-url=${reloadUrl}`,
      `--listen-address=:${CONFIG_RELOADER.ports.reloader.port}`,
      ...watched.map((w) => `--watched-dir=${w.mountPath}`),
    ],
    ports: containerPorts(CONFIG_RELOADER),
    resources: config.resources.configReloader,
    volumeMounts: watched.map((w) => ({ name: w.volume, mountPath: w.mountPath, readOnly: true })),
    livenessProbe: tcpProbe("reloader", { failureThreshold: LIVENESS_FAILURES }),
    readinessProbe: tcpProbe("reloader", { initialDelaySeconds: 2 }),
  };
}
