// `npm run up`'s first step against stand-in executables on PATH: tiny scripts printing the version
// lines the real tools print, so each missing or too-old tool is named with its install hint.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";

/** The SDK version package.json pins: the minimum Pulumi CLI. */
const SDK_VERSION: string = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"))
  .devDependencies["@pulumi/pulumi"];

/** Real utilities the scripts use besides the tools under test. */
const UTILITIES = ["dirname", "sed", "grep", "sort", "head", "cat"];

/** What each tool prints for its version command, taken from the real tools' output formats. */
const CURRENT: Record<string, string> = {
  node: "v20.11.1",
  pulumi: `v${SDK_VERSION}`,
  kind: "kind v0.24.0 go1.22.6 linux/amd64",
  kubectl: "Client Version: v1.31.0\nKustomize Version: v5.4.2",
};

function which(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (found === "") {
    throw new Error(`${name} is needed to run the stand-ins`);
  }
  return found;
}

/** A PATH holding only the utilities and the given stand-ins (a version line, or a runtime that answers). */
function standIns(tools: Record<string, string>, runtimes: readonly string[] = ["docker"]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "up-standins-"));
  for (const utility of UTILITIES) {
    fs.symlinkSync(which(utility), path.join(dir, utility));
  }
  const write = (name: string, body: string) =>
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  for (const [name, version] of Object.entries(tools)) {
    write(name, `printf '%s\\n' '${version.replace(/'/g, "")}'`);
  }
  for (const runtime of runtimes) {
    write(runtime, 'test "$1" = info');
  }
  return dir;
}

function prerequisites(tools: Record<string, string>, runtimes?: readonly string[]) {
  const dir = standIns(tools, runtimes);
  try {
    const run = spawnSync(which("bash"), [path.join(PROJECT_ROOT, "scripts", "prerequisites.sh")], {
      env: { PATH: dir },
      encoding: "utf8",
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const without = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(CURRENT).filter(([tool]) => tool !== name));

describe("npm run up's prerequisites", () => {
  it("passes at the minimum versions and names the container runtime for kind", () => {
    expect(prerequisites(CURRENT)).toEqual({ status: 0, stdout: "docker\n", stderr: "" });
    expect(prerequisites(CURRENT, ["podman"])).toEqual({ status: 0, stdout: "podman\n", stderr: "" });
  });

  it("names a missing Pulumi CLI with the SDK's version and the installer", () => {
    const run = prerequisites(without("pulumi"));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: pulumi is not installed; npm run up needs the Pulumi CLI ${SDK_VERSION} or newer ` +
        "(the version of the @pulumi/pulumi SDK in package.json). Install it with: " +
        "curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/).\n",
    );
  });

  it("names a Pulumi CLI older than the SDK", () => {
    const run = prerequisites({ ...CURRENT, pulumi: "v3.200.0" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `error: pulumi 3.200.0 is too old; npm run up needs the Pulumi CLI ${SDK_VERSION}`,
    );
  });

  it("names a kind too old to enforce NetworkPolicy", () => {
    const run = prerequisites({ ...CURRENT, kind: "kind v0.20.0 go1.20.4 linux/amd64" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "error: kind 0.20.0 is too old; npm run up needs kind 0.24.0 or newer (the first whose network " +
        "plugin enforces NetworkPolicy). Install it from https://kind.sigs.k8s.io/docs/user/quick-start/#installation.\n",
    );
  });

  it("names a Node.js older than 20", () => {
    const run = prerequisites({ ...CURRENT, node: "v18.19.0" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "error: node 18.19.0 is too old; npm run up needs Node.js 20.0.0 or newer. " +
        "Install it from https://nodejs.org/ or with nvm (nvm install 20).\n",
    );
  });

  it("names every problem at once, the container runtime among them", () => {
    const run = prerequisites({ ...without("kubectl"), kind: "kind v0.23.0 go1.22.2 linux/amd64" }, []);
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n").filter((l) => l !== "")).toEqual([
      expect.stringContaining("error: kind 0.23.0 is too old"),
      expect.stringContaining("error: kubectl is not installed; npm run up needs kubectl 1.30.0 or newer."),
      "error: kind needs a running container runtime: start Docker (or Podman) and try again.",
    ]);
  });
});

describe("npm run up with a kind cluster whose kube context is gone", () => {
  /** Stand-ins for a machine where the cluster runs but the kubeconfig lost its context. */
  function up(exportWorks: boolean) {
    const dir = standIns({ node: CURRENT.node });
    fs.symlinkSync(which("bash"), path.join(dir, "bash"));
    const restored = path.join(dir, "restored");
    const calls = path.join(dir, "calls");
    const write = (name: string, body: string) =>
      fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${name} $*" >> ${calls}\n${body}\n`, {
        mode: 0o755,
      });
    write(
      "kind",
      [
        `case "$1" in version) echo '${CURRENT.kind}';;`,
        "  get) echo observability;;",
        `  export) ${exportWorks ? `: > ${restored}` : "exit 1"};;`,
        "esac",
      ].join("\n"),
    );
    write(
      "kubectl",
      [
        `case "$1" in version) echo 'Client Version: v1.31.0';;`,
        `  config) test -e ${restored};;`,
        "esac",
      ].join("\n"),
    );
    // Stops at `pulumi up`: what comes after is the engine's.
    write(
      "pulumi",
      [`case "$1" in version) echo v${SDK_VERSION};;`, "  up) exit 7;;", "  *) exit 0;;", "esac"].join("\n"),
    );
    try {
      const run = spawnSync(which("bash"), [path.join(PROJECT_ROOT, "scripts", "up.sh")], {
        env: { PATH: dir, HOME: dir },
        encoding: "utf8",
      });
      return { ...run, calls: fs.readFileSync(calls, "utf8").split("\n") };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("restores the context with kind export kubeconfig and goes on", () => {
    const run = up(true);
    expect(run.stdout).toContain(
      "==> kind cluster 'observability' exists but your kubeconfig has no context 'kind-observability': restoring it",
    );
    expect(run.calls).toContain("kind export kubeconfig --name observability");
    expect(run.calls).toContain("pulumi up --stack kind --yes");
    expect(run.status).toBe(7);
  });

  it("explains what to do when the context cannot be restored, before touching Pulumi", () => {
    const run = up(false);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error: could not restore context 'kind-observability'");
    expect(run.stderr).toContain("kind delete cluster --name observability");
    expect(run.calls.filter((c) => c.startsWith("pulumi") && !c.startsWith("pulumi version"))).toEqual([]);
  });
});
