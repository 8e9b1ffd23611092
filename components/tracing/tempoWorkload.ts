import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "../common/metadata";
import { serviceAccountArgs } from "../common/rbac";
import { serviceArgs } from "../common/service";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { hardenedPodSpec, podTemplate } from "../common/podSpec";
import { podPlatform } from "../common/placement";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { containerPorts, servicePorts, workloadUrl } from "../common/workloadSpec";
import { dataProtection, volumeStatefulSet } from "../common/statefulSet";
import { toYaml } from "../common/yaml";
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
  const namespace = config.namespaces.observability;
  const id = { name: TEMPO.name, component: "tracing", image: config.images.tempo };
  const configYaml = toYaml(tempoConfig(config));
  const s3 = config.storage.s3?.tempo;

  new k8s.core.v1.ServiceAccount(`${name}-tempo`, serviceAccountArgs(id, namespace, s3?.roleArn), opts);
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-tempo-config`,
    { metadata: objectMeta(id, namespace, "tempo-config"), data: { "tempo.yaml": configYaml } },
    opts,
  );
  const spec = hardenedPodSpec({
    platform: podPlatform(config, "tempo"),
    serviceAccountName: TEMPO.name,
    mountServiceAccountToken: false, // IRSA brings its own token; Tempo never calls the Kubernetes API
    containers: [
      {
        name: "tempo",
        image: config.images.tempo,
        args: [`-config.file=${TEMPO_PATHS.config}/tempo.yaml`],
        ports: containerPorts(TEMPO),
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
    ],
    volumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
  });
  // Headless: it governs the StatefulSet (stable pod DNS names), and with one replica clients
  // resolve straight to the pod, so no virtual IP is needed beside it.
  new k8s.core.v1.Service(
    `${name}-tempo`,
    serviceArgs({ id, namespace, headless: true, ports: servicePorts(TEMPO) }),
    opts,
  );
  volumeStatefulSet(
    `${name}-tempo`,
    {
      id,
      namespace,
      replicas: 1,
      serviceName: TEMPO.name,
      template: podTemplate(id, spec, { config: configYaml }),
      storageClassName: config.storage.className,
      storageSize: config.tracing.storageSize,
    },
    { ...opts, ...dataProtection(config.profile), dependsOn: [configMap] },
  );
  deployWorkloadPolicy(`${name}-tempo`, config.wiring, namespace, id, opts);
  return { url: workloadUrl(TEMPO, namespace, "http") };
}
