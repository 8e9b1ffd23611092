import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployDataWorkload } from "../common/workload";
import { workloadUrl } from "../common/workloadSpec";
import { toYaml } from "../common/yaml";
import { lokiConfig } from "./lokiConfig";
import { lokiRuleFiles } from "./lokiRules";
import { LOKI, LOKI_PATHS, SINGLE_TENANT } from "./names";
import { LogsSettings } from "./settings";

/**
 * The start Loki may take before the kubelet gives up (305 s): WAL replay, then `min_ready_duration`
 * (15 s). Measured with the real binary (tests/components/startup.test.ts): ready 15.4–15.9 s after a
 * SIGKILL with 30,000 lines (9.5 MB) in the WAL, replayed in 0.1–0.6 s. The worst legitimate case,
 * two hours of unflushed chunks at the prod rate (3.6 M lines), replays in about 15–65 s at the
 * measured speed: the budget leaves four times that (docs/operations.md, "Probes and scratch space").
 */
const LOKI_STARTUP = { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 30 };

/**
 * Loki single binary as a StatefulSet on one volume. The ruler reads its rules from a ConfigMap
 * mounted under the tenant's directory and re-reads them on its own; a change to the main config
 * rolls the pod through its checksum (the WAL on the volume replays).
 */
export function deployLoki(name: string, config: LogsSettings, opts: pulumi.CustomResourceOptions) {
  const configYaml = toYaml(lokiConfig(config));
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
      container: {
        args: [`-config.file=${LOKI_PATHS.config}/loki.yaml`],
        resources: config.resources.loki,
        volumeMounts: [
          { name: "config", mountPath: LOKI_PATHS.config, readOnly: true },
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
