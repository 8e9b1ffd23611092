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
import { lokiConfig } from "./lokiConfig";
import { lokiRuleFiles } from "./lokiRules";
import { LOKI, LOKI_PATHS, SINGLE_TENANT } from "./names";
import { LogsSettings } from "./settings";

/**
 * The start Loki may take before the kubelet gives up (305 s): WAL replay, then `min_ready_duration`
 * (15 s). Measured with the real binary (tests/live/startup.test.ts): ready 15.4–15.9 s after a
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
  const namespace = config.namespaces.observability;
  const id = { name: LOKI.name, component: "logs", image: config.images.loki };
  const configYaml = toYaml(lokiConfig(config));
  const s3 = config.storage.s3?.loki;
  const tenant = config.logs.tenant ?? SINGLE_TENANT;

  new k8s.core.v1.ServiceAccount(`${name}-loki`, serviceAccountArgs(id, namespace, s3?.roleArn), opts);
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-loki-config`,
    { metadata: objectMeta(id, namespace, "loki-config"), data: { "loki.yaml": configYaml } },
    opts,
  );
  const rulesMap = new k8s.core.v1.ConfigMap(
    `${name}-loki-rules`,
    {
      metadata: objectMeta(id, namespace, "loki-rules"),
      data: Object.fromEntries(
        Object.entries(lokiRuleFiles(config)).map(([file, rules]) => [file, toYaml(rules)]),
      ),
    },
    opts,
  );

  const spec = hardenedPodSpec({
    platform: podPlatform(config, "loki"),
    serviceAccountName: LOKI.name,
    mountServiceAccountToken: false, // IRSA brings its own token; Loki never calls the Kubernetes API
    containers: [
      {
        name: "loki",
        image: config.images.loki,
        args: [`-config.file=${LOKI_PATHS.config}/loki.yaml`],
        ports: containerPorts(LOKI),
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
    ],
    volumes: [
      { name: "config", configMap: { name: configMap.metadata.name } },
      { name: "rules", configMap: { name: rulesMap.metadata.name } },
    ],
  });
  // Headless: it governs the StatefulSet (stable pod DNS names), and with one replica clients
  // resolve straight to the pod, so no virtual IP is needed beside it.
  new k8s.core.v1.Service(
    `${name}-loki`,
    serviceArgs({ id, namespace, headless: true, ports: servicePorts(LOKI) }),
    opts,
  );
  volumeStatefulSet(
    `${name}-loki`,
    {
      id,
      namespace,
      replicas: 1,
      serviceName: LOKI.name,
      template: podTemplate(id, spec, { config: configYaml }),
      storageClassName: config.storage.className,
      storageSize: config.logs.storageSize,
    },
    { ...opts, ...dataProtection(config.profile), dependsOn: [configMap, rulesMap] },
  );
  deployWorkloadPolicy(`${name}-loki`, config.wiring, namespace, id, opts);
  return { url: workloadUrl(LOKI, namespace, "http") };
}
