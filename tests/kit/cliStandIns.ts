// A machine for the local scripts (scripts/up.sh, down.sh, output.sh) and the review workflow's steps
// to run on: a PATH of stand-ins for the CLIs they call (tests/kit/standIns/: pulumi, kind, kubectl,
// npm, gh; docker answers `info`) beside the real utilities and Node.js, its own HOME (Pulumi's ~/.pulumi, kubectl's
// ~/.kube/config) and a state directory in which every call is recorded.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { transform } from "sucrase";
import { PROJECT_ROOT } from "../../render/renderStack";
import { RenderedStack } from "../../render/renderStack";
import { EngineEnvironment, engineEnvironment } from "./engine/workspace";

/** Real programs the scripts use besides the CLIs stood in for. */
const UTILITIES = ["sh", "bash", "dirname", "sed", "grep", "sort", "head", "cat", "tr", "jq", "node", "npm"];
const STAND_INS = ["pulumi", "kind", "kubectl", "npm", "gh"];
const MODULES = ["machine", "kubeconfig", "passphrase"];

/** The SDK version package.json pins: the Pulumi CLI stand-in's version. */
const SDK_VERSION: string = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"))
  .devDependencies["@pulumi/pulumi"];

export interface Call {
  readonly tool: string;
  readonly args: readonly string[];
  /** Whether PULUMI_CONFIG_PASSPHRASE(_FILE) was set for the call. */
  readonly passphrase: boolean;
}

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function which(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (found === "") {
    throw new Error(`${name} is needed to run the scripts against stand-ins`);
  }
  return found;
}

const compiled = (file: string) =>
  transform(fs.readFileSync(path.join(PROJECT_ROOT, "tests/kit", "standIns", `${file}.ts`), "utf8"), {
    transforms: ["typescript", "imports"],
  }).code;

export class StandInMachine {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "standins-"));
  readonly bin = path.join(this.dir, "bin");
  readonly home = path.join(this.dir, "home");
  readonly state = path.join(this.dir, "state");

  /** The real engine's environment, when the machine runs the real `pulumi`. */
  private readonly engine?: EngineEnvironment;

  /**
   * `realNpm`: the user's own npm, for `npm run` commands; otherwise npm's stand-in, for up.sh's
   * verify. `realPulumi`: the Pulumi CLI, language host and providers built here (tests/kit/engine/),
   * instead of pulumi's stand-in.
   */
  constructor(options: { readonly realNpm?: boolean; readonly realPulumi?: boolean } = {}) {
    for (const d of [this.bin, this.home, this.state]) fs.mkdirSync(d);
    for (const utility of UTILITIES) fs.symlinkSync(which(utility), path.join(this.bin, utility));
    // The stand-ins' shared modules sit beside them; none is a command.
    const lib = path.join(this.dir, "lib");
    fs.mkdirSync(lib);
    for (const module of MODULES) fs.writeFileSync(path.join(lib, `${module}.js`), compiled(module));
    if (options.realPulumi === true) {
      this.engine = engineEnvironment(path.join(this.dir, "engine"), PROJECT_ROOT, false);
    }
    const real = (tool: string) =>
      (options.realNpm === true && tool === "npm") || (options.realPulumi === true && tool === "pulumi");
    for (const tool of STAND_INS.filter((t) => !real(t))) {
      fs.rmSync(path.join(this.bin, tool), { force: true });
      fs.writeFileSync(path.join(lib, `${tool}.js`), compiled(tool));
      fs.writeFileSync(
        path.join(this.bin, tool),
        `#!/bin/sh\nexec node ${path.join(lib, `${tool}.js`)} "$@"\n`,
        {
          mode: 0o755,
        },
      );
    }
    fs.writeFileSync(path.join(this.bin, "docker"), '#!/bin/sh\ntest "$1" = info\n', { mode: 0o755 });
  }

  /**
   * What `pulumi up` finds when it runs the program: the render's outputs, secret ones marked; with
   * `failure`, the step of `resource` fails with the provider's `error` and the update with it.
   */
  program(rendered: RenderedStack, failure?: { readonly resource: string; readonly error: string }): void {
    fs.writeFileSync(
      path.join(this.state, "program.json"),
      JSON.stringify({
        outputs: rendered.outputs,
        secretOutputs: rendered.secretOutputs,
        resources: rendered.registrations.length,
        names: rendered.registrations.map((r) => `${r.type}::${r.name}`),
        ...(failure === undefined ? {} : { failure }),
      }),
    );
  }

  /**
   * What a killed up left in `stack`'s state: pending creates of the resources named `type::name`
   * (the real engine keeps them through later ups until a refresh clears them).
   */
  killedUpLeft(stack: string, pending: readonly string[]): void {
    const file = path.join(this.home, ".pulumi", "stacks", "observability", `${stack}.json`);
    const checkpoint = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...checkpoint,
        pendingCreates: pending.map((name) => `urn:pulumi:${stack}::observability::${name}`),
      }),
    );
  }

  /** What `npm run -s verify -- <stack>` prints and its exit code. */
  verify(stdout: string, code: number): void {
    fs.writeFileSync(path.join(this.state, "verify.json"), JSON.stringify({ stdout, code }));
  }

  /** What `npm run -s review` writes, and the subjects of the risks it holds the change for. */
  review(markdown: string, risks: readonly string[]): void {
    fs.writeFileSync(path.join(this.state, "review.json"), JSON.stringify({ markdown, risks }));
  }

  /** The pull request's comments, as `gh api` keeps them. */
  comments(): { id: number; body: string; user: { login: string } }[] {
    const file = path.join(this.state, "comments.json");
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
  }

  /** A comment someone made on the pull request. */
  comment(body: string, login: string): void {
    const all = this.comments();
    const id = Math.max(100, ...all.map((c) => c.id)) + 1;
    fs.writeFileSync(
      path.join(this.state, "comments.json"),
      JSON.stringify([...all, { id, body, user: { login } }]),
    );
  }

  /** The environment of a user's shell on this machine, with `extra` set. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...this.engine?.variables,
      PATH: [this.bin, ...(this.engine?.path ?? [])].join(path.delimiter),
      HOME: this.home,
      NODE_PATH: path.join(PROJECT_ROOT, "node_modules"),
      OBSERVABILITY_STANDINS: this.state,
      OBSERVABILITY_STANDIN_PULUMI_VERSION: SDK_VERSION,
      // npm would ask the registry whether a newer npm exists.
      npm_config_update_notifier: "false",
      ...extra,
    };
  }

  /** Runs `command` (a shell command line) in the project root, as the user would type it. */
  run(command: string, extra: Record<string, string> = {}): ScriptRun {
    const run = spawnSync(which("bash"), ["-c", command], {
      cwd: PROJECT_ROOT,
      env: this.env(extra),
      encoding: "utf8",
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /** `run`, without blocking the event loop: for a script that waits on servers this process runs. */
  runAsync(command: string, extra: Record<string, string> = {}): Promise<ScriptRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(which("bash"), ["-c", command], { cwd: PROJECT_ROOT, env: this.env(extra) });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  }

  /** Every call made so far, in order; `since` skips the first ones. */
  calls(since = 0): Call[] {
    const file = path.join(this.state, "calls.jsonl");
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Call)
      .slice(since);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
