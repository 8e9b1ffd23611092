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
import { rendered, stackConfig } from "../support/renderedStacks";
import { KIND_SHAPE, TestCluster, startCluster, waitFor } from "../kit/cluster";
import { StandInMachine } from "../kit/cliStandIns";
import { healthyVerifySample } from "../../scripts/docs/verifySample";
import { Json } from "../kit/json";

/** An image reference the test cluster's registry does not have (ClusterOptions.missingImages). */
const MISSING_CANARY_IMAGE = "docker.io/grafana/loki-canary:3.7.8-not-mirrored";

/** The kind stand-in's variable naming the control plane its clusters are. */
const KIND_CLUSTER = "OBSERVABILITY_STANDIN_KIND_CLUSTER";

/**
 * `npm run up` and `npm run down` as a user runs them, with the real Pulumi CLI, language host and
 * Kubernetes provider and a kind stand-in whose cluster is the test control plane; between them,
 * `npm run verify`'s cluster side against that API server with kwok nodes: the workload check on
 * the deployed kind stack (ready, a workload missing, a workload whose pod cannot be scheduled),
 * the port-forward path (kwok runs no kubelet, so the API server cannot stream to a pod: what is
 * tested is that this failure comes out as a line with its fix, not a hang or a crash), and the
 * script itself on the committed Pulumi.kind.yaml through its own context.
 */
describe("npm run up, verify and down on a real API server", () => {
  let cluster: TestCluster;
  let machine: StandInMachine;
  let stack: RenderedStack;
  let expected: VerifyExpectations;
  const transcripts: string[] = [];
  const keep = (label: string, findings: readonly Finding[]) =>
    transcripts.push(`--- ${label}\n${findings.map(findingLine).join("\n")}`);

  beforeAll(async () => {
    cluster = await startCluster({ ...KIND_SHAPE, missingImages: [MISSING_CANARY_IMAGE] });
    stack = await rendered("kind");
    expected = verifyExpectations(stackConfig("kind"), stack.objects);
    machine = new StandInMachine({ realPulumi: true });
    fs.mkdirSync(path.join(machine.home, "state"));
    // verify's own run is the last test's; up.sh's call of it prints what a healthy stack prints.
    machine.verify(
      `${healthyVerifySample({
        stack: "kind",
        config: stackConfig("kind"),
        objects: stack.objects,
        expected,
        cluster: { nodes: 1, controlPlanes: 1 },
      })}\n`,
      0,
    );
  });

  afterAll(async () => {
    process.stdout.write(`${transcripts.join("\n")}\n`);
    await cluster?.stop();
    machine?.remove();
  });

  /**
   * The machine's environment, logged in to a file backend in its own home. The real CLI resolves
   * `pulumi login --local`'s `~` through the user database, not $HOME, so up.sh's own login would
   * write into the home of whoever runs the tests; that branch runs against the CLI stand-in
   * (tests/scenarios/upDown.test.ts).
   */
  const loggedIn = () => ({
    [KIND_CLUSTER]: cluster.kubeconfigPath,
    PULUMI_HOME: path.join(machine.home, ".pulumi"),
    PULUMI_BACKEND_URL: `file://${path.join(machine.home, "state")}`,
  });

  test("npm run up on a laptop with no cluster: the real pulumi deploys the stack and prints the First look", async () => {
    const stackFile = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.kind.yaml"), "utf8");
    const start = Date.now();
    const run = await machine.runAsync("bash scripts/up.sh", loggedIn());
    const seconds = (Date.now() - start) / 1000;
    transcripts.push(
      `--- npm run up (exit ${run.status}, ${seconds.toFixed(1)} s)\n${run.stdout}${run.stderr}`,
    );
    expect(`${run.status} ${run.stderr}`).toMatch(/^0 /);
    const out = run.stdout;
    for (const line of [
      "==> Creating kind cluster 'observability' (kind/cluster.yaml): pulling the node image and starting",
      "==> Creating stack 'kind'",
      '==> First look (docs/getting-started.md, "First ten minutes")',
    ]) {
      expect(out).toContain(line);
    }
    // The engine's own summary: everything created, nothing failed.
    const created = /^\s+\+ (\d+) created$/m.exec(out)?.[1];
    expect(Number(created)).toBe(stack.registrations.length + 1);
    expect(out).not.toMatch(/error:/);
    // The First look is the program's output, as the stack holds it, last.
    expect(out.trimEnd().endsWith(String(stack.outputs.firstLook))).toBe(true);
    // The tracked stack file stays as it is (its salt reused, nothing saved into it).
    expect(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.kind.yaml"), "utf8")).toBe(stackFile);
    transcripts.push(`npm run up: ${created} created in ${seconds.toFixed(1)} s`);
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
    // The stack's eleven (the Loki canary and the event collector among them) and the three of the
    // demo Pulumi.kind.yaml turns on.
    expect(expected.workloads.length).toBe(14);
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

  test("a missing workload, one whose new pod cannot pull its image while the old one serves, and one whose pod cannot be scheduled are named with their fixes", async () => {
    const apps = cluster.kubeConfig.makeApiClient(k8s.AppsV1Api);
    const strategicMerge = { headers: { "Content-Type": "application/strategic-merge-patch+json" } };
    await apps.deleteNamespacedDeployment("kube-state-metrics", "observability");
    await apps.patchNamespacedDeployment(
      "loki-canary",
      "observability",
      {
        spec: { template: { spec: { containers: [{ name: "loki-canary", image: MISSING_CANARY_IMAGE }] } } },
      },
      ...[undefined, undefined, undefined, undefined, undefined],
      strategicMerge,
    );
    await apps.patchNamespacedStatefulSet(
      "tempo",
      "observability",
      { spec: { template: { spec: { nodeSelector: { "observability.test/no-such-node": "true" } } } } },
      ...[undefined, undefined, undefined, undefined, undefined],
      strategicMerge,
    );
    // The pods' reasons can be read before their controllers' status counts the new pods: wait for both.
    const findings = await waitFor(async () => {
      const found = await workloadFindings(cluster.kubeConfig, expected.workloads, "kind");
      const settled =
        found.length === 3 &&
        /\(replicas 2 of 1\); .*ImagePullBackOff$/.test(found[1].message) &&
        /\(readyReplicas 0 of 1\); .*Unschedulable$/.test(found[2].message);
      if (!settled) throw new Error(`last seen: ${found.map((f) => f.message).join(" | ")}`);
      return found;
    }, "three workloads reported, the canary's new pod in ImagePullBackOff beside its old one, tempo's unschedulable");
    keep("kube-state-metrics deleted, the canary's new image missing, tempo unschedulable", findings);
    expect(findings).toEqual([
      {
        status: "blocking",
        message: "Deployment observability/kube-state-metrics does not exist",
        fix: "deploy the stack: npm run up",
      },
      {
        status: "blocking",
        // The old pod still serves (ready), so ready pods alone would call it done.
        message: expect.stringMatching(
          /^Deployment observability\/loki-canary is not rolled out \(replicas 2 of 1\); loki-canary-[a-z0-9]+-[a-z0-9]+: ImagePullBackOff$/,
        ),
        fix: expect.stringContaining("kubectl -n observability describe deployment/loki-canary"),
      },
      {
        status: "blocking",
        message:
          "StatefulSet observability/tempo is not rolled out (readyReplicas 0 of 1); tempo-0: Unschedulable",
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

  test("npm run down destroys the stack with the real pulumi and removes it, keeping Pulumi.kind.yaml", async () => {
    const start = Date.now();
    const run = await machine.runAsync("bash scripts/down.sh", loggedIn());
    const seconds = (Date.now() - start) / 1000;
    transcripts.push(
      `--- npm run down (exit ${run.status}, ${seconds.toFixed(1)} s)\n${run.stdout}${run.stderr}`,
    );
    expect(`${run.status} ${run.stderr}`).toMatch(/^0 /);
    const deleted = Number(/^\s+- (\d+) deleted$/m.exec(run.stdout)?.[1]);
    expect(deleted).toBeGreaterThan(stack.objects.length);
    expect(run.stdout).toContain("Stack 'kind' has been removed!");
    const left = await cluster.kubeConfig
      .makeApiClient(k8s.AppsV1Api)
      .listNamespacedStatefulSet("observability");
    expect(left.body.items.map((s) => s.metadata?.name)).toEqual([]);
    expect(fs.existsSync(path.join(PROJECT_ROOT, "Pulumi.kind.yaml"))).toBe(true);
    transcripts.push(`npm run down: ${deleted} deleted in ${seconds.toFixed(1)} s`);
  });
});
