// The demo as the kind stack renders it: in its own restricted namespace, hardened, wired by the
// graph, and watched like any app; absent from prod and from kind with demo.enabled false.
import * as yaml from "js-yaml";
import { networkPolicyProblems } from "../../../checks/networkPolicyCoverage";
import { podSecurityProblems } from "../../../checks/podSecurity";
import { renderedPods } from "../../../checks/podSpecs";
import { demoProgram } from "../../../components/demo/demoProgram";
import { DEMO_NAMESPACE, DEMO_PROGRAM_CONFIGMAP, DEMO_SERVICES } from "../../../components/demo/names";
import { PROFILE_DEFAULTS } from "../../../config";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { configMapData } from "../../kit/rendered";
import { Json } from "../../kit/json";

const inDemo = (objects: readonly KubeObject[]) =>
  objects.filter((o) => o.metadata.namespace === DEMO_NAMESPACE || o.metadata.name === DEMO_NAMESPACE);

async function kindWithoutDemo() {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  return renderWithConfig(
    "kind-no-demo",
    { ...config, "observability:demo": JSON.stringify({ enabled: false }) },
    secretKeys,
  );
}

describe("kind, with the demo Pulumi.kind.yaml turns on", () => {
  test("its namespace enforces Pod Security restricted and holds three Deployments, Services and policies, and the program", async () => {
    const { objects } = await rendered("kind");
    const namespace = objects.find((o) => o.kind === "Namespace" && o.metadata.name === DEMO_NAMESPACE);
    expect(namespace?.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    const names = (kind: string) =>
      inDemo(objects)
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    const services = DEMO_SERVICES.map((s) => s.name).sort();
    expect(names("Deployment")).toEqual(services);
    expect(names("Service")).toEqual(services);
    expect(names("NetworkPolicy")).toEqual(["allow-dns-egress", "default-deny", ...services].sort());
    expect(configMapData(objects, DEMO_PROGRAM_CONFIGMAP)["demo.js"]).toBe(demoProgram());
  });

  test("every demo pod is hardened, pinned, small, and isolated both ways by the graph's policies", async () => {
    const { objects } = await rendered("kind");
    const pods = renderedPods(objects).filter((p) => p.namespace === DEMO_NAMESPACE);
    expect(pods).toHaveLength(DEMO_SERVICES.length);
    expect(pods.flatMap((pod) => podSecurityProblems(pod, { nodeNamespace: "observability-node" }))).toEqual(
      [],
    );
    expect(networkPolicyProblems(pods, objects)).toEqual([]);
    for (const pod of pods) {
      const [container] = pod.spec.containers;
      expect(container.image).toBe(PROFILE_DEFAULTS.kind.demo?.image);
      expect(container.image).toMatch(/^docker\.io\/library\/node:\d+\.\d+\.\d+-alpine\d+\.\d+$/);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.resources?.requests).toEqual({
        cpu: "10m",
        memory: "48Mi",
        "ephemeral-storage": "32Mi",
      });
      expect(pod.spec.automountServiceAccountToken).toBe(false);
    }
  });

  test("each service's policy opens only its spans' receiver, its caller, its callee and Prometheus", async () => {
    const { objects } = await rendered("kind");
    const policy = (name: string) =>
      inDemo(objects).find((o) => o.kind === "NetworkPolicy" && o.metadata.name === name) as unknown as Json;
    const ports = (rules: Json[]) => rules.map((r) => (r.ports as Json[]).map((p) => p.port));
    const payments = policy("demo-payments").spec;
    // Zipkin only: payments reports as the reference's Spring services do.
    expect(ports(payments.egress)).toEqual([[9411]]);
    expect(
      payments.ingress
        .flatMap((r: Json) => r.from.map((f: Json) => f.podSelector.matchLabels["app.kubernetes.io/name"]))
        .sort(),
    ).toEqual(["demo-checkout", "prometheus"]);
    const frontend = policy("demo-frontend").spec;
    expect(ports(frontend.egress).sort()).toEqual([[4318], [8080]]);
    expect(
      frontend.ingress.flatMap((r: Json) =>
        r.from.map((f: Json) => f.podSelector.matchLabels["app.kubernetes.io/name"]),
      ),
    ).toEqual(["prometheus"]);
  });

  test("the demo is an app: its tracing ConfigMap feeds the pods, the app scrape job keeps its Services, Alloy reads its namespace", async () => {
    const { objects } = await rendered("kind");
    const deployment = inDemo(objects).find(
      (o) => o.kind === "Deployment" && o.metadata.name === "demo-checkout",
    ) as unknown as Json;
    const env = deployment.spec.template.spec.containers[0].env as Json[];
    const value = (name: string) => env.find((e) => e.name === name);
    expect(value("OTEL_EXPORTER_OTLP_ENDPOINT")?.valueFrom.configMapKeyRef.name).toBe(
      "observability-tracing",
    );
    expect(value("DEMO_DOWNSTREAM")?.value).toBe(
      `POST http://demo-payments.${DEMO_NAMESPACE}.svc:8080/api/payments`,
    );
    expect(value("DEMO_DOWNSTREAM_B3")?.value).toBe("true");
    const tracing = inDemo(objects).find(
      (o) => o.kind === "ConfigMap" && o.metadata.name === "observability-tracing",
    );
    expect(tracing).toBeDefined();

    const prometheus = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json;
    const appJobs = (prometheus.scrape_configs as Json[]).filter((job) =>
      ((job.relabel_configs as Json[] | undefined) ?? []).some((r) => r.replacement === "app"),
    );
    const keep = appJobs.flatMap((job) => (job.relabel_configs as Json[]).filter((r) => r.action === "keep"));
    for (const service of DEMO_SERVICES) {
      expect(
        keep.some((r) => new RegExp(`^${r.regex}$`).test(`${DEMO_NAMESPACE};${service.name};8080`)),
      ).toBe(true);
    }
    expect(configMapData(objects, "alloy-config")["config.alloy"]).toContain(`"${DEMO_NAMESPACE}"`);
  });
});

test("prod has no trace of the demo", async () => {
  const { objects } = await rendered("prod");
  expect(stackConfig("prod").demo.enabled).toBe(false);
  expect(inDemo(objects)).toEqual([]);
  expect(JSON.stringify(objects)).not.toContain(DEMO_NAMESPACE);
});

test("kind with demo.enabled false has no trace of it either, and its outputs say so", async () => {
  const { objects, outputs } = await kindWithoutDemo();
  expect(inDemo(objects)).toEqual([]);
  expect(JSON.stringify(objects)).not.toContain(DEMO_NAMESPACE);
  expect(objects.some((o) => o.metadata.name === DEMO_PROGRAM_CONFIGMAP)).toBe(false);
  expect(outputs.firstLook).not.toContain("demo");
});
