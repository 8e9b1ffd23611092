import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployNamespacedRoles } from "../common/rbac";
import { unexposedNodePorts } from "../common/unexposedNodePorts";
import { Workload, deployWorkload } from "../common/workload";
import { toYaml } from "../common/yaml";
import { kialiConfig, kialiNamespaces } from "./kialiConfig";
import { KIALI, KIALI_HEALTH_PATH, KIALI_PATHS } from "./names";
import { KialiBackends, KialiSettings } from "./settings";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

const READ = ["get", "list", "watch"];

/**
 * The namespaced rules of Kiali's viewer role (kiali/helm-charts kiali-server 2.29.0,
 * templates/role-viewer.yaml, the role of `view_only_mode`), without what a Role cannot grant
 * (cluster-scoped gatewayclasses and mutatingwebhookconfigurations), what only OpenShift has, the
 * token reviews of its token login (this Kiali is anonymous), and port-forward, granted apart.
 */
export const KIALI_VIEWER_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["configmaps", "pods/log"], verbs: READ },
  { apiGroups: [""], resources: ["namespaces", "pods", "replicationcontrollers", "services"], verbs: READ },
  {
    apiGroups: ["apps"],
    resources: ["daemonsets", "deployments", "replicasets", "statefulsets"],
    verbs: READ,
  },
  { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: READ },
  {
    apiGroups: [
      "networking.istio.io",
      "security.istio.io",
      "extensions.istio.io",
      "telemetry.istio.io",
      "inference.networking.k8s.io",
    ],
    resources: ["*"],
    verbs: READ,
  },
  {
    apiGroups: ["gateway.networking.k8s.io"],
    resources: ["gateways", "grpcroutes", "httproutes", "referencegrants", "tcproutes", "tlsroutes"],
    verbs: READ,
  },
];

/**
 * Kiali's one write of its viewer role: the port-forward through which it reads istiod's debug
 * endpoints (proxy status, registry) and each sidecar's Envoy config. Only where those run: not in
 * the stack's own namespace, whose pods it would otherwise reach past their NetworkPolicies.
 */
const PORT_FORWARD: PolicyRule[] = [{ apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] }];

/**
 * Kiali (one replica: it keeps no state), read-only on the namespaces it shows, from its config file
 * in a ConfigMap (a change rolls the pod), its UI on a NodePort on kind.
 */
export function deployKiali(
  name: string,
  settings: KialiSettings,
  backends: KialiBackends,
  opts: pulumi.CustomResourceOptions,
): Workload {
  const namespace = settings.namespaces.observability;
  const id = { name: KIALI.name, component: "mesh", image: settings.images.kiali };
  const config = toYaml(kialiConfig(settings, backends));
  const workload = deployWorkload(
    name,
    {
      spec: KIALI,
      component: id.component,
      image: id.image,
      namespace,
      settings,
      placement: "kiali",
      serviceAccount: {
        namespacedAccess: { namespaces: kialiNamespaces(settings), rules: KIALI_VIEWER_RULES },
      },
      configMaps: [{ name: "kiali-config", volume: "config", data: { "config.yaml": config } }],
      container: {
        name: KIALI.name,
        command: ["/opt/kiali/kiali", "-config", KIALI_PATHS.configFile],
        env: [{ name: "ACTIVE_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
        resources: settings.resources.kiali,
        volumeMounts: [{ name: "config", mountPath: KIALI_PATHS.config, readOnly: true }],
        livenessProbe: httpProbe("http", KIALI_HEALTH_PATH, { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", KIALI_HEALTH_PATH, { initialDelaySeconds: 5 }),
      },
      pod: { mountServiceAccountToken: true },
      rolledBy: { config },
      controller: { kind: "Deployment", replicas: 1 },
      services: [
        settings.exposure.mode === "nodePort"
          ? {
              nodePorts: {
                http: settings.exposure.nodePorts.kiali,
                "http-metrics": unexposedNodePorts(settings.exposure).kialiMetrics,
              },
            }
          : {},
      ],
      wiring: settings.wiring,
    },
    opts,
  );
  const istio = settings.mesh.istio;
  deployNamespacedRoles(
    `${name}-${KIALI.name}`,
    id,
    namespace,
    {
      namespaces: [...new Set([istio.istiodNamespace, ...istio.namespaces])],
      rules: PORT_FORWARD,
      purpose: "port-forward",
    },
    opts,
  );
  return workload;
}
