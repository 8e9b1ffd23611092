import * as pulumi from "@pulumi/pulumi";
import { ALLOY_PATHS, alloyProbes, alloyRunArgs } from "../common/alloyRun";
import { deployWorkload } from "../common/workload";
import { alloyConfig } from "./alloyConfig";
import { ALLOY } from "./names";
import { LogsSettings } from "./settings";
import { alloyNamespace } from "./alloyNamespace";

/** Size of the `api`-mode agent's volume: read positions and component state only. */
const API_MODE_STORAGE = "1Gi";

/**
 * Grafana Alloy as the log agent. `node` mode: a DaemonSet in the node namespace tailing
 * /var/log/pods read-only, its positions on a host path so a restart neither loses nor re-ships
 * lines. `api` mode: one replica in the restricted namespace streaming logs through the API, its
 * positions on a volume. Either way it reads pods only in the app namespaces and, for the Loki
 * canary, the stack's (namespaced Roles).
 */
export function deployAlloy(name: string, config: LogsSettings, opts: pulumi.CustomResourceOptions): void {
  const node = config.logs.collectionMode === "node";
  const configText = alloyConfig(config);
  deployWorkload(
    name,
    {
      spec: ALLOY,
      component: "logs",
      image: config.images.alloy,
      namespace: alloyNamespace(config),
      settings: config,
      placement: "alloy",
      serviceAccount: {
        namespacedAccess: {
          // The stack's own namespace for the Loki canary, whose lines take the apps' path.
          namespaces: [...config.apps.namespaces, config.namespaces.observability],
          rules: [
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
            ...(node ? [] : [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }]),
          ],
        },
      },
      configMaps: [{ name: "alloy-config", volume: "config", data: { "config.alloy": configText } }],
      container: {
        name: "alloy",
        args: alloyRunArgs(ALLOY.ports.http.port),
        env: node ? [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }] : [],
        resources: config.resources.alloy,
        volumeMounts: [
          { name: "config", mountPath: ALLOY_PATHS.config, readOnly: true },
          ...(node ? [] : [{ name: "data", mountPath: ALLOY_PATHS.data }]),
        ],
        scratchPaths: ["/tmp"],
        ...alloyProbes(),
      },
      pod: node ? { hostAccess: "alloy", tolerations: [{ operator: "Exists" }] } : {},
      // A config change rolls the agent; its positions survive on the host path or the volume.
      rolledBy: { config: configText },
      controller: node
        ? { kind: "DaemonSet" }
        : {
            kind: "StatefulSet",
            replicas: 1,
            serviceName: ALLOY.name,
            storageSize: API_MODE_STORAGE,
            holdsHistory: false,
          },
      services: [{ headless: true }],
      wiring: config.wiring,
    },
    opts,
  );
}
