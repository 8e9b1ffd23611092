// The real Pulumi engine on this project: the CLI built from pulumi/pkg/v3, the Node.js, Python and
// Go language hosts and the policy analyzer from pulumi/sdk/v3, the YAML language host from pulumi-yaml,
// the Kubernetes provider from pulumi-kubernetes'
// provider module, and stand-ins for the providers the module proxy refuses (random, Grafana),
// each found on PATH as the engine finds any plugin. A workspace is a project directory of its own
// (the repository's files linked in, its own stack files), a file state backend and a Pulumi home,
// all in one temporary directory, so runs never touch the checkout's stack files or ~/.pulumi.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { processTable } from "../processTable";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { tools } from "../tools";
import { EngineEvents, readJsonOutput } from "./events";

/** Stand-ins for the providers the module proxy refuses, each a plugin `pulumi-resource-<name>`. */
const STAND_IN_PROVIDERS: Readonly<Record<string, string>> = {
  random: path.join(__dirname, "randomProvider.ts"),
  grafana: path.join(__dirname, "grafanaProvider.ts"),
};

/**
 * The package's own provider (provider/main.ts), run from its source as the plugin
 * `pulumi-resource-observability` that bin/ installs from dist/: what a program in another language
 * that uses the components starts.
 */
const PACKAGE_PROVIDER = { name: "observability", script: path.join(PROJECT_ROOT, "provider", "main.ts") };

const POLICY_PROJECT = "PulumiPolicy.yaml";
/** The runtime name of the policy pack's copy: one no language host answers to (see policyPack). */
const POLICY_RUNTIME = "nodejs-pack";

/** The repository's entries a project directory must not link: its own stack files take their place. */
const NOT_LINKED = /^(Pulumi\.[^.]+\.yaml|\.git|\.pulumi)$/;

export interface EngineRun extends EngineEvents {
  readonly command: string;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface WorkspaceOptions {
  /** The cluster's kubeconfig; its current context is renamed to the stack's `cluster.kubeContext`. */
  readonly kubeconfigPath?: string;
  /** The project's files: the repository by default, or a checkout of another revision. */
  readonly projectRoot?: string;
  /** Added to every run's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Type-check the program as the SDK does by default. @default false */
  readonly typeCheck?: boolean;
}

/**
 * How a run is cut short once its update has changed `afterChanges` resources: `SIGINT` to the CLI,
 * as Ctrl-C in a terminal sends it (the engine's graceful cancel), or `SIGKILL` to the CLI and
 * every process it started (the language host, the program, the providers), as a closed laptop
 * or a cancelled CI job ends them; with `cliOnly`, to the CLI's pid alone, as `kill -9 <pid>`
 * does: its plugins, each in a process group of its own, go on.
 */
export interface Interruption {
  readonly signal: "SIGINT" | "SIGKILL";
  readonly afterChanges: number;
  readonly cliOnly?: boolean;
}

/** Something to do while an update runs, once it has changed `afterChanges` resources. */
export interface ChangeWatch {
  readonly afterChanges: number;
  then(cli: ChildProcess): void;
}

/** The watch that interrupts the CLI as `interruption` says. */
export function interrupting(interruption: Interruption): ChangeWatch {
  return {
    afterChanges: interruption.afterChanges,
    then: (cli) => interrupt(cli, interruption.signal, interruption.cliOnly === true),
  };
}

/** A stack file as Pulumi reads it: `config` values as YAML (structured where the program reads objects). */
export interface StackFile {
  readonly config: Readonly<Record<string, unknown>>;
  /** `namespace:key.path` → a value to store encrypted (`pulumi config set --secret --path`). */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** What a shell needs to run the engine built here on the program at `projectDir`. */
export interface EngineEnvironment {
  /** Directories to put first on PATH: the stand-in providers, the CLI, language host and providers, Node.js, Go. */
  readonly path: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
}

const PROGRAM_PRELOAD = path.join(PROJECT_ROOT, "tests", "support", "programPreload.js");
const TRANSPILE = path.join(PROJECT_ROOT, "tests", "support", "transpileCache.js");

/**
 * The engine's environment, its stand-in providers written into `bin` as the plugins the engine
 * looks for on PATH: no update check and no plugin download, the SDK told the project's root, and
 * the program's types only stripped (through Sucrase, its output cached) unless `typeCheck`.
 */
export function engineEnvironment(bin: string, projectDir: string, typeCheck: boolean): EngineEnvironment {
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, script] of [
    ...Object.entries(STAND_IN_PROVIDERS),
    [PACKAGE_PROVIDER.name, PACKAGE_PROVIDER.script],
  ]) {
    const plugin = path.join(bin, `pulumi-resource-${name}`);
    fs.writeFileSync(
      plugin,
      `#!/bin/sh\nexec "${process.execPath}" -r "${TRANSPILE}" -r "${PROGRAM_PRELOAD}" "${script}" "$@"\n`,
    );
    fs.chmodSync(plugin, 0o755);
  }
  if (!typeCheck) {
    // The Node.js language host, ahead of the built one on PATH, loading the program through
    // Sucrase instead of ts-node, through a cache of its output (tests/support/transpileCache.js):
    // both only strip the types, but ts-node loads the TypeScript compiler first, most of a program
    // run's CPU; and without what the SDK loads and the program never uses
    // (tests/support/programPreload.js). (The CLI built here passes a host no runtime options, so
    // the flags of Pulumi.yaml's `nodeargs` are given here.)
    const host = tools.pulumiLanguageNodejs();
    fs.writeFileSync(
      path.join(bin, "pulumi-language-nodejs"),
      `#!/bin/sh\nexec "${host}" -typescript=false "-nodeargs=--require ${TRANSPILE} --require ${PROGRAM_PRELOAD}" "$@"\n`,
    );
    fs.chmodSync(path.join(bin, "pulumi-language-nodejs"), 0o755);
  }
  return {
    path: [bin, ...tools.pulumiDirectories(), path.dirname(process.execPath), ...goDirectory()],
    variables: {
      // The Go language host builds a Go program with the `go` of PATH, as this machine's Go
      // settings say (its module cache, build cache and module proxy).
      ...goVariables(),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // What the language host of the CLI's own release passes the SDK (`--root-directory`, which
      // the SDK's runner turns into this variable); the older host built here does not, and the
      // SDK would then answer the placeholder "rootDirectory" for the project's root.
      PULUMI_NODEJS_ROOT_DIRECTORY: projectDir,
      NODE_OPTIONS: "--max-old-space-size=4096",
      // The interpreter the Python language host (sdk/v3 v3.68.0) runs a program with, and asks
      // which Pulumi packages (so which providers) it uses: the virtualenv's, whose site-packages
      // hold the SDK. A project's `runtime.options.virtualenv` does not reach this host: the CLI
      // of this release passes a language host only the engine's address, no `-virtualenv` flag.
      PULUMI_PYTHON_CMD: path.join(tools.pulumiPythonVirtualenv(), "bin", "python"),
      // The SDK type-checks a TypeScript program on each of the two runs of an up (preview, then
      // update), twice the program's own run time; `npm run build` type-checks it once instead.
      ...(typeCheck ? {} : { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }),
    },
  };
}

/** The Go settings a Go program's build reads from the environment, where this process has them. */
const GO_VARIABLES = [
  "GOPATH",
  "GOENV",
  "GOCACHE",
  "GOMODCACHE",
  "GOPROXY",
  "GOFLAGS",
  "GONOSUMDB",
  "GOSUMDB",
  "GOTOOLCHAIN",
];

function goVariables(): Record<string, string> {
  return Object.fromEntries(
    GO_VARIABLES.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/** The directory of the `go` on this process's PATH (the one the tools are built with), if any. */
function goDirectory(): string[] {
  const dir = (process.env.PATH ?? "")
    .split(path.delimiter)
    .find((d) => d !== "" && fs.existsSync(path.join(d, "go")));
  return dir === undefined ? [] : [dir];
}

export class EngineWorkspace {
  readonly dir: string;
  readonly projectDir: string;
  private readonly env: Record<string, string>;
  /** The CLI runs under way, stopped by remove() (a test that timed out leaves one holding the stack's lock). */
  private readonly running = new Set<ChildProcess>();

  constructor(options: WorkspaceOptions = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-engine-"));
    this.projectDir = path.join(this.dir, "project");
    fs.mkdirSync(this.projectDir);
    this.linkProject(options.projectRoot ?? PROJECT_ROOT);
    const engine = engineEnvironment(path.join(this.dir, "bin"), this.projectDir, options.typeCheck === true);
    this.env = {
      ...engine.variables,
      PATH: [...engine.path, "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
      HOME: process.env.HOME ?? this.dir,
      PULUMI_HOME: path.join(this.dir, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      // `--event-log`, through which the Automation API (and so the pulumi/actions step of the
      // review workflow) reads a run's engine events, the policy packs' among them.
      PULUMI_DEBUG_COMMANDS: "true",
      ...(options.kubeconfigPath === undefined
        ? {}
        : { KUBECONFIG: this.kubeconfigFor(options.kubeconfigPath) }),
      ...options.env,
    };
    fs.mkdirSync(path.join(this.dir, "state"));
  }

  /**
   * Makes the project directory the program of the checkout at `root`: every entry of it linked,
   * the stack files kept. What an upgrade is: the same stacks, the next release's program.
   */
  linkProject(root: string): void {
    for (const entry of fs.readdirSync(this.projectDir)) {
      if (fs.lstatSync(path.join(this.projectDir, entry)).isSymbolicLink()) {
        fs.unlinkSync(path.join(this.projectDir, entry));
      }
    }
    for (const entry of fs.readdirSync(root)) {
      if (!NOT_LINKED.test(entry)) {
        fs.symlinkSync(path.join(root, entry), path.join(this.projectDir, entry));
      }
    }
  }

  /**
   * The policy pack at `dir` as this engine can run it, for `--policy-pack`. The engine of the CLI's
   * release runs a Node.js pack through its language host's RunPlugin, which the host built here
   * (sdk/v3 v3.68.0, the last that holds it) answers "not supported"; for a runtime without a
   * language host the engine still starts `pulumi-analyzer-policy-<runtime>`, which is how it ran
   * packs before. So the copy names its runtime `nodejs-pack`, and that plugin is the SDK's own
   * analyzer script, which runs the same `@pulumi/pulumi/cmd/run-policy-pack` the host would.
   */
  policyPack(dir: string): string {
    const copy = path.join(this.dir, "policy-packs", path.basename(dir));
    if (fs.existsSync(copy)) return copy;
    fs.mkdirSync(copy, { recursive: true });
    for (const entry of fs.readdirSync(dir).filter((e) => e !== POLICY_PROJECT)) {
      fs.symlinkSync(path.join(dir, entry), path.join(copy, entry));
    }
    // The analyzer resolves the SDK from the pack's directory: the copy sees the packages the pack
    // sees where it is, its own or those of a directory above it.
    const packages = nearestNodeModules(dir);
    if (!fs.existsSync(path.join(copy, "node_modules")) && packages !== undefined) {
      fs.symlinkSync(packages, path.join(copy, "node_modules"));
    }
    const project = yaml.load(fs.readFileSync(path.join(dir, POLICY_PROJECT), "utf8")) as {
      runtime: { name: string; options?: Record<string, unknown> };
    };
    fs.writeFileSync(
      path.join(copy, POLICY_PROJECT),
      yaml.dump({ ...project, runtime: { ...project.runtime, name: POLICY_RUNTIME } }),
    );
    const plugin = path.join(this.dir, "bin", `pulumi-analyzer-policy-${POLICY_RUNTIME}`);
    const analyzer = tools
      .pulumiDirectories()
      .map((d) => path.join(d, "pulumi-analyzer-policy"))
      .find(fs.existsSync);
    fs.writeFileSync(plugin, `#!/bin/sh\nexec "${analyzer ?? "pulumi-analyzer-policy"}" "$@"\n`);
    fs.chmodSync(plugin, 0o755);
    return copy;
  }

  /** A copy of the cluster's kubeconfig whose current context will be renamed per stack. */
  private kubeconfigFor(kubeconfigPath: string): string {
    const copy = path.join(this.dir, "kubeconfig");
    fs.copyFileSync(kubeconfigPath, copy);
    return copy;
  }

  /** Names the kubeconfig's current context as a stack's `cluster.kubeContext` says. */
  private nameContext(context: string): void {
    const file = this.env.KUBECONFIG;
    if (file === undefined) {
      return;
    }
    const kubeconfig = yaml.load(fs.readFileSync(file, "utf8")) as {
      contexts: { name: string; context: unknown }[];
      "current-context": string;
    };
    const current = kubeconfig.contexts.find((c) => c.name === kubeconfig["current-context"]);
    if (current !== undefined && current.name !== context) {
      kubeconfig.contexts = [
        ...kubeconfig.contexts.filter((c) => c.name !== context),
        { ...current, name: context },
      ];
      fs.writeFileSync(file, JSON.stringify(kubeconfig));
    }
  }

  /** The stack file `Pulumi.<stack>.yaml` of this workspace. */
  stackFilePath(stack: string): string {
    return path.join(this.projectDir, `Pulumi.${stack}.yaml`);
  }

  /**
   * `pulumi stack init <stack>` with the passphrase secrets provider (the empty passphrase), after
   * writing its stack file; the secrets are then set through the CLI, encrypted as a user's would be.
   */
  async initStack(stack: string, file: StackFile): Promise<void> {
    await this.writeStackFile(stack, file);
    await this.must(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    await this.setSecrets(stack, file.secrets ?? {});
  }

  /** Rewrites the stack's config (what an edit of `Pulumi.<stack>.yaml` does), keeping its salt. */
  async writeStackFile(stack: string, file: StackFile): Promise<void> {
    const target = this.stackFilePath(stack);
    const existing = fs.existsSync(target)
      ? (yaml.load(fs.readFileSync(target, "utf8")) as { encryptionsalt?: string } | null)
      : null;
    const kubeContext = (file.config["observability:cluster"] as { kubeContext?: string } | undefined)
      ?.kubeContext;
    if (kubeContext !== undefined) {
      this.nameContext(kubeContext);
    }
    fs.writeFileSync(
      target,
      yaml.dump({
        ...(existing?.encryptionsalt === undefined ? {} : { encryptionsalt: existing.encryptionsalt }),
        config: file.config,
      }),
    );
    if (existing !== null) {
      await this.setSecrets(stack, file.secrets ?? {});
    }
  }

  private async setSecrets(stack: string, secrets: Readonly<Record<string, string>>): Promise<void> {
    const pairs = Object.entries(secrets).flatMap(([key, value]) => ["--secret", `${key}=${value}`]);
    if (pairs.length > 0) {
      await this.must(["config", "set-all", "--stack", stack, "--path", ...pairs]);
    }
  }

  /** `pulumi up --yes`: the preview it runs first and the steps it then takes. */
  up(stack: string, ...args: string[]): Promise<EngineRun> {
    return this.run(["up", "--stack", stack, "--yes", ...args]);
  }

  /** `pulumi up --yes`, with `watch` done part-way. */
  watchedUp(stack: string, watch: ChangeWatch, ...args: string[]): Promise<EngineRun> {
    return this.run(["up", "--stack", stack, "--yes", ...args], watch);
  }

  preview(stack: string, ...args: string[]): Promise<EngineRun> {
    return this.run(["preview", "--stack", stack, ...args]);
  }

  destroy(stack: string, ...args: string[]): Promise<EngineRun> {
    return this.run(["destroy", "--stack", stack, "--yes", ...args]);
  }

  /** `pulumi destroy --yes`, with `watch` done part-way. */
  watchedDestroy(stack: string, watch: ChangeWatch, ...args: string[]): Promise<EngineRun> {
    return this.run(["destroy", "--stack", stack, "--yes", ...args], watch);
  }

  /** `pulumi stack export`: the state as the backend holds it. */
  async exportState(stack: string): Promise<string> {
    return (await this.must(["stack", "export", "--stack", stack])).stdout;
  }

  /** One stack output (secrets shown when asked). */
  async output(stack: string, name: string, showSecrets = false): Promise<string> {
    const args = ["stack", "output", "--stack", stack, name, ...(showSecrets ? ["--show-secrets"] : [])];
    return (await this.must(args)).stdout.trim();
  }

  /**
   * Runs the CLI in the project directory; an engine command prints its plan and events as JSON.
   * With `watch`, what it says is done part-way through the update.
   */
  async run(args: readonly string[], watch?: ChangeWatch): Promise<EngineRun> {
    const engineCommand = ["up", "preview", "destroy", "refresh"].includes(args[0]);
    const fullArgs = [...args, "--non-interactive", ...(engineCommand ? ["--json"] : [])];
    const start = Date.now();
    const { status, stdout, stderr } = await this.exec("pulumi", fullArgs, watch);
    return {
      command: `pulumi ${args.join(" ")}`,
      status,
      stdout,
      stderr,
      seconds: (Date.now() - start) / 1000,
      ...readJsonOutput(engineCommand ? stdout : ""),
    };
  }

  /**
   * Runs `file` in the project directory with the workspace's environment (its backend, Pulumi
   * home and the engine on PATH), as a user's shell would; `watch` is done once the update it runs
   * has changed that many resources.
   */
  exec(
    file: string,
    args: readonly string[],
    watch?: ChangeWatch,
  ): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: this.projectDir,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      this.running.add(child);
      let out = "";
      let err = "";
      let changed = 0;
      let read = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (watch === undefined || changed >= watch.afterChanges) return;
        const complete = out.lastIndexOf("\n") + 1;
        changed += out.slice(read, complete).split("\n").filter(isChangeDone).length;
        read = complete;
        if (changed >= watch.afterChanges) watch.then(child);
      });
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code, signal) => {
        this.running.delete(child);
        resolve({
          status: code ?? (signal === null ? 1 : 128 + os.constants.signals[signal]),
          stdout: out,
          stderr: err,
        });
      });
    });
  }

  /** Runs the CLI and throws with its output when it fails. */
  async must(args: readonly string[]): Promise<EngineRun> {
    const run = await this.run(args);
    if (run.status !== 0) {
      throw new Error(`${run.command} exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
    }
    return run;
  }

  /** Sets a variable of every later run's environment (a user exporting it in their shell). */
  setEnv(name: string, value: string): void {
    this.env[name] = value;
  }

  remove(): void {
    for (const child of this.running) child.kill("SIGKILL");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The engine's steps that change a resource in the cluster (not `same`, `read` or `refresh`). */
const CHANGING_OPS = ["create", "update", "delete", "replace", "create-replacement", "delete-replaced"];

/** Whether an event line of `pulumi up --json` is a step that changed a resource, done. */
function isChangeDone(line: string): boolean {
  if (!line.includes('"resOutputsEvent"')) return false;
  const event = JSON.parse(line) as { resOutputsEvent: { planning?: boolean; metadata: { op: string } } };
  return event.resOutputsEvent.planning !== true && CHANGING_OPS.includes(event.resOutputsEvent.metadata.op);
}

/** Sends `signal` to the CLI; SIGKILL also ends every process it started (which outlive it otherwise), unless `cliOnly`. */
export function interrupt(child: ChildProcess, signal: Interruption["signal"], cliOnly = false): void {
  if (child.pid === undefined) return;
  const family = signal === "SIGKILL" && !cliOnly ? [child.pid, ...descendants(child.pid)] : [child.pid];
  for (const pid of family) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

/** Every process below `pid` in the process tree, read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid: child, ppid } of processTable()) {
    children.set(ppid, [...(children.get(ppid) ?? []), child]);
  }
  const below = (p: number): number[] => (children.get(p) ?? []).flatMap((c) => [c, ...below(c)]);
  return below(pid);
}

/** The `node_modules` directory Node.js resolves packages from for a script in `dir`. */
function nearestNodeModules(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const candidate = path.join(at, "node_modules");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}
