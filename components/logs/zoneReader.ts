import type * as k8s from "@pulumi/kubernetes";
import type { InitContainerSpec } from "../common/podSpec";
import { LOKI_PATHS } from "./names";
import { LogsSettings } from "./settings";

/** Stands for the node's zone in the rendered config until the zone reader writes the zone in. */
export const NODE_ZONE_PLACEHOLDER = "__NODE_ZONE__";

/** The node label Loki's zone-aware replication follows. */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** Where clients look for the pod's API token and the cluster's CA. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The emptyDir the zone reader writes Loki's config to. */
export const ZONED_CONFIG_VOLUME = "zoned-config";
const API_TOKEN_VOLUME = "api-token";

const CONFIG_FILE = "loki.yaml";

/** Where the script reads and writes; the pod's paths unless a test runs it elsewhere. */
export interface ZoneReaderPaths {
  readonly serviceAccountDir: string;
  readonly template: string;
  readonly output: string;
}

const POD_PATHS: ZoneReaderPaths = {
  serviceAccountDir: SERVICE_ACCOUNT_DIR,
  template: `${LOKI_PATHS.config}/${CONFIG_FILE}`,
  output: `${LOKI_PATHS.zonedConfig}/${CONFIG_FILE}`,
};

/**
 * Reads the pod's node (NODE_NAME) from the API, verifying the server against the cluster's CA,
 * and writes the config with the node's zone in place of the placeholder. A node without the label
 * stops the pod: a replica without a zone would break zone-aware replication. The API server
 * pretty-prints for curl, so the answer is joined into one line before the label is picked out.
 */
export function zoneReaderScript(paths: ZoneReaderPaths = POD_PATHS): string {
  const label = ZONE_LABEL.replace(/[./]/g, (c) => `\\${c}`);
  return [
    "set -eu",
    `sa="${paths.serviceAccountDir}"`,
    'node=$(curl -sSf --retry 5 --retry-connrefused --max-time 10 --cacert "$sa/ca.crt" ' +
      '-H "Authorization: Bearer $(cat "$sa/token")" ' +
      '"https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}/api/v1/nodes/${NODE_NAME}")',
    `zone=$(printf '%s' "$node" | tr -d '\\n' | sed -n 's/.*"${label}": *"\\([A-Za-z0-9._-]*\\)".*/\\1/p')`,
    `if [ -z "$zone" ]; then echo "node $NODE_NAME has no ${ZONE_LABEL} label" >&2; exit 1; fi`,
    `sed "s/${NODE_ZONE_PLACEHOLDER}/$zone/" "${paths.template}" > "${paths.output}"`,
  ].join("\n");
}

/**
 * The init container that gives a replica its zone. Pods cannot read their node's labels through
 * the downward API on the Kubernetes versions EKS runs (that arrives with KEP-4742, beta in 1.35),
 * so it asks the API (`get nodes`, the one grant Loki's ServiceAccount has). One StatefulSet per
 * zone would need no API access, but its zones would be config and the 0.3.0 StatefulSet `loki`
 * and its claim could not simply scale up. It runs Grafana's image: the stack's one pinned image
 * with a shell and a curl that verifies the API server's certificate (Loki's has neither).
 */
export function zoneReaderContainer(config: LogsSettings): InitContainerSpec {
  return {
    name: "zone-reader",
    image: config.images.grafana,
    command: ["sh", "-c"],
    args: [zoneReaderScript()],
    env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
    resources: config.resources.loki,
    goRuntime: false,
    volumeMounts: [
      { name: "config", mountPath: LOKI_PATHS.config, readOnly: true },
      { name: ZONED_CONFIG_VOLUME, mountPath: LOKI_PATHS.zonedConfig },
      { name: API_TOKEN_VOLUME, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
    ],
  };
}

/**
 * The zone reader's volumes: the config it writes, and its API token with the cluster's CA. The
 * pod mounts no token of its own, so Loki itself never holds one.
 */
export function zoneReaderVolumes(config: LogsSettings): k8s.types.input.core.v1.Volume[] {
  return [
    { name: ZONED_CONFIG_VOLUME, emptyDir: { sizeLimit: config.resources.loki.limits.ephemeralStorage } },
    {
      name: API_TOKEN_VOLUME,
      projected: {
        defaultMode: 0o440,
        sources: [
          { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        ],
      },
    },
  ];
}
