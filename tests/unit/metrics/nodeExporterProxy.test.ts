// node-exporter behind kube-rbac-proxy (metrics.nodeExporter.authProxy): what each stack renders
// with it on (the default) and off.
import { parseStackConfig } from "../../../config/load";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { objectNamed, prometheusYml } from "../../kit/rendered";
import { Json } from "../../kit/json";
import { StackName } from "../../kit/stacks";

const podSpec = (objects: readonly KubeObject[]): Json =>
  objectNamed(objects, "DaemonSet", "node-exporter").spec.template.spec;
const containerOf = (objects: readonly KubeObject[], name: string): Json =>
  podSpec(objects).containers.find((c: Json) => c.name === name);
const nodeExporterJob = (objects: readonly KubeObject[]): Json =>
  prometheusYml(objects).scrape_configs.find((j: Json) => j.job_name === "node-exporter");

describe.each<StackName>(["kind", "prod"])("%s", (stack) => {
  test("node-exporter listens on the loopback only; kube-rbac-proxy answers on the node's address, over TLS, for /metrics", async () => {
    const { objects } = await rendered(stack);
    const exporter = containerOf(objects, "node-exporter");
    expect(exporter.args).toContain("--web.listen-address=127.0.0.1:9100");
    expect(exporter.ports).toEqual([]);
    expect(exporter.livenessProbe.exec.command).toEqual([
      "wget",
      "-q",
      "-O",
      "/dev/null",
      "http://127.0.0.1:9100/",
    ]);
    const proxy = containerOf(objects, "kube-rbac-proxy");
    expect(proxy.image).toBe("quay.io/brancz/kube-rbac-proxy:v0.19.1");
    expect(proxy.args).toEqual([
      "--secure-listen-address=[$(POD_IP)]:9100",
      "--upstream=http://127.0.0.1:9100/",
      "--allow-paths=/metrics",
      "--tls-min-version=VersionTLS13",
    ]);
    expect(proxy.env).toContainEqual({
      name: "POD_IP",
      valueFrom: { fieldRef: { fieldPath: "status.podIP" } },
    });
    expect(proxy.ports).toEqual([{ name: "metrics", containerPort: 9100, protocol: "TCP" }]);
    expect(proxy.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(proxy.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  });

  test("only the proxy holds an API token, and may only ask who a caller is and what it may do", async () => {
    const { objects } = await rendered(stack);
    const spec = podSpec(objects);
    expect(spec).toMatchObject({ serviceAccountName: "node-exporter", automountServiceAccountToken: false });
    const tokenVolume = spec.volumes.find((v: Json) => v.projected !== undefined);
    const mountsOf = (name: string) =>
      containerOf(objects, name).volumeMounts.filter((m: Json) => m.name === tokenVolume.name);
    expect(mountsOf("kube-rbac-proxy")).toEqual([
      { name: tokenVolume.name, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
    ]);
    expect(mountsOf("node-exporter")).toEqual([]);
    expect(objectNamed(objects, "ClusterRole", "observability-node-node-exporter").rules).toEqual([
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ]);
    expect(objectNamed(objects, "ClusterRole", "observability-prometheus").rules).toContainEqual({
      nonResourceURLs: ["/metrics"],
      verbs: ["get"],
    });
  });

  test("Prometheus scrapes it over HTTPS with its ServiceAccount's token", async () => {
    const { objects } = await rendered(stack);
    expect(nodeExporterJob(objects)).toMatchObject({
      scheme: "https",
      authorization: { credentials_file: "/var/run/secrets/kubernetes.io/serviceaccount/token" },
      tls_config: { insecure_skip_verify: true },
    });
  });

  test("authProxy false: node-exporter alone, plain HTTP on every address, no ServiceAccount", async () => {
    const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    const metrics = JSON.parse(config["observability:metrics"] ?? "{}") as Json;
    const { objects } = await renderWithConfig(
      `${stack}-plain-node-exporter`,
      {
        ...config,
        "observability:metrics": JSON.stringify({ ...metrics, nodeExporter: { authProxy: false } }),
      },
      secretKeys,
    );
    expect(podSpec(objects).containers.map((c: Json) => c.name)).toEqual(["node-exporter"]);
    expect(containerOf(objects, "node-exporter").args).toContain("--web.listen-address=:9100");
    expect(containerOf(objects, "node-exporter").livenessProbe.httpGet).toEqual({
      path: "/",
      port: "metrics",
    });
    expect(
      objects
        .filter((o) => o.metadata.name === "node-exporter")
        .map((o) => o.kind)
        .sort(),
    ).toEqual(["DaemonSet", "NetworkPolicy", "Service"]);
    const job = nodeExporterJob(objects);
    expect([job.scheme, job.authorization, job.tls_config]).toEqual([undefined, undefined, undefined]);
  });
});

test("authProxy must be a boolean: the error names the key and the values it takes", () => {
  expect(() => parseStackConfig({ metrics: { nodeExporter: { authProxy: "yes" } } }, new Set())).toThrow(
    "observability:metrics.nodeExporter.authProxy must be true or false",
  );
});
