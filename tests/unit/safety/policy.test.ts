// The policy pack's rules, applied offline to what each stack registers, and to hand-made
// violations. The pack itself (policy/index.ts) is not imported: it would start its server.
import * as fs from "fs";
import * as path from "path";
import { POLICIES, PolicyInput } from "../../../policy/rules";
import { KubeObject } from "../../../render/manifest";
import { exampleDeployment } from "../../support/fixtures";
import { rendered } from "../../support/renderedStacks";
import { StackName } from "../../kit/stacks";
import { objectNamed } from "../../kit/rendered";
import { Json } from "../../kit/json";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { configSetPath } from "../../kit/userEdits";

async function inputs(stack: StackName): Promise<PolicyInput[]> {
  const { registrations } = await rendered(stack);
  return registrations.map((r) => ({ type: r.type, props: r.inputs, protect: r.protect }));
}

const resource = (object: KubeObject, protect = false): PolicyInput => ({
  type: `kubernetes:${object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`}:${object.kind}`,
  props: object as unknown as Record<string, unknown>,
  protect,
});

const policy = (name: string) => {
  const found = POLICIES.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no policy ${name}`);
  return found;
};

const prodNamespace = resource({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name: "observability",
    labels: { "observability.io/profile": "eks", "pod-security.kubernetes.io/enforce": "restricted" },
  },
});

test.each<StackName>(["kind", "prod"])("the %s stack passes every policy", async (stack) => {
  const resources = await inputs(stack);
  expect(POLICIES.map((p) => [p.name, p.check(resources)])).toEqual(POLICIES.map((p) => [p.name, []]));
});

test("there are fifteen policies, each described", () => {
  expect(POLICIES.map((p) => p.name)).toEqual([
    "pinned-images",
    "requests-and-limits",
    "bounded-scratch",
    "recoverable-probes",
    "headless-governing-services",
    "hardened-containers",
    "host-access-allowlisted",
    "rollouts-awaited",
    "no-exposed-services-in-prod",
    "authenticated-metrics-uis-in-prod",
    "closed-ingress-edges-in-prod",
    "one-prometheus-view",
    "no-secret-literals",
    "data-volumes-protected-in-prod",
    "grafana-no-default-password",
  ]);
  for (const p of POLICIES) expect(p.description.length).toBeGreaterThan(20);
});

describe("hand-made violations fail with a clear message", () => {
  const deployment = (mutate: (spec: Json) => void) => {
    const object = exampleDeployment() as KubeObject & Json;
    mutate(object.spec.template.spec);
    return [prodNamespace, resource(object)];
  };

  test.each<[string, (spec: Json) => void, RegExp]>([
    [
      "pinned-images",
      (s) => (s.containers[0].image = "grafana/grafana:latest"),
      /image grafana\/grafana:latest is not pinned/,
    ],
    ["requests-and-limits", (s) => delete s.containers[0].resources.limits, /no cpu limit/],
    [
      "requests-and-limits",
      (s) => delete s.containers[0].resources.requests["ephemeral-storage"],
      /no ephemeral-storage request/,
    ],
    [
      "bounded-scratch",
      (s) => delete s.volumes[0].emptyDir.sizeLimit,
      /emptyDir server-tmp has no sizeLimit/,
    ],
    [
      "recoverable-probes",
      (s) => (s.containers[0].livenessProbe = { ...s.containers[0].readinessProbe }),
      /its livenessProbe is its readinessProbe .* without a larger failure budget/,
    ],
    [
      "recoverable-probes",
      (s) => s.containers[0].volumeMounts.push({ name: "data", mountPath: "/data" }),
      /container server starts from persistent volume data but has no startupProbe/,
    ],
    [
      "hardened-containers",
      (s) => (s.containers[0].securityContext.readOnlyRootFilesystem = false),
      /readOnlyRootFilesystem/,
    ],
    [
      "hardened-containers",
      (s) => (s.containers[0].securityContext.allowPrivilegeEscalation = true),
      /allowPrivilegeEscalation/,
    ],
    ["host-access-allowlisted", (s) => (s.hostNetwork = true), /hostNetwork without an allowlist grant/],
    [
      "no-secret-literals",
      (s) => s.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter2" }),
      /container server sets DB_PASSWORD as a literal/,
    ],
  ])("%s", (name, mutate, expected) => {
    const violations = policy(name).check(
      deployment((s) => {
        s.containers[0].env = s.containers[0].env ?? [];
        mutate(s);
      }),
    );
    expect(violations).toContainEqual(expect.stringMatching(expected));
  });

  test("no-exposed-services-in-prod: a NodePort in prod, but not on kind", async () => {
    const service = resource({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "prometheus", namespace: "observability" },
      spec: { type: "NodePort" },
    });
    expect(policy("no-exposed-services-in-prod").check([prodNamespace, service])).toEqual([
      "Service/observability/prometheus is of type NodePort in production; expose Grafana through the Ingress only",
    ]);
    expect(policy("no-exposed-services-in-prod").check(await inputs("kind"))).toEqual([]);
  });

  test("no-secret-literals: credential-shaped values in a ConfigMap", () => {
    const configMap = resource({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "alertmanager-config", namespace: "observability" },
      data: {
        "alertmanager.yml": "slack_configs:\n  - api_url: https://hooks.slack.com/services/T000/B000/xyz\n",
      },
    });
    expect(policy("no-secret-literals").check([configMap])).toEqual([
      "ConfigMap/observability/alertmanager-config key alertmanager.yml holds a Slack webhook; put it in a Secret",
    ]);
  });

  test("rollouts-awaited: the render before pulumi.com/waitFor, a wait for fewer replicas than the spec's, a skipped wait", async () => {
    const { objects } = await rendered("kind");
    const withAnnotations = (edit: (o: KubeObject) => Record<string, string>) =>
      objects.map((o) =>
        o.kind === "Deployment" || o.kind === "StatefulSet"
          ? resource({ ...o, metadata: { ...o.metadata, annotations: edit(o) } })
          : resource(o),
      );
    const without = ({ metadata: { annotations = {} } }: KubeObject) =>
      Object.fromEntries(Object.entries(annotations).filter(([key]) => key !== "pulumi.com/waitFor"));
    const before = policy("rollouts-awaited").check(withAnnotations(without));
    expect(before).toHaveLength(
      objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet").length,
    );
    expect(before).toContainEqual(
      'StatefulSet/observability/grafana: pulumi up can call its rollout done on the status of the generation before; set pulumi.com/waitFor to ["jsonpath={.status.replicas}=1","jsonpath={.status.updatedReplicas}=1","jsonpath={.status.readyReplicas}=1"]',
    );
    const scaled = objects.map((o) =>
      o.kind === "Deployment" && o.metadata.name === "kube-state-metrics"
        ? resource({ ...o, spec: { ...(o.spec as Json), replicas: 2 } })
        : resource(o),
    );
    expect(policy("rollouts-awaited").check(scaled)).toEqual([
      'Deployment/observability/kube-state-metrics: pulumi up can call its rollout done on the status of the generation before; set pulumi.com/waitFor to ["jsonpath={.status.replicas}=2","jsonpath={.status.updatedReplicas}=2","jsonpath={.status.availableReplicas}=2"]',
    ]);
    const skipped = policy("rollouts-awaited").check(
      withAnnotations((o) => ({ ...without(o), "pulumi.com/skipAwait": "true" })),
    );
    expect(skipped).toContainEqual(
      "Deployment/observability/loki-canary: pulumi.com/skipAwait lets pulumi up end before its pods run",
    );
  });

  test("headless-governing-services: a StatefulSet governed by a ClusterIP Service, or by none", async () => {
    const { objects } = await rendered("prod");
    const clusterIp = objects.map((o) =>
      o.kind === "Service" && o.metadata.name === "loki"
        ? { ...o, spec: { ...(o.spec as Json), clusterIP: undefined, type: "ClusterIP" } }
        : o,
    );
    expect(policy("headless-governing-services").check(clusterIp.map((o) => resource(o)))).toEqual([
      "StatefulSet/observability/loki: its governing Service loki is not headless (clusterIP: None)",
    ]);
    const missing = objects.filter((o) => !(o.kind === "Service" && o.metadata.name === "tempo"));
    expect(policy("headless-governing-services").check(missing.map((o) => resource(o)))).toEqual([
      "StatefulSet/observability/tempo: its serviceName tempo names no Service of the stack",
    ]);
  });

  test("data-volumes-protected-in-prod: an unprotected StatefulSet with volumes", async () => {
    const prod = await inputs("prod");
    const unprotected = prod.map((r) =>
      (r.props as Json).metadata?.name === "loki" && r.type.endsWith(":StatefulSet")
        ? { ...r, protect: false }
        : r,
    );
    expect(policy("data-volumes-protected-in-prod").check(unprotected)).toEqual([
      "StatefulSet/loki holds persistent volumes but is not protected; a destroy would delete history",
    ]);
    // The store gateways' claims are a cache, deleted with them; kept instead, they need protection.
    const kept = prod.map((r) =>
      (r.props as Json).metadata?.name === "thanos-store" && r.type.endsWith(":StatefulSet")
        ? {
            ...r,
            props: {
              ...r.props,
              spec: {
                ...(r.props as Json).spec,
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
              },
            },
          }
        : r,
    );
    expect(policy("data-volumes-protected-in-prod").check(kept)).toEqual([
      "StatefulSet/thanos-store holds persistent volumes but is not protected; a destroy would delete history",
    ]);
  });

  test("data-volumes-protected-in-prod: Alloy's read positions need no protection; a StatefulSet that does not say what its volumes keep does", async () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const apiMode = await renderWithConfig(
      "prod",
      configSetPath(config, "logs.collectionMode", "api"),
      secretKeys,
    );
    const resources = apiMode.registrations.map((r) => ({
      type: r.type,
      props: r.inputs,
      protect: r.protect,
    }));
    const alloy = resources.find(
      (r) => r.type.endsWith(":StatefulSet") && (r.props as Json).metadata?.name === "alloy",
    );
    expect(alloy?.protect).toBe(false);
    expect(policy("data-volumes-protected-in-prod").check(resources)).toEqual([]);
    const unsaid = resources.map((r) =>
      r === alloy
        ? { ...r, props: { ...r.props, metadata: { name: "alloy", namespace: "observability" } } }
        : r,
    );
    expect(policy("data-volumes-protected-in-prod").check(unsaid)).toEqual([
      "StatefulSet/alloy holds persistent volumes but is not protected; a destroy would delete history",
    ]);
  });

  test("grafana-no-default-password: a literal password, or none from a file", async () => {
    const { objects } = await rendered("kind");
    const grafana = structuredClone(objectNamed(objects, "StatefulSet", "grafana")) as KubeObject & Json;
    const env = grafana.spec.template.spec.containers[0].env as Json[];
    grafana.spec.template.spec.containers[0].env = [
      ...env.filter((e) => e.name !== "GF_SECURITY_ADMIN_PASSWORD__FILE"),
      { name: "GF_SECURITY_ADMIN_PASSWORD", value: "admin" },
    ];
    expect(policy("grafana-no-default-password").check([resource(grafana)])).toEqual([
      "StatefulSet/observability/grafana: GF_SECURITY_ADMIN_PASSWORD is set directly; use GF_SECURITY_ADMIN_PASSWORD__FILE",
      "StatefulSet/observability/grafana: the admin password is not read from a Secret file, so Grafana falls back to admin/admin",
    ]);
  });
});

test("the pack carries the release's version, which the engine reports with every policy result", () => {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as Json;
  expect(read("policy/package.json").version).toBe(read("package.json").version);
});
