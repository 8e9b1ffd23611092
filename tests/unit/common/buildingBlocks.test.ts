import { checksumAnnotations } from "../../../components/common/checksum";
import { HOST_ACCESS_ALLOWLIST } from "../../../components/common/hostAccess";
import { imageTag, selectorLabels, standardLabels } from "../../../components/common/labels";
import { namespaceArgs } from "../../../components/common/namespace";
import { defaultDenyPolicy } from "../../../components/common/networkPolicy";
import { parseStackConfig } from "../../../config/load";
import { wiringGraph } from "../../../components/wiring/graph";
import { dnsEgressPolicy } from "../../../components/common/flowPolicies";
import { NON_ROOT_UID, hardenedPodSpec, podTemplate } from "../../../components/common/podSpec";
import { httpProbe } from "../../../components/common/probes";
import { exampleContainer, examplePlatform } from "../../support/fixtures";

describe("labels", () => {
  const id = { name: "prometheus", component: "metrics", image: "quay.io/prometheus/prometheus:v3.5.0" };

  test("standard labels carry name, instance, component, part-of, managed-by and the image version", () => {
    expect(standardLabels(id)).toEqual({
      "app.kubernetes.io/name": "prometheus",
      "app.kubernetes.io/instance": "observability",
      "app.kubernetes.io/component": "metrics",
      "app.kubernetes.io/part-of": "observability",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/version": "v3.5.0",
    });
  });

  test("selectors leave out the version, so an upgrade keeps selecting the same pods", () => {
    expect(selectorLabels(id)).not.toHaveProperty("app.kubernetes.io/version");
    expect(standardLabels(id)).toMatchObject(selectorLabels(id));
  });

  test("image tags are read past registry ports and digests", () => {
    expect(imageTag("localhost:5000/grafana/grafana:12.1.1")).toBe("12.1.1");
    expect(imageTag("localhost:5000/grafana/grafana")).toBeUndefined();
    expect(imageTag("grafana/grafana:12.1.1@sha256:" + "a".repeat(64))).toBe("12.1.1");
  });
});

describe("hardened pod spec", () => {
  const spec = hardenedPodSpec({ platform: examplePlatform, containers: [exampleContainer] });
  const container = (spec.containers as any[])[0];

  test("runs as nobody with no privileges, all capabilities dropped, RuntimeDefault seccomp, read-only root", () => {
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: NON_ROOT_UID,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      runAsNonRoot: true,
      runAsUser: NON_ROOT_UID,
      runAsGroup: NON_ROOT_UID,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  test("gives each writable path its own emptyDir, since the root filesystem is read-only", () => {
    expect(container.volumeMounts).toEqual([{ name: "server-tmp", mountPath: "/tmp" }]);
    // Bounded by the container's ephemeral-storage limit, so a runaway temp directory evicts this
    // pod, not its neighbours.
    expect(spec.volumes).toEqual([{ name: "server-tmp", emptyDir: { sizeLimit: "128Mi" } }]);
  });

  test("mounts no ServiceAccount token unless the workload names its ServiceAccount", () => {
    expect(spec.automountServiceAccountToken).toBe(false);
    const withAccount = hardenedPodSpec({
      platform: examplePlatform,
      containers: [exampleContainer],
      serviceAccountName: "prometheus",
    });
    expect(withAccount).toMatchObject({
      automountServiceAccountToken: true,
      serviceAccountName: "prometheus",
    });
  });

  test("keeps the probes and resources the component gave", () => {
    expect(container.livenessProbe).toEqual(httpProbe("http", "/-/healthy"));
    expect(container.readinessProbe).toMatchObject({
      httpGet: { path: "/-/ready", port: "http" },
      periodSeconds: 10,
    });
    expect(container.resources).toEqual({
      requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "32Mi" },
      limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "128Mi" },
    });
  });

  test("applies exactly the allowlisted host access of a node agent", () => {
    const agent = hardenedPodSpec({
      platform: examplePlatform,
      containers: [exampleContainer],
      hostAccess: "node-exporter",
    });
    expect(agent).toMatchObject({ hostNetwork: true, hostPID: true, dnsPolicy: "ClusterFirstWithHostNet" });
    const grant = HOST_ACCESS_ALLOWLIST["node-exporter"];
    expect(
      (agent.volumes as any[]).filter((v) => v.hostPath !== undefined).map((v) => v.hostPath.path),
    ).toEqual(grant.hostPaths.map((h) => h.path));
    expect(
      (agent.containers as any[])[0].volumeMounts
        .filter((m: any) => m.name.startsWith("host-"))
        .every((m: any) => m.readOnly),
    ).toBe(true);
  });
});

describe("pod template checksums", () => {
  test("change when a config changes, so pods roll", () => {
    const spec = hardenedPodSpec({ platform: examplePlatform, containers: [exampleContainer] });
    const id = { name: "x", component: "y" };
    const before = podTemplate(id, spec, { config: "a: 1" }).metadata as any;
    const after = podTemplate(id, spec, { config: "a: 2" }).metadata as any;
    expect(before.annotations["checksum/config"]).toMatch(/^[a-f0-9]{64}$/);
    expect(before.annotations["checksum/config"]).not.toBe(after.annotations["checksum/config"]);
    expect(checksumAnnotations({ b: "1", a: "1" })).toEqual({
      "checksum/a": expect.any(String),
      "checksum/b": expect.any(String),
    });
    expect(podTemplate(id, spec).metadata).not.toHaveProperty("annotations");
  });
});

describe("namespaces and network policies", () => {
  test("the stack namespace enforces restricted; the node namespace only warns and audits it", () => {
    expect((namespaceArgs("observability", "restricted", "kind").metadata as any).labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
    expect((namespaceArgs("observability-node", "privileged", "kind").metadata as any).labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "privileged",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
  });

  test("default deny isolates every pod both ways; DNS egress only reaches kube-dns on port 53", () => {
    expect(defaultDenyPolicy("ns").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const config = parseStackConfig({}, new Set());
    const dns = dnsEgressPolicy(wiringGraph(config), config.namespaces.observability).spec as any;
    expect(dns.policyTypes).toEqual(["Egress"]);
    expect(dns.egress[0].to[0].podSelector).toEqual({ matchLabels: { "k8s-app": "kube-dns" } });
    expect(dns.egress[0].ports.map((p: any) => `${p.protocol}/${p.port}`)).toEqual(["TCP/53", "UDP/53"]);
  });
});
