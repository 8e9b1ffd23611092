import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployDataWorkload } from "../common/workload";
import { workloadUrl } from "../common/workloadSpec";
import { toYamlInput } from "../common/yaml";
import { TEMPO, TEMPO_PATHS } from "./names";
import { tempoConfig } from "./tempoConfig";
import { TracingSettings } from "./settings";

/**
 * The start Tempo may take before the kubelet gives up (305 s): replaying its WAL like Loki's
 * ingester. Tempo 2.x cannot be built here (the module proxy refuses it), so it gets Loki's
 * measured budget (docs/operations.md, "Probes and scratch space").
 */
const TEMPO_STARTUP = { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 30 };

/** Tempo single binary on one volume (WAL, and blocks on kind); S3 through IRSA on eks. */
export function deployTempo(name: string, config: TracingSettings, opts: pulumi.CustomResourceOptions) {
  const configYaml = toYamlInput(tempoConfig(config));
  deployDataWorkload(
    name,
    {
      spec: TEMPO,
      component: "tracing",
      image: config.images.tempo,
      settings: config,
      placement: "tempo",
      roleArn: config.storage.s3?.tempo?.roleArn,
      configMaps: [{ name: "tempo-config", volume: "config", data: { "tempo.yaml": configYaml } }],
      rolledBy: { config: configYaml },
      container: {
        args: [`-config.file=${TEMPO_PATHS.config}/tempo.yaml`],
        resources: config.resources.tempo,
        volumeMounts: [
          { name: "config", mountPath: TEMPO_PATHS.config, readOnly: true },
          { name: "data", mountPath: TEMPO_PATHS.data },
        ],
        scratchPaths: ["/tmp"],
        // /ready stays false while the WAL replays: it gates traffic and the start. /metrics is
        // served by the HTTP server from the first second, whatever the ingester is doing.
        livenessProbe: httpProbe("http", "/metrics", {
          initialDelaySeconds: 0,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("http", "/ready", { initialDelaySeconds: 0, periodSeconds: 5 }),
        startupProbe: httpProbe("http", "/ready", TEMPO_STARTUP),
      },
      storageSize: config.tracing.storageSize,
      wiring: config.wiring,
    },
    opts,
  );
  return { url: workloadUrl(TEMPO, config.namespaces.observability, "http") };
}
