// The policies of the pack as plain functions over the stack's resources, so that they are tested
// offline against the rendered stacks (tests/unit/safety/policy.test.ts) without the pack's server.
import { PodProblemCategory, categorizedPodProblems } from "../checks/podSecurity";
import { governingServiceProblems } from "../checks/governingServices";
import { roundRobinDatasourceProblems, unauthenticatedUiProblems } from "../checks/exposedBackends";
import { ingressEdgeProblems } from "../checks/ingressEdges";
import { renderedPods } from "../checks/podSpecs";
import { rolloutWaitProblems } from "../checks/rolloutWaits";
import { PROFILE_LABEL } from "../components/common/namespace";
import { VOLUMES_HOLD_ANNOTATION } from "../components/common/statefulSet";
import type { KubeObject } from "../render/manifest";

/** A resource as a policy sees it: its type, its properties and whether it is protected. */
export interface PolicyInput {
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly protect: boolean;
}

interface StackPolicy {
  readonly name: string;
  readonly description: string;
  readonly check: (resources: readonly PolicyInput[]) => string[];
}

const isKubernetesObject = (r: PolicyInput) =>
  r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:");
const kubeObjects = (resources: readonly PolicyInput[]) =>
  resources.filter(isKubernetesObject).map((r) => r.props as unknown as KubeObject);

/** The profile the stack's namespaces are labelled with; unknown counts as production. */
function profileOf(resources: readonly PolicyInput[]): string {
  const namespace = kubeObjects(resources).find(
    (o) => o.kind === "Namespace" && o.metadata.labels?.[PROFILE_LABEL] !== undefined,
  );
  return namespace?.metadata.labels?.[PROFILE_LABEL] ?? "eks";
}

function nodeNamespace(resources: readonly PolicyInput[]): string {
  const namespace = kubeObjects(resources).find(
    (o) =>
      o.kind === "Namespace" && o.metadata.labels?.["pod-security.kubernetes.io/enforce"] === "privileged",
  );
  return namespace?.metadata.name ?? "";
}

function podPolicy(name: string, description: string, category: PodProblemCategory): StackPolicy {
  return {
    name,
    description,
    check: (resources) => {
      const nodeNs = nodeNamespace(resources);
      return renderedPods(kubeObjects(resources))
        .flatMap((pod) => categorizedPodProblems(pod, { nodeNamespace: nodeNs }))
        .filter((p) => p.category === category)
        .map((p) => p.message);
    },
  };
}

/** Names that say a value is a credential, unless the value is a path to one (`*_FILE`). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
/** Values shaped like credentials, wherever they appear. */
const SECRET_VALUES: readonly [string, RegExp][] = [
  ["an AWS access key", /\bAKIA[0-9A-Z]{16}\b/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a Slack webhook", /hooks\.slack\.com\/services\/[A-Za-z0-9/]+/],
  ["a Slack token", /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ["a URL with a password", /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i],
];

function secretLiterals(resources: readonly PolicyInput[]): string[] {
  const objects = kubeObjects(resources);
  const inConfigMaps = objects
    .filter((o) => o.kind === "ConfigMap")
    .flatMap((o) =>
      Object.entries((o.data as Record<string, string> | undefined) ?? {}).flatMap(([key, value]) =>
        SECRET_VALUES.filter(([, pattern]) => pattern.test(value)).map(
          ([what]) =>
            `ConfigMap/${o.metadata.namespace ?? ""}/${o.metadata.name} key ${key} holds ${what}; put it in a Secret`,
        ),
      ),
    );
  const inEnv = renderedPods(objects).flatMap((pod) =>
    [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) =>
      (c.env ?? [])
        .filter((e) => e.value !== undefined && e.value !== "")
        .filter(
          (e) =>
            (SECRET_NAME.test(e.name) && !/_FILE$/.test(e.name)) ||
            SECRET_VALUES.some(([, pattern]) => pattern.test(e.value ?? "")),
        )
        .map((e) => `${pod.owner}: container ${c.name} sets ${e.name} as a literal; read it from a Secret`),
    ),
  );
  return [...inConfigMaps, ...inEnv];
}

export const POLICIES: readonly StackPolicy[] = [
  podPolicy("pinned-images", "Every image is pinned to a tag other than latest, or to a digest.", "image"),
  podPolicy(
    "requests-and-limits",
    "Every container requests and limits CPU, memory and ephemeral storage.",
    "resources",
  ),
  podPolicy("bounded-scratch", "Every emptyDir has a sizeLimit.", "scratch"),
  podPolicy(
    "recoverable-probes",
    "Liveness is not readiness (another endpoint or a larger failure budget); a container starting from a persistent volume has a startup probe.",
    "probes",
  ),
  {
    name: "headless-governing-services",
    description: "Every StatefulSet's serviceName names a headless Service that selects its pods.",
    check: (resources) => governingServiceProblems(kubeObjects(resources)),
  },
  podPolicy(
    "hardened-containers",
    "Non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root filesystem.",
    "hardening",
  ),
  podPolicy(
    "host-access-allowlisted",
    "Host network, PID, ports and paths only as allowlisted, and only in the node namespace.",
    "host-access",
  ),
  {
    name: "rollouts-awaited",
    description:
      "Every Deployment and StatefulSet tells the Kubernetes provider to wait until all its pods run the new template and are ready (pulumi.com/waitFor), so that pulumi up fails when they never do.",
    check: (resources) => rolloutWaitProblems(kubeObjects(resources)),
  },
  {
    name: "no-exposed-services-in-prod",
    description:
      "In production no Service is a NodePort or LoadBalancer: people reach Grafana (and, authenticated, Prometheus and Alertmanager) only through Ingresses.",
    check: (resources) =>
      profileOf(resources) === "kind"
        ? []
        : kubeObjects(resources)
            .filter((o) => o.kind === "Service")
            .filter((o) => ["NodePort", "LoadBalancer"].includes((o.spec as { type?: string }).type ?? ""))
            .map(
              (o) =>
                `Service/${o.metadata.namespace ?? ""}/${o.metadata.name} is of type ${(o.spec as { type: string }).type} in production; expose Grafana through the Ingress only`,
            ),
  },
  {
    name: "authenticated-metrics-uis-in-prod",
    description:
      "In production an Ingress to Prometheus, Alertmanager or Kiali has the ALB authenticate every request (oidc or cognito).",
    check: (resources) =>
      profileOf(resources) === "kind" ? [] : unauthenticatedUiProblems(kubeObjects(resources)),
  },
  {
    name: "closed-ingress-edges-in-prod",
    description:
      "In production an ALB Ingress negotiates TLS 1.2 and later only, and the pods behind it admit their port from the load balancer's subnets, not from any address past it.",
    check: (resources) =>
      profileOf(resources) === "kind" ? [] : ingressEdgeProblems(kubeObjects(resources)),
  },
  {
    name: "one-prometheus-view",
    description:
      "Grafana's Prometheus datasource never queries a Service that selects more than one Prometheus replica.",
    check: (resources) => roundRobinDatasourceProblems(kubeObjects(resources)),
  },
  {
    name: "no-secret-literals",
    description: "No credential-shaped values in ConfigMaps, no credentials as env literals.",
    check: secretLiterals,
  },
  {
    name: "data-volumes-protected-in-prod",
    description:
      "In production every workload whose persistent volumes keep history is protected from deletion (a StatefulSet that does not say its volumes keep only read positions is taken to keep history); a cache's volumes, deleted with their workload, are exempt.",
    check: (resources) =>
      profileOf(resources) === "kind"
        ? []
        : resources
            .filter((r) => isKubernetesObject(r) && (r.props as unknown as KubeObject).kind === "StatefulSet")
            .filter((r) => {
              const spec = r.props.spec as {
                volumeClaimTemplates?: unknown[];
                persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string };
              };
              return (
                (spec.volumeClaimTemplates ?? []).length > 0 &&
                spec.persistentVolumeClaimRetentionPolicy?.whenDeleted !== "Delete"
              );
            })
            .filter((r) => !r.protect)
            .filter(
              (r) =>
                (r.props as unknown as KubeObject).metadata.annotations?.[VOLUMES_HOLD_ANNOTATION] !==
                "positions",
            )
            .map(
              (r) =>
                `StatefulSet/${(r.props as unknown as KubeObject).metadata.name} holds persistent volumes but is not protected; a destroy would delete history`,
            ),
  },
  {
    name: "grafana-no-default-password",
    description: "Grafana's admin password comes from a Secret file, never from a literal (and never admin).",
    check: (resources) =>
      renderedPods(kubeObjects(resources))
        .filter((pod) => pod.labels["app.kubernetes.io/name"] === "grafana")
        .flatMap((pod) => {
          const env = pod.spec.containers.flatMap((c) => c.env ?? []);
          const literal = env.find((e) => e.name === "GF_SECURITY_ADMIN_PASSWORD");
          const fromFile = env.some((e) => e.name === "GF_SECURITY_ADMIN_PASSWORD__FILE");
          return [
            ...(literal === undefined
              ? []
              : [
                  `${pod.owner}: GF_SECURITY_ADMIN_PASSWORD is set directly; use GF_SECURITY_ADMIN_PASSWORD__FILE`,
                ]),
            ...(fromFile
              ? []
              : [
                  `${pod.owner}: the admin password is not read from a Secret file, so Grafana falls back to admin/admin`,
                ]),
          ];
        }),
  },
];
