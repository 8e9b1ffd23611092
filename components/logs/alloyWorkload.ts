import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { serviceAccountArgs } from "../common/rbac";
import { serviceArgs } from "../common/service";
import { containerPorts, servicePorts } from "../common/workloadSpec";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { ContainerSpec, hardenedPodSpec, podTemplate } from "../common/podSpec";
import { podPlatform } from "../common/placement";
import { httpProbe } from "../common/probes";
import { volumeStatefulSet } from "../common/statefulSet";
import { alloyConfig } from "./alloyConfig";

import { alloyRunArgs } from "../common/alloyRun";
import { ALLOY, ALLOY_PATHS, alloyNamespace } from "./names";
import { LogsSettings } from "./settings";

/** Size of the `api`-mode agent's volume: read positions and component state only. */
const API_MODE_STORAGE = "1Gi";

/**
 * Grafana Alloy as the log agent. `node` mode: a DaemonSet in the node namespace tailing
 * /var/log/pods read-only, its positions on a host path so a restart neither loses nor re-ships
 * lines. `api` mode: one replica in the restricted namespace streaming logs through the API, its
 * positions on a volume. Either way it reads pods only in the app namespaces (namespaced Roles).
 */
export function deployAlloy(name: string, config: LogsSettings, opts: pulumi.CustomResourceOptions): void {
  const node = config.logs.collectionMode === "node";
  const namespace = alloyNamespace(config);
  const id = { name: ALLOY.name, component: "logs", image: config.images.alloy };
  const configText = alloyConfig(config);

  new k8s.core.v1.ServiceAccount(`${name}-alloy`, serviceAccountArgs(id, namespace), opts);
  for (const appNamespace of config.apps.namespaces) {
    const role = new k8s.rbac.v1.Role(
      `${name}-alloy-${appNamespace}`,
      {
        metadata: objectMeta(id, appNamespace, `${namespace}-alloy`),
        rules: [
          { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
          ...(node ? [] : [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }]),
        ],
      },
      opts,
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-alloy-${appNamespace}`,
      {
        metadata: objectMeta(id, appNamespace, `${namespace}-alloy`),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: ALLOY.name, namespace }],
      },
      opts,
    );
  }
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-alloy-config`,
    { metadata: objectMeta(id, namespace, "alloy-config"), data: { "config.alloy": configText } },
    opts,
  );

  const container: ContainerSpec = {
    name: "alloy",
    image: config.images.alloy,
    args: alloyRunArgs(ALLOY_PATHS, ALLOY.ports.http.port),
    env: node ? [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }] : [],
    ports: containerPorts(ALLOY),
    resources: config.resources.alloy,
    volumeMounts: [
      { name: "config", mountPath: ALLOY_PATHS.config, readOnly: true },
      ...(node ? [] : [{ name: "data", mountPath: ALLOY_PATHS.data }]),
    ],
    scratchPaths: ["/tmp"],
    livenessProbe: httpProbe("http", "/-/healthy"),
    readinessProbe: httpProbe("http", "/-/ready", { initialDelaySeconds: 5, periodSeconds: 5 }),
    // Positions and the write-ahead queue load before the config is applied and Alloy is ready.
    startupProbe: httpProbe("http", "/-/ready", {
      initialDelaySeconds: 0,
      periodSeconds: 5,
      failureThreshold: 24,
    }),
  };
  const spec = hardenedPodSpec({
    platform: podPlatform(config, "alloy"),
    serviceAccountName: ALLOY.name,
    containers: [container],
    volumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
    ...(node ? { hostAccess: "alloy" as const, tolerations: [{ operator: "Exists" }] } : {}),
  });
  // A config change rolls the agent; its positions survive on the host path or the volume.
  const template = podTemplate(id, spec, { config: configText });
  if (node) {
    new k8s.apps.v1.DaemonSet(
      `${name}-alloy`,
      {
        metadata: objectMeta(id, namespace),
        spec: {
          selector: { matchLabels: selectorLabels(id) },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
          template,
        },
      },
      { ...opts, dependsOn: [configMap] },
    );
  } else {
    volumeStatefulSet(
      `${name}-alloy`,
      {
        id,
        namespace,
        replicas: 1,
        serviceName: ALLOY.name,
        template,
        storageClassName: config.storage.className,
        storageSize: API_MODE_STORAGE,
      },
      { ...opts, dependsOn: [configMap] },
    );
  }
  new k8s.core.v1.Service(
    `${name}-alloy`,
    serviceArgs({ id, namespace, headless: true, ports: servicePorts(ALLOY) }),
    opts,
  );
  deployWorkloadPolicy(`${name}-alloy`, config.wiring, namespace, id, opts);
}
