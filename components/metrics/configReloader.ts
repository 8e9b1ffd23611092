import { StackConfig } from "../../config";
import { ContainerSpec } from "../common/podSpec";
import { tcpProbe } from "../common/probes";
import { CONFIG_RELOADER } from "./names";

/**
 * A sidecar that calls the server's reload endpoint when a mounted ConfigMap or Secret changes,
 * so a `pulumi up` that edits scrape jobs, rules or receivers takes effect without a restart
 * (and without replaying the WAL).
 */
export function configReloaderContainer(
  config: StackConfig,
  reloadUrl: string,
  watched: readonly { readonly volume: string; readonly mountPath: string }[],
): ContainerSpec {
  return {
    name: "config-reloader",
    image: config.images.configReloader,
    args: [
      `--reload-url=${reloadUrl}`,
      `--listen-address=:${CONFIG_RELOADER.port}`,
      ...watched.map((w) => `--watched-dir=${w.mountPath}`),
    ],
    ports: [{ name: "reloader", containerPort: CONFIG_RELOADER.port }],
    resources: config.resources.configReloader,
    volumeMounts: watched.map((w) => ({ name: w.volume, mountPath: w.mountPath, readOnly: true })),
    livenessProbe: tcpProbe("reloader"),
    readinessProbe: tcpProbe("reloader", { initialDelaySeconds: 2 }),
  };
}
