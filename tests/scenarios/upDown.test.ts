// `npm run up` and `npm run down` run, not read: scripts/up.sh and down.sh on a machine of
// stand-ins for the CLIs they call (tests/kit/cliStandIns.ts): pulumi with a local backend and the
// kind stack's real passphrase check, kind, kubectl, a running Docker, and npm for the verify up.sh
// runs last, printing verify's own findings for this render. `pulumi up` records the program's
// outputs as the mocks render them, so the first look is the program's. verify's end-to-end runs
// are elsewhere: tests/cluster/verify.test.ts (the script on a real API server) and
// tests/servers/verify.test.ts (its checks against the real servers).
import * as fs from "fs";
import * as path from "path";
import { firstLookAsDocumented } from "../../scripts/docs/figures";
import { healthyVerifySample } from "../../scripts/docs/verifySample";
import { verifyExpectations } from "../../scripts/verify/expectations";
import { Call, StandInMachine } from "../kit/cliStandIns";
import { PROJECT_ROOT } from "../../render/renderStack";
import { rendered, stackConfig } from "../support/renderedStacks";

const UP = "bash scripts/up.sh";
const DOWN = "bash scripts/down.sh";

/** The calls of the CLIs stood in for, as `tool args...`; a pulumi call with `(passphrase)` when one was set. */
const commands = (calls: readonly Call[]) =>
  calls
    .filter((c) => !(c.args[0] === "version" || (c.tool === "kubectl" && c.args[0] === "version")))
    .map((c) => `${c.tool} ${c.args.join(" ")}${c.tool === "pulumi" && c.passphrase ? " (passphrase)" : ""}`);

describe("npm run up on a fresh machine, then again, then npm run down", () => {
  let machine: StandInMachine;
  let firstLook: string;
  let verifyOutput: string;
  const transcripts: string[] = [];

  beforeAll(async () => {
    const kind = await rendered("kind");
    firstLook = String(kind.outputs.firstLook);
    machine = new StandInMachine();
    machine.program(kind);
    const config = stackConfig("kind");
    verifyOutput = `${healthyVerifySample({
      stack: "kind",
      config,
      objects: kind.objects,
      expected: verifyExpectations(config, kind.objects),
      cluster: { nodes: 1, controlPlanes: 1 },
    })}\n`;
    machine.verify(verifyOutput, 0);
  });
  afterAll(() => {
    process.stdout.write(`${transcripts.join("\n")}\n`);
    machine.remove();
  });

  test("the first run creates the cluster, logs in locally, creates the stack, deploys, verifies and ends with the first look", () => {
    const run = machine.run(UP);
    transcripts.push(`$ npm run up   (exit ${run.status})\n${run.stdout}${run.stderr}`);
    expect(run.stderr).toContain('Creating cluster "observability" ...');
    expect(run.status).toBe(0);
    expect(commands(machine.calls())).toEqual([
      "kind get clusters",
      "kind create cluster --config kind/cluster.yaml --wait 120s",
      "kubectl config get-contexts kind-observability",
      "pulumi whoami",
      "pulumi login --local",
      "pulumi stack select kind (passphrase)",
      "pulumi stack init kind --secrets-provider passphrase (passphrase)",
      "pulumi whoami --json (passphrase)",
      "pulumi up --stack kind --yes (passphrase)",
      "pulumi stack export --stack kind (passphrase)",
      "pulumi stack output --stack kind (passphrase)",
      "npm run -s verify -- kind",
      "pulumi stack output --stack kind firstLook (passphrase)",
    ]);
    // The outputs as the CLI tables them, the secret one hidden.
    expect(run.stdout).toMatch(/Current stack outputs \(\d+\):\n {4}OUTPUT +VALUE\n/);
    expect(run.stdout).toMatch(/\n {4}grafanaAdminPassword +\[secret\]\n/);
    expect(run.stdout).toContain(verifyOutput);
    // It ends with the program's first look, one line each, as the README shows it but for the
    // Explore link's query.
    const lines = run.stdout.trimEnd().split("\n");
    const look = firstLook.split("\n");
    expect(look).toHaveLength(5);
    expect(lines.slice(-look.length - 1)).toEqual([
      '==> First look (docs/getting-started.md, "First ten minutes")',
      ...look,
    ]);
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    expect(readme).toContain(`\`\`\`text\n${firstLookAsDocumented(look.join("\n"))}\n\`\`\``);
  });

  test("a second run finds the cluster, the login and the stack, and deploys again", () => {
    const before = machine.calls().length;
    const run = machine.run(UP);
    expect(run.status).toBe(0);
    expect(commands(machine.calls(before))).toEqual([
      "kind get clusters",
      "kubectl config get-contexts kind-observability",
      "pulumi whoami",
      "pulumi stack select kind (passphrase)",
      "pulumi whoami --json (passphrase)",
      "pulumi up --stack kind --yes (passphrase)",
      "pulumi stack export --stack kind (passphrase)",
      "pulumi stack output --stack kind (passphrase)",
      "npm run -s verify -- kind",
      "pulumi stack output --stack kind firstLook (passphrase)",
    ]);
  });

  test("after a killed up, the up that completes clears the pending creates it recorded; one it did not record is named and nothing cleared", async () => {
    const kind = await rendered("kind");
    const recorded = kind.registrations.slice(0, 3).map((r) => `${r.type}::${r.name}`);
    machine.killedUpLeft("kind", recorded);
    let before = machine.calls().length;
    const cleared = machine.run(UP);
    expect(cleared.status).toBe(0);
    expect(cleared.stdout).toContain(
      "==> Stack 'kind' held 3 pending create(s) from a killed up, each of which this up recorded: clearing them",
    );
    const calls = commands(machine.calls(before));
    const up = calls.indexOf("pulumi up --stack kind --yes (passphrase)");
    expect(calls.slice(up, up + 3)).toEqual([
      "pulumi up --stack kind --yes (passphrase)",
      "pulumi stack export --stack kind (passphrase)",
      "pulumi refresh --clear-pending-creates --yes --skip-preview --stack kind (passphrase)",
    ]);
    // A resource the program no longer declares: its object may be in the cluster, unmanaged.
    const gone = "kubernetes:core/v1:ConfigMap::metrics-old-rules";
    machine.killedUpLeft("kind", [recorded[0], gone]);
    before = machine.calls().length;
    const named = machine.run(UP);
    expect(named.status).toBe(0);
    expect(named.stdout).toContain(
      `the state has no resource for 1: urn:pulumi:kind::observability::${gone}. If its object exists, adopt it with pulumi refresh --import-pending-creates`,
    );
    expect(commands(machine.calls(before)).filter((c) => c.startsWith("pulumi refresh"))).toEqual([]);
    // Nothing pending: a plain up, no refresh (the first two tests).
    machine.killedUpLeft("kind", []);
  });

  test("a stack that deployed but does not work fails up with verify's code; the first look is still printed", () => {
    machine.verify("1 check(s) failed: fix the ✗ lines, then npm run verify -- kind\n", 1);
    try {
      const run = machine.run(UP);
      expect(run.status).toBe(1);
      expect(run.stdout.trimEnd().endsWith(firstLook)).toBe(true);
    } finally {
      machine.verify(verifyOutput, 0);
    }
  });

  test("an up that fails prints where to read on, then what the workloads report now, and exits with up's code", async () => {
    const kind = await rendered("kind");
    const timedOut =
      'the Kubernetes API server reported that "observability/grafana" failed to fully initialize or become live: timed out waiting for the condition';
    const unready =
      "✗ StatefulSet observability/grafana is not rolled out (readyReplicas 0 of 1); grafana-0: ImagePullBackOff\n1 check(s) failed: fix the ✗ lines, then npm run verify -- kind\n";
    machine.program(kind, { resource: "kubernetes:apps/v1:StatefulSet (grafana-grafana)", error: timedOut });
    machine.verify(unready, 1);
    const before = machine.calls().length;
    try {
      const run = machine.run(UP);
      transcripts.push(`$ npm run up   (exit ${run.status})\n${run.stdout}${run.stderr}`);
      expect(run.status).toBe(255);
      expect(commands(machine.calls(before)).slice(-2)).toEqual([
        "pulumi up --stack kind --yes (passphrase)",
        "npm run -s verify -- kind --wait 0",
      ]);
      expect(run.stdout).toContain(timedOut);
      expect(run.stderr).toContain("docs/troubleshooting.md");
      expect(run.stdout.endsWith(unready)).toBe(true);
    } finally {
      machine.program(kind);
      machine.verify(verifyOutput, 0);
    }
  });

  test("your own passphrase with the committed salt stops up before Pulumi creates anything", () => {
    const other = new StandInMachine();
    try {
      const run = other.run(UP, { PULUMI_CONFIG_PASSPHRASE: "my own" });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("error: Pulumi.kind.yaml carries the salt of the empty passphrase");
      expect(commands(other.calls()).filter((c) => c.startsWith("pulumi stack init"))).toEqual([]);
    } finally {
      other.remove();
    }
  });

  test("npm run down destroys the stack's resources and removes the stack, keeping the cluster", () => {
    const before = machine.calls().length;
    const run = machine.run(DOWN);
    transcripts.push(`$ npm run down   (exit ${run.status})\n${run.stdout}${run.stderr}`);
    expect(run.status).toBe(0);
    expect(commands(machine.calls(before))).toEqual([
      "pulumi stack select kind (passphrase)",
      "pulumi whoami --json (passphrase)",
      "pulumi destroy --stack kind --yes (passphrase)",
      "pulumi stack rm kind --yes --preserve-config (passphrase)",
    ]);
    expect(run.stdout).toContain("Stack 'kind' has been removed!");
  });

  test("npm run down -- --delete-cluster with no stack left deletes the kind cluster; a wrong argument is refused", () => {
    const before = machine.calls().length;
    const run = machine.run(`${DOWN} --delete-cluster`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("No stack 'kind' in the current backend; nothing to destroy.");
    expect(commands(machine.calls(before))).toEqual([
      "pulumi stack select kind (passphrase)",
      "kind delete cluster --name observability",
    ]);
    expect(machine.run("kind get clusters").stderr).toBe("No kind clusters found.\n");
    expect(machine.run(`${DOWN} --keep-volumes`)).toMatchObject({
      status: 2,
      stderr: "usage: npm run down [-- --delete-cluster]\n",
    });
  });
});
