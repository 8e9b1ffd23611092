import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { KUBE_STATE_METRICS, NODE_EXPORTER } from "./names";
import { ALERT_OPT_OUT_LABEL } from "./platformSeries";
import {
  NODE_EXPORTER_LOOPBACK,
  NODE_EXPORTER_PROXY_RULES,
  NODE_EXPORTER_PROXY_VOLUMES,
  loopbackProbe,
  nodeExporterProxyContainer,
} from "./nodeExporterProxy";
import { MetricsSettings } from "./settings";

/**
 * The object kinds kube-state-metrics reports on, each with its API group. Its `--resources`
 * flag and its ClusterRole are both built from this list, so it can read nothing it does not export
 * (no Secrets, no ConfigMaps).
 */
const KSM_RESOURCES: readonly { readonly flag: string; readonly group: string; readonly resource: string }[] =
  [
    { flag: "pods", group: "", resource: "pods" },
    { flag: "nodes", group: "", resource: "nodes" },
    { flag: "namespaces", group: "", resource: "namespaces" },
    { flag: "services", group: "", resource: "services" },
    { flag: "persistentvolumeclaims", group: "", resource: "persistentvolumeclaims" },
    { flag: "persistentvolumes", group: "", resource: "persistentvolumes" },
    { flag: "deployments", group: "apps", resource: "deployments" },
    { flag: "statefulsets", group: "apps", resource: "statefulsets" },
    { flag: "daemonsets", group: "apps", resource: "daemonsets" },
    { flag: "replicasets", group: "apps", resource: "replicasets" },
    { flag: "jobs", group: "batch", resource: "jobs" },
    { flag: "cronjobs", group: "batch", resource: "cronjobs" },
    { flag: "horizontalpodautoscalers", group: "autoscaling", resource: "horizontalpodautoscalers" },
    { flag: "poddisruptionbudgets", group: "policy", resource: "poddisruptionbudgets" },
    { flag: "resourcequotas", group: "", resource: "resourcequotas" },
  ];

function ksmRbacRules() {
  const groups = [...new Set(KSM_RESOURCES.map((r) => r.group))];
  return groups.map((group) => ({
    apiGroups: [group],
    resources: KSM_RESOURCES.filter((r) => r.group === group).map((r) => r.resource),
    verbs: ["list", "watch"],
  }));
}

/** kube-state-metrics: object state (restarts, phases, limits) as metrics, with read-only RBAC. */
export function deployKubeStateMetrics(
  name: string,
  config: MetricsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  deployWorkload(
    name,
    {
      spec: KUBE_STATE_METRICS,
      component: "metrics",
      image: config.images.kubeStateMetrics,
      namespace: config.namespaces.observability,
      settings: config,
      placement: "kubeStateMetrics",
      serviceAccount: { clusterRules: ksmRbacRules() },
      container: {
        name: "kube-state-metrics",
        args: [
          `--port=${KUBE_STATE_METRICS.ports["http-metrics"].port}`,
          `--telemetry-port=${KUBE_STATE_METRICS.ports.telemetry.port}`,
          `--resources=${KSM_RESOURCES.map((r) => r.flag).join(",")}`,
          // The pods' `app` label, so restarts and phases can be joined to the service they belong to;
          // the claims' opt-out label, which the volume alerts honour.
          `--metric-labels-allowlist=pods=[app,app.kubernetes.io/name],persistentvolumeclaims=[${ALERT_OPT_OUT_LABEL}]`,
        ],
        resources: config.resources.kubeStateMetrics,
        // /livez asks the API server's /livez: an API server outage would restart a healthy exporter.
        livenessProbe: httpProbe("http-metrics", "/healthz", {
          initialDelaySeconds: 5,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("telemetry", "/readyz", { initialDelaySeconds: 5 }),
      },
      controller: { kind: "Deployment", replicas: 1 },
      services: [{}],
      wiring: config.wiring,
    },
    opts,
  );
}

/**
 * node-exporter on every node, in the node namespace with exactly its allowlisted host access:
 * host network and PID namespace, /proc, /sys and / read-only. It still runs as nobody.
 * Host-network pods are beyond NetworkPolicy's reach (its policy states the intent anyway), so
 * with `metrics.nodeExporter.authProxy` it listens on the node's loopback and kube-rbac-proxy
 * answers on the node's address, to authorised callers only.
 */
export function deployNodeExporter(
  name: string,
  config: MetricsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  const proxied = config.metrics.nodeExporter.authProxy;
  const port = NODE_EXPORTER.ports.metrics.port;
  deployWorkload(
    name,
    {
      spec: NODE_EXPORTER,
      component: "metrics",
      image: config.images.nodeExporter,
      namespace: config.namespaces.node,
      settings: config,
      placement: "nodeExporter",
      ...(proxied ? { serviceAccount: { clusterRules: NODE_EXPORTER_PROXY_RULES } } : {}),
      container: {
        name: "node-exporter",
        args: [
          "--path.procfs=/host/proc",
          "--path.sysfs=/host/sys",
          "--path.rootfs=/host/root",
          `--web.listen-address=${proxied ? NODE_EXPORTER_LOOPBACK : `:${port}`}`,
          "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
        ],
        resources: config.resources.nodeExporter,
        livenessProbe: proxied
          ? loopbackProbe({ failureThreshold: LIVENESS_FAILURES })
          : httpProbe("metrics", "/", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: proxied
          ? loopbackProbe({ initialDelaySeconds: 2 })
          : httpProbe("metrics", "/", { initialDelaySeconds: 2 }),
      },
      ...(proxied
        ? {
            containerPortNames: [],
            sidecars: [nodeExporterProxyContainer(config)],
            volumes: NODE_EXPORTER_PROXY_VOLUMES,
          }
        : {}),
      pod: {
        hostAccess: "node-exporter",
        tolerations: [{ operator: "Exists" }],
        ...(proxied ? { mountServiceAccountToken: false } : {}),
      },
      controller: { kind: "DaemonSet" },
      services: [{ headless: true }],
      wiring: config.wiring,
    },
    opts,
  );
}
