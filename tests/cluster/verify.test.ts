import * as k8s from "@kubernetes/client-node";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, RenderedStack } from "../../render/renderStack";
import { Finding, findingLine } from "../../scripts/cli/findings";
import { verifyChecks } from "../../scripts/verify/checkList";
import { runChecks } from "../../scripts/verify/checks";
import { stackEndpoints } from "../../scripts/verify/endpoints";
import { VerifyExpectations, verifyExpectations } from "../../scripts/verify/expectations";
import { workloadFindings } from "../../scripts/verify/workloads";
import { rendered, stackConfig } from "../renderedStacks";
import { KIND_SHAPE, TestCluster, startCluster, waitFor } from "../../testkit/cluster";
import { EngineStack } from "../../testkit/engine/engineStack";
import { readStackFile } from "../../render/stackFile";
import { Json } from "../../testkit/json";

/**
 * `npm run verify`'s cluster side against a real API server with kwok nodes: the workload check on
 * the applied kind render (ready, a workload missing, a workload whose pod cannot be scheduled),
 * the port-forward path (kwok runs no kubelet, so the API server cannot stream to a pod: what is
 * tested is that this failure comes out as a line with its fix, not a hang or a crash), and the
 * script itself on the committed Pulumi.kind.yaml through its own context.
 */
describe("npm run verify on a real API server", () => {
  let cluster: TestCluster;
  let engine: EngineStack;
  let stack: RenderedStack;
  let expected: VerifyExpectations;
  const transcripts: string[] = [];
  const keep = (label: string, findings: readonly Finding[]) =>
    transcripts.push(`--- ${label}\n${findings.map(findingLine).join("\n")}`);

  beforeAll(async () => {
    cluster = await startCluster(KIND_SHAPE);
    stack = await rendered("kind");
    expected = verifyExpectations(stackConfig("kind"), stack.objects);
    engine = await EngineStack.deploy("kind", cluster, readStackFile("kind", PROJECT_ROOT));
  });

  afterAll(async () => {
    process.stdout.write(`${transcripts.join("\n")}\n`);
    await cluster?.stop();
    engine?.remove();
  });

  test("every workload of the applied render is ready", async () => {
    const findings = await workloadFindings(cluster.kubeConfig, expected.workloads, "kind");
    keep("workloads after up", findings);
    expect(findings).toEqual([
      {
        status: "ok",
        message: `all ${expected.workloads.length} workloads ready (${expected.workloads.map((w) => w.name).join(", ")})`,
      },
    ]);
    // The stack's ten (the Loki canary among them) and the three of the demo Pulumi.kind.yaml turns on.
    expect(expected.workloads.length).toBe(13);
  });

  test("the port-forward through a kubelet-less node fails as a line with its fix", async () => {
    const endpoints = stackEndpoints(cluster.kubeConfig, expected.endpoints);
    try {
      // kwok marks the pod Ready, so verify picks it; the API server then cannot stream to it.
      await expect(endpoints.url("loki")).rejects.toThrow(
        /^the API server refused a port-forward to pod observability\/loki-0:3100: /,
      );
      const findings = await runChecks(
        verifyChecks({
          stack: "kind",
          namespace: "observability",
          expected,
          endpoints,
          runningAppPods: () => Promise.resolve(0),
          grafanaPassword: () => Promise.reject(new Error("not read here")),
        }).filter((c) => c.name === "Loki"),
        { deadline: Date.now() },
      );
      keep("Loki through a port-forward to a kwok pod", findings);
      expect(findings).toEqual([
        expect.objectContaining({
          status: "blocking",
          message: expect.stringMatching(
            /^Loki: cannot check \(the API server refused a port-forward to pod observability\/loki-0:3100: .+\)$/,
          ),
          fix: expect.stringContaining("kubectl -n observability port-forward svc/loki 3100 shows why"),
        }),
      ]);
    } finally {
      await endpoints.close();
    }
  });

  test("a missing workload and one whose pod cannot be scheduled are named with their fixes", async () => {
    const apps = cluster.kubeConfig.makeApiClient(k8s.AppsV1Api);
    await apps.deleteNamespacedDeployment("kube-state-metrics", "observability");
    await apps.patchNamespacedStatefulSet(
      "tempo",
      "observability",
      { spec: { template: { spec: { nodeSelector: { "observability.test/no-such-node": "true" } } } } },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      { headers: { "Content-Type": "application/strategic-merge-patch+json" } },
    );
    const findings = await waitFor(async () => {
      const found = await workloadFindings(cluster.kubeConfig, expected.workloads, "kind");
      return found.length === 2 ? found : undefined;
    }, "two workloads reported");
    keep("kube-state-metrics deleted, tempo unschedulable", findings);
    expect(findings).toEqual([
      {
        status: "blocking",
        message: "Deployment observability/kube-state-metrics does not exist",
        fix: "deploy the stack: npm run up",
      },
      {
        status: "blocking",
        message: "StatefulSet observability/tempo has 0/1 pods ready",
        fix: expect.stringContaining("kubectl -n observability describe statefulset/tempo"),
      },
    ]);
    const endpoints = stackEndpoints(cluster.kubeConfig, expected.endpoints);
    await expect(endpoints.url("tempo")).rejects.toThrow(
      /^no Ready pod behind Service observability\/tempo \(\d pod\(s\) match app\.kubernetes\.io\/instance=observability,app\.kubernetes\.io\/name=tempo\)$/,
    );
    await endpoints.close();
  });

  test("the script reads Pulumi.kind.yaml's context, prints one line per check and exits 1", async () => {
    const kubeconfig = JSON.parse(fs.readFileSync(cluster.kubeconfigPath, "utf8")) as Json;
    kubeconfig.contexts[0].name = stackConfig("kind").cluster.kubeContext;
    kubeconfig["current-context"] = "none";
    const file = path.join(path.dirname(cluster.kubeconfigPath), "kubeconfig-kind");
    fs.writeFileSync(file, JSON.stringify(kubeconfig));
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
        ["--transpiler", "sucrase/ts-node-plugin", "scripts/verify.ts", "kind", "--wait", "0"],
        { cwd: PROJECT_ROOT, env: { ...process.env, KUBECONFIG: file } },
        (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code), stdout }),
      );
    });
    transcripts.push(`--- npm run verify -- kind --wait 0 (exit ${result.code})\n${result.stdout}`);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      `verify of stack kind (profile kind, context ${stackConfig("kind").cluster.kubeContext}, waiting up to 0 s)`,
    );
    expect(lines).toContain(
      "✗ Deployment observability/kube-state-metrics does not exist. Fix: deploy the stack: npm run up",
    );
    expect(lines.filter((l) => l.startsWith("✗")).length).toBeGreaterThanOrEqual(6);
    expect(lines.at(-1)).toMatch(/^\d+ check\(s\) failed: fix the ✗ lines, then npm run verify -- kind$/);
    // The admin password is read from the Secret but never printed.
    const secret = await cluster.kubeConfig
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret(expected.grafana.secret.name, expected.grafana.secret.namespace);
    const password = Buffer.from(secret.body.data?.[expected.grafana.secret.key] ?? "", "base64").toString();
    expect(password.length).toBeGreaterThan(0);
    expect(result.stdout).not.toContain(password);
  });
});
