// The checks themselves: each must pass what the building blocks produce and catch each violation.
import { networkPolicyProblems, selectorMatches } from "../../../checks/networkPolicyCoverage";
import { isPinnedImage, podSecurityProblems } from "../../../checks/podSecurity";
import { renderedPods } from "../../../checks/podSpecs";
import { openApiProblems } from "../../../checks/kubernetesSchema";
import { defaultDenyPolicy } from "../../../components/common/networkPolicy";
import { KubeObject } from "../../../render/manifest";
import { exampleDeployment } from "../../support/fixtures";
import { strictDecodeProblems } from "../../../testing/strictDecode";

const policy = { nodeNamespace: "observability-node" };
type Mutable = { spec: { template: { spec: Record<string, any> } } };

function problemsAfter(
  mutate: (podSpec: Record<string, any>) => void,
  object = exampleDeployment(),
): string[] {
  mutate((object as unknown as Mutable).spec.template.spec);
  return renderedPods([object]).flatMap((pod) => podSecurityProblems(pod, policy));
}

describe("pod security check", () => {
  test("passes a pod built with the hardened building blocks", () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
  });

  test.each<[string, (s: Record<string, any>) => void, RegExp]>([
    ["host network", (s) => (s.hostNetwork = true), /hostNetwork without an allowlist grant/],
    ["host PID", (s) => (s.hostPID = true), /hostPID without an allowlist grant/],
    ["host IPC", (s) => (s.hostIPC = true), /uses hostIPC/],
    ["a hostPath volume", (s) => s.volumes.push({ name: "h", hostPath: { path: "/etc" } }), /hostPath \/etc/],
    ["privileged", (s) => (s.containers[0].securityContext.privileged = true), /is privileged/],
    [
      "privilege escalation",
      (s) => delete s.containers[0].securityContext.allowPrivilegeEscalation,
      /allowPrivilegeEscalation/,
    ],
    ["capabilities not dropped", (s) => (s.containers[0].securityContext.capabilities = {}), /drop ALL/],
    [
      "an added capability",
      (s) => (s.containers[0].securityContext.capabilities.add = ["SYS_ADMIN"]),
      /adds capability SYS_ADMIN/,
    ],
    ["root user", (s) => (s.containers[0].securityContext.runAsUser = 0), /runs as uid 0/],
    [
      "runAsNonRoot unset",
      (s) => {
        delete s.containers[0].securityContext.runAsNonRoot;
        delete s.securityContext.runAsNonRoot;
      },
      /runAsNonRoot/,
    ],
    [
      "no seccomp profile",
      (s) => {
        delete s.containers[0].securityContext.seccompProfile;
        delete s.securityContext.seccompProfile;
      },
      /seccomp RuntimeDefault/,
    ],
    [
      "unconfined seccomp",
      (s) => (s.securityContext.seccompProfile = { type: "Unconfined" }),
      /seccomp profile Unconfined/,
    ],
    [
      "writable root filesystem",
      (s) => (s.containers[0].securityContext.readOnlyRootFilesystem = false),
      /readOnlyRootFilesystem/,
    ],
    ["no memory limit", (s) => delete s.containers[0].resources.limits.memory, /no memory limit/],
    ["no cpu request", (s) => delete s.containers[0].resources.requests.cpu, /no cpu request/],
    ["no liveness probe", (s) => delete s.containers[0].livenessProbe, /no livenessProbe/],
    ["no readiness probe", (s) => delete s.containers[0].readinessProbe, /no readinessProbe/],
    ["an unpinned image", (s) => (s.containers[0].image = "grafana/grafana"), /not pinned/],
    ["the latest tag", (s) => (s.containers[0].image = "grafana/grafana:latest"), /not pinned/],
    ["a host port", (s) => (s.containers[0].ports[0].hostPort = 9090), /hostPort/],
    [
      "an unsafe sysctl",
      (s) => (s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
      /unsafe sysctl/,
    ],
    [
      "a non-restricted volume type",
      (s) => s.volumes.push({ name: "n", nfs: { server: "x", path: "/" } }),
      /type nfs/,
    ],
  ])("rejects %s", (_, mutate, expected) => {
    const problems = problemsAfter(mutate);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(expected);
  });

  test("admits an allowlisted node agent's host access in the node namespace only", () => {
    const agent = () =>
      exampleDeployment({
        name: "node-exporter",
        namespace: "observability-node",
        hostAccess: "node-exporter",
      });
    expect(problemsAfter(() => undefined, agent())).toEqual([]);

    const elsewhere = exampleDeployment({
      name: "node-exporter",
      namespace: "observability",
      hostAccess: "node-exporter",
    });
    expect(problemsAfter(() => undefined, elsewhere).join("\n")).toMatch(
      /hostNetwork without an allowlist grant/,
    );

    const stranger = exampleDeployment({
      name: "stranger",
      namespace: "observability-node",
      hostAccess: "node-exporter",
    });
    expect(problemsAfter(() => undefined, stranger).join("\n")).toMatch(
      /hostPath \/proc .* without an allowlist grant/,
    );
  });

  test("holds an allowlisted agent to its grant: no extra paths, no writable read-only mounts, no root unless granted", () => {
    const agent = () =>
      exampleDeployment({
        name: "node-exporter",
        namespace: "observability-node",
        hostAccess: "node-exporter",
      });
    expect(
      problemsAfter(
        (s) => (s.containers[0].volumeMounts.find((m: any) => m.mountPath === "/host/proc").readOnly = false),
        agent(),
      ).join("\n"),
    ).toMatch(/mounts hostPath \/proc writable/);
    expect(
      problemsAfter((s) => s.volumes.push({ name: "x", hostPath: { path: "/var/run" } }), agent()).join("\n"),
    ).toMatch(/\/var\/run/);
    expect(problemsAfter((s) => (s.containers[0].securityContext.runAsUser = 0), agent()).join("\n")).toMatch(
      /uid 0/,
    );
    const alloy = exampleDeployment({ name: "alloy", namespace: "observability-node", hostAccess: "alloy" });
    expect(problemsAfter(() => undefined, alloy)).toEqual([]);
  });

  test("recognises pinned images", () => {
    expect(isPinnedImage("quay.io/prometheus/prometheus:v3.5.0")).toBe(true);
    expect(isPinnedImage("localhost:5000/app@sha256:" + "a".repeat(64))).toBe(true);
    expect(isPinnedImage("localhost:5000/app")).toBe(false);
    expect(isPinnedImage("app:latest")).toBe(false);
  });
});

describe("network policy coverage check", () => {
  const deployment = exampleDeployment();
  const pods = renderedPods([deployment]);
  const deny = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    ...defaultDenyPolicy("observability"),
  } as unknown as KubeObject;

  test("passes a pod isolated by the namespace's default-deny policy", () => {
    expect(networkPolicyProblems(pods, [deployment, deny])).toEqual([]);
  });

  test("fails a pod no policy selects, or a policy of another namespace", () => {
    expect(networkPolicyProblems(pods, [deployment])).toHaveLength(2);
    const other = { ...deny, metadata: { name: "default-deny", namespace: "elsewhere" } } as KubeObject;
    expect(networkPolicyProblems(pods, [deployment, other])).toHaveLength(2);
  });

  test("fails egress when the only policy isolates ingress", () => {
    const ingressOnly = { ...deny, spec: { podSelector: {}, policyTypes: ["Ingress"] } } as KubeObject;
    expect(networkPolicyProblems(pods, [ingressOnly])).toEqual([
      expect.stringMatching(/isolates its egress/),
    ]);
  });

  test("matches label selectors like Kubernetes", () => {
    const labels = { app: "a", tier: "db" };
    expect(selectorMatches({ matchLabels: { app: "a" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "b" } }, labels)).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, labels),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, labels),
    ).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "x", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: "x", operator: "Exists" }] }, labels)).toBe(false);
  });
});

describe("schema checks", () => {
  test("pass a well-formed object", () => {
    const deployment = exampleDeployment();
    expect(openApiProblems(deployment)).toEqual([]);
    expect(strictDecodeProblems([deployment])).toEqual([]);
  });

  test("OpenAPI validation rejects a missing required field and a wrong type", () => {
    const noSelector = exampleDeployment() as any;
    delete noSelector.spec.selector;
    expect(openApiProblems(noSelector).join()).toMatch(/selector/);
    const badReplicas = exampleDeployment() as any;
    badReplicas.spec.replicas = "two";
    expect(openApiProblems(badReplicas).join()).toMatch(/replicas/);
    expect(
      openApiProblems({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }).join(),
    ).toMatch(/no schema/);
  });

  test("strict decoding rejects unknown fields the OpenAPI validators let through", () => {
    const typo = exampleDeployment() as any;
    typo.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    expect(openApiProblems(typo)).toEqual([]);
    expect(strictDecodeProblems([typo]).join()).toMatch(/unknown field.*readOnlyRootFileSystem/);
  });
});
