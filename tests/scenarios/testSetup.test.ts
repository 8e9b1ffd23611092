// The test command's own setup (scripts/testSetup.sh, npm test's pretest) on machines of stand-ins:
// a copy of the repository's scripts, tool sources and lockfiles, and a PATH of the real utilities
// beside stand-ins for apt-get, npm, go, id and the tools that may be missing. Every call a stand-in
// answers is recorded, so a run shows what it installed and what it left alone.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";
import tierTools from "../kit/tierTools.json";
import coldSeconds from "../../scripts/tools/cold-build-seconds.json";

const UTILITIES = [
  "bash",
  "sh",
  "sed",
  "sort",
  "tail",
  "head",
  "cat",
  "dirname",
  "cut",
  "sha256sum",
  "chmod",
];

/** What a stand-in machine has: who the user is, and which optional tools are installed. */
interface Machine {
  readonly root: boolean;
  readonly aptGet: boolean;
  readonly installed: readonly ("shellcheck" | "jq" | "python3" | "go")[];
  /** What `go env GOVERSION` prints. */
  readonly goVersion?: string;
  readonly goToolchain?: string;
  /** node_modules as npm ci left it for this package-lock.json. */
  readonly nodeModules: boolean;
}

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly calls: readonly string[];
}

function which(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (found === "") {
    throw new Error(`${name} is needed to run the stand-ins`);
  }
  return found;
}

/** A Go newer than any tool asks for. */
const NEW_GO = "9.9.9";

function setup(machine: Machine, tiers: readonly string[] = []): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-setup-"));
  try {
    const repo = path.join(dir, "repo");
    const bin = path.join(dir, "bin");
    const calls = path.join(dir, "calls");
    for (const file of [
      "scripts/testSetup.sh",
      "scripts/tools/build.sh",
      "scripts/tools/cold-build-seconds.json",
      "tests/kit/tierTools.json",
      "package-lock.json",
    ]) {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(repo, file));
    }
    fs.cpSync(path.join(PROJECT_ROOT, "tools"), path.join(repo, "tools"), { recursive: true });
    if (machine.nodeModules) {
      fs.mkdirSync(path.join(repo, "node_modules"));
      fs.copyFileSync(
        path.join(PROJECT_ROOT, "node_modules", ".package-lock.json"),
        path.join(repo, "node_modules", ".package-lock.json"),
      );
    }
    fs.mkdirSync(bin);
    for (const utility of [...UTILITIES, "node"]) fs.symlinkSync(which(utility), path.join(bin, utility));
    const write = (name: string, body: string) =>
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${calls}\n${body}\n`, {
        mode: 0o755,
      });
    write("id", `echo ${machine.root ? 0 : 1000}`);
    write("npm", "exit 0");
    // Installing a package puts its command on PATH, as Debian's does.
    if (machine.aptGet) {
      write(
        "apt-get",
        `for p in "$@"; do case "$p" in -*|update|install) ;; python3-venv) printf '#!/bin/sh\\n' > ${bin}/python3; chmod +x ${bin}/python3;; *) printf '#!/bin/sh\\n' > ${bin}/$p; chmod +x ${bin}/$p;; esac; done`,
      );
    }
    for (const tool of machine.installed.filter((t) => t !== "go")) write(tool, "exit 0");
    if (machine.installed.includes("go")) {
      write(
        "go",
        `case "$2" in GOVERSION) echo go${machine.goVersion ?? NEW_GO};; GOTOOLCHAIN) echo ${machine.goToolchain ?? "auto"};; esac`,
      );
    }
    const run = spawnSync(path.join(bin, "bash"), [path.join(repo, "scripts", "testSetup.sh"), ...tiers], {
      env: { PATH: bin, HOME: dir, OBSERVABILITY_TOOLS_CACHE: path.join(dir, "cache") },
      encoding: "utf8",
    });
    const recorded = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n") : [];
    return {
      status: run.status,
      stderr: run.stderr,
      calls: recorded.filter((c) => c !== "" && !/^(id|go env|python3 -c)\b/.test(c)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const EVERYTHING: Machine = {
  root: false,
  aptGet: true,
  installed: ["shellcheck", "jq", "python3", "go"],
  nodeModules: true,
};

/** The minutes the setup announces for the unit tier's tools, all cold. */
const unitMinutes = Math.ceil(
  tierTools.unit.reduce((sum, tool) => sum + coldSeconds[tool as keyof typeof coldSeconds], 0) / 60,
);

describe("npm test sets itself up", () => {
  test("on a machine with everything, it says how long the tools' first build takes and installs nothing", () => {
    const run = setup(EVERYTHING);
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toBe(
      `==> Building ${tierTools.unit.join(" ")} from the Go module proxy, once per version: one after another they took about ${unitMinutes} minutes cold on 2 cores (docs/testing.md#tools-each-suite-builds); later runs reuse them\n`,
    );
  });

  test("without node_modules, it runs npm ci", () => {
    const run = setup({ ...EVERYTHING, nodeModules: false });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(["npm ci --no-audit --no-fund"]);
    expect(run.stderr).toContain("==> npm ci: node_modules is missing or differs from package-lock.json");
  });

  test("as root with apt-get, it installs the missing Debian packages, then goes on", () => {
    const run = setup({ ...EVERYTHING, root: true, installed: ["python3", "go"], nodeModules: false });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("==> Installing shellcheck jq (Debian), which the tests call\n");
    expect(run.calls).toEqual([
      "apt-get update -qq",
      "apt-get install -y -qq shellcheck jq",
      "npm ci --no-audit --no-fund",
    ]);
  });

  test("as another user, it names each missing tool with the command that installs it, and runs nothing", () => {
    const run = setup({ ...EVERYTHING, installed: ["go"], nodeModules: false });
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      "missing: shellcheck (npm test lints the review workflow's scripts with it, through actionlint): sudo apt-get install -y shellcheck",
      "missing: jq (the review workflow's gh stand-in answers --jq with it): sudo apt-get install -y jq",
      "missing: python3 (Checkov (npm test) and the Pulumi Python SDK (the cluster tests) install from PyPI into a virtualenv): sudo apt-get install -y python3-venv",
    ]);
  });

  test("without apt-get, it names the Debian package to look for", () => {
    const run = setup({ ...EVERYTHING, aptGet: false, installed: ["jq", "python3", "go"] });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "missing: shellcheck (npm test lints the review workflow's scripts with it, through actionlint): install it with your package manager (Debian's package: shellcheck)\n",
    );
  });

  test("without Go, it names the version the tools need, before anything is installed", () => {
    const run = setup({ ...EVERYTHING, installed: ["shellcheck", "jq", "python3"], nodeModules: false });
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toMatch(
      /^missing: go \(the tests build their tools from the Go module proxy with Go 1\.\d+(\.\d+)? or newer\): https:\/\/go\.dev\/doc\/install\n$/,
    );
  });

  test("an older Go fetches the toolchain the tools need, unless GOTOOLCHAIN=local forbids it", () => {
    const auto = setup({ ...EVERYTHING, goVersion: "1.21.0" });
    expect(auto.status).toBe(0);
    expect(auto.stderr).toMatch(
      /^==> Go 1\.21\.0 fetches Go 1\.\d+\S* for the tools' builds \(GOTOOLCHAIN=auto\)$/m,
    );
    const local = setup({ ...EVERYTHING, goVersion: "1.21.0", goToolchain: "local" });
    expect(local.status).toBe(1);
    expect(local.stderr).toMatch(
      /^too old: go 1\.21\.0 with GOTOOLCHAIN=local \(the tests' tools need Go 1\.\d+/,
    );
  });

  test("test:all's tiers: the cluster tests need Python but not shellcheck, the server tests neither", () => {
    const cluster = setup({ ...EVERYTHING, installed: ["go"] }, ["cluster"]);
    expect(cluster.status).toBe(1);
    expect(cluster.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^missing: python3 /)]);
    const servers = setup({ ...EVERYTHING, installed: ["go"] }, ["servers"]);
    expect(servers.stderr).not.toMatch(/^missing:/m);
    expect(servers.status).toBe(0);
  });
});

describe("what the setup says is what the docs say", () => {
  const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

  test("every tool a tier builds has a cold build time, and docs/testing.md's table shows each", () => {
    const tiers = Object.values(tierTools).flat();
    expect(tiers.filter((tool) => !(tool in coldSeconds))).toEqual([]);
    const table = Object.fromEntries(
      read("docs/testing.md")
        .split("\n")
        .flatMap((line) => {
          const row = /^\| `([a-z0-9-]+)`[^|]*\|.*\|\s+(\d+) s[¹²³⁴⁵⁶⁷⁸⁹]* \|$/.exec(line);
          return row === null ? [] : [[row[1], Number(row[2])]];
        }),
    );
    expect(table).toEqual(coldSeconds);
  });

  test("the README asks for the Go the tools' go.mod files declare", () => {
    const declared = fs
      .readdirSync(path.join(PROJECT_ROOT, "tools"))
      .flatMap((tool) => {
        const goMod = path.join(PROJECT_ROOT, "tools", tool, "go.mod");
        return fs.existsSync(goMod) ? [/^go (\d+)\.(\d+)/m.exec(fs.readFileSync(goMod, "utf8"))] : [];
      })
      .map((match) => [Number(match?.[1]), Number(match?.[2])] as const)
      .sort(([a, b], [c, d]) => a - c || b - d)
      .pop();
    expect(read("README.md")).toContain(`Go ${declared?.join(".")} or newer`);
  });
});
