import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployDataWorkload } from "../common/workload";
import { workloadUrl } from "../common/workloadSpec";
import { toYaml, toYamlInput } from "../common/yaml";
import { lokiConfig } from "./lokiConfig";
import { lokiRuleFiles } from "./lokiRules";
import { LOKI, LOKI_MEMBERLIST_SERVICE, LOKI_PATHS, SINGLE_TENANT } from "./names";
import { LogsSettings } from "./settings";
import { ZONED_CONFIG_VOLUME, zoneReaderContainer, zoneReaderVolumes } from "./zoneReader";

/**
 * The start Loki may take before the kubelet gives up (305 s): WAL replay, then `min_ready_duration`
 * (15 s). Measured with the real binary (tests/servers/startup.test.ts): ready 15.4–15.9 s after a
 * SIGKILL with 30,000 lines (9.5 MB) in the WAL, replayed in 0.1–0.6 s. The worst legitimate case,
 * two hours of unflushed chunks at the prod rate (3.6 M lines), replays in about 15–65 s at the
 * measured speed: the budget leaves four times that (docs/operations.md, "Probes and scratch space").
 */
const LOKI_STARTUP = { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 30 };

/**
 * Loki single binary as the StatefulSet `loki`, each replica on its own volume (its WAL). The ruler
 * reads its rules from a ConfigMap mounted under the tenant's directory and re-reads them on its
 * own; a change to the main config rolls the pods through its checksum (each WAL replays).
 *
 * Replicated (eks), the same StatefulSet scales up, so a single Loki's pod and claim `data-loki-0`
 * become the first replica in place. Replicas start from the config their zone reader wrote their
 * node's zone into, gossip the ring through `loki-memberlist` (which lists them before they are
 * ready, as they must join to become ready) and are spread over zones with a disruption budget that
 * lets a drain take one at a time. Clients keep using the `loki` Service: it resolves to every
 * ready replica, and whichever one a push or a query reaches hands it to the owners in the ring.
 */
export function deployLoki(name: string, config: LogsSettings, opts: pulumi.CustomResourceOptions) {
  const replicated = config.logs.replicas > 1;
  const configYaml = toYamlInput(lokiConfig(config));
  const configDir = replicated ? LOKI_PATHS.zonedConfig : LOKI_PATHS.config;
  const tenant = config.logs.tenant ?? SINGLE_TENANT;
  const rules = Object.fromEntries(
    Object.entries(lokiRuleFiles(config)).map(([file, ruleFile]) => [file, toYaml(ruleFile)]),
  );
  deployDataWorkload(
    name,
    {
      spec: LOKI,
      component: "logs",
      image: config.images.loki,
      settings: config,
      placement: "loki",
      roleArn: config.storage.s3?.loki?.roleArn,
      configMaps: [
        { name: "loki-config", volume: "config", data: { "loki.yaml": configYaml } },
        { name: "loki-rules", volume: "rules", data: rules },
      ],
      rolledBy: { config: configYaml },
      // The ruler's local storage is polled (ruler.poll_interval, a minute by default).
      readsLive: { rules: "Loki's ruler re-reads its rule files within a minute, no restart" },
      ...(replicated
        ? {
            replicas: config.logs.replicas,
            initContainers: [zoneReaderContainer(config)],
            clusterRules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
            volumes: zoneReaderVolumes(config),
            extraServices: [
              {
                name: LOKI_MEMBERLIST_SERVICE,
                headless: true,
                publishNotReadyAddresses: true,
                portNames: ["memberlist"],
              },
            ],
          }
        : { containerPortNames: ["http", "grpc"] }),
      container: {
        args: [`-config.file=${configDir}/loki.yaml`],
        resources: config.resources.loki,
        volumeMounts: [
          replicated
            ? { name: ZONED_CONFIG_VOLUME, mountPath: LOKI_PATHS.zonedConfig, readOnly: true }
            : { name: "config", mountPath: LOKI_PATHS.config, readOnly: true },
          { name: "rules", mountPath: `${LOKI_PATHS.rules}/${tenant}`, readOnly: true },
          { name: "data", mountPath: LOKI_PATHS.data },
        ],
        scratchPaths: ["/tmp"],
        // /ready stays false while the WAL replays and the ring settles: it gates traffic and the
        // start, never the process's life. Build info answers as soon as the server listens.
        livenessProbe: httpProbe("http", "/loki/api/v1/status/buildinfo", {
          initialDelaySeconds: 0,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("http", "/ready", { initialDelaySeconds: 0, periodSeconds: 5 }),
        startupProbe: httpProbe("http", "/ready", LOKI_STARTUP),
      },
      storageSize: config.logs.storageSize,
      wiring: config.wiring,
    },
    opts,
  );
  return { url: workloadUrl(LOKI, config.namespaces.observability, "http") };
}
