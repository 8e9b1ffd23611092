import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { deployClusterRole, serviceAccountArgs } from "../common/rbac";
import { serviceArgs } from "../common/service";
import { containerPorts, servicePorts } from "../common/workloadSpec";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { hardenedPodSpec, podTemplate } from "../common/podSpec";
import { podPlatform } from "../common/placement";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { KUBE_STATE_METRICS, NODE_EXPORTER } from "./names";
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
  const namespace = config.namespaces.observability;
  const id = { name: KUBE_STATE_METRICS.name, component: "metrics", image: config.images.kubeStateMetrics };

  new k8s.core.v1.ServiceAccount(`${name}-kube-state-metrics`, serviceAccountArgs(id, namespace), opts);
  deployClusterRole(`${name}-kube-state-metrics`, id, namespace, ksmRbacRules(), opts);

  const spec = hardenedPodSpec({
    platform: podPlatform(config, "kubeStateMetrics"),
    serviceAccountName: KUBE_STATE_METRICS.name,
    containers: [
      {
        name: "kube-state-metrics",
        image: config.images.kubeStateMetrics,
        args: [
          `--port=${KUBE_STATE_METRICS.ports["http-metrics"].port}`,
          `--telemetry-port=${KUBE_STATE_METRICS.ports.telemetry.port}`,
          `--resources=${KSM_RESOURCES.map((r) => r.flag).join(",")}`,
          // The pods' `app` label, so restarts and phases can be joined to the service they belong to.
          "--metric-labels-allowlist=pods=[app,app.kubernetes.io/name]",
        ],
        ports: containerPorts(KUBE_STATE_METRICS),
        resources: config.resources.kubeStateMetrics,
        livenessProbe: httpProbe("http-metrics", "/livez", { initialDelaySeconds: 5 }),
        readinessProbe: httpProbe("telemetry", "/readyz", { initialDelaySeconds: 5 }),
      },
    ],
  });
  new k8s.apps.v1.Deployment(
    `${name}-kube-state-metrics`,
    {
      metadata: objectMeta(id, namespace),
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(id) },
        template: podTemplate(id, spec),
      },
    },
    opts,
  );
  new k8s.core.v1.Service(
    `${name}-kube-state-metrics`,
    serviceArgs({
      id,
      namespace,
      ports: servicePorts(KUBE_STATE_METRICS),
    }),
    opts,
  );
  deployWorkloadPolicy(`${name}-kube-state-metrics`, config.wiring, namespace, id, opts);
}

/**
 * node-exporter on every node, in the node namespace with exactly its allowlisted host access:
 * host network and PID namespace, /proc, /sys and / read-only. It still runs as nobody.
 */
export function deployNodeExporter(
  name: string,
  config: MetricsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  const namespace = config.namespaces.node;
  const id = { name: NODE_EXPORTER.name, component: "metrics", image: config.images.nodeExporter };

  const spec = hardenedPodSpec({
    platform: podPlatform(config, "nodeExporter"),
    hostAccess: "node-exporter",
    tolerations: [{ operator: "Exists" }],
    containers: [
      {
        name: "node-exporter",
        image: config.images.nodeExporter,
        args: [
          "--path.procfs=/host/proc",
          "--path.sysfs=/host/sys",
          "--path.rootfs=/host/root",
          `--web.listen-address=:${NODE_EXPORTER.ports["http-metrics"].port}`,
          "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
        ],
        ports: containerPorts(NODE_EXPORTER),
        resources: config.resources.nodeExporter,
        livenessProbe: httpProbe("http-metrics", "/", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http-metrics", "/", { initialDelaySeconds: 2 }),
      },
    ],
  });
  new k8s.apps.v1.DaemonSet(
    `${name}-node-exporter`,
    {
      metadata: objectMeta(id, namespace),
      spec: {
        selector: { matchLabels: selectorLabels(id) },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: podTemplate(id, spec),
      },
    },
    opts,
  );
  new k8s.core.v1.Service(
    `${name}-node-exporter`,
    serviceArgs({
      id,
      namespace,
      headless: true,
      ports: servicePorts(NODE_EXPORTER),
    }),
    opts,
  );
  // Host-network pods are mostly outside NetworkPolicy's reach; this states the intent anyway.
  deployWorkloadPolicy(`${name}-node-exporter`, config.wiring, namespace, id, opts);
}
