// The quickstart in four languages through the real engine, one after the other on one fresh
// kind-shaped test cluster: examples/python (the Python SDK, installed from the wheel
// `npm run build:wheel` builds), examples/go (the Go SDK, sdks/go, which the program's go.mod
// replaces; the Go language host builds the program with `go build`), examples/yaml (the schema
// alone) and last examples/quickstart (TypeScript, the package itself). Each program's `pulumi up`
// from empty ends with 0 errors, Grafana's admin password is a secret stack output, and
// `pulumi preview --expect-no-changes` passes. Each program in another language then has a
// retention the component refuses fail its preview naming the arg, previews one config edit
// (metricsRetention 7d → 14d) and is destroyed with 0 errors; the TypeScript one previews the edit.
// The Python, Go and YAML programs create what the TypeScript one creates, resource for resource,
// and their previews of the edit change what its preview changes.
// The Go program runs with LANGUAGES_GO=1 (and in a record): its builds cost CI about 80 s of a
// lane that sets the run's length, and CI compiles the Go SDK all the same (tests/examples/sdks.test.ts).
// LANGUAGES_RECORD=1 writes the transcripts and times to docs/measured/languages.md.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROFILE_DEFAULTS } from "../../config/defaults";
import { GO_SDK_MODULE } from "../../provider/components";
import { PROJECT_ROOT } from "../../render/renderStack";
import * as k8s from "@kubernetes/client-node";
import { KIND_SHAPE, TestCluster, startCluster, waitFor } from "../kit/cluster";
import { Change, counted, engineChanges } from "../kit/engine/changes";
import { engineErrors } from "../kit/engine/engineStack";
import { EngineRun, EngineWorkspace } from "../kit/engine/workspace";
import { machine, writeMeasured } from "../kit/measured";
import { tools } from "../kit/tools";

const STACK = "dev";
const EXAMPLES = path.join(PROJECT_ROOT, "examples");

type Language = "typescript" | "python" | "go" | "yaml";

interface Program {
  readonly language: Language;
  /** The example's folder under examples/. */
  readonly example: string;
  /** The files of the example the project holds. */
  readonly files: readonly string[];
}

/**
 * In the order they run on the one test cluster, each after the last one's destroy; TypeScript, the
 * baseline, last: its up and previews are what the others are held to, and the cluster goes with it.
 */
const ALL_PROGRAMS: readonly Program[] = [
  { language: "python", example: "python", files: ["__main__.py", "Pulumi.yaml"] },
  { language: "go", example: "go", files: ["main.go", "go.mod", "go.sum", "Pulumi.yaml"] },
  { language: "yaml", example: "yaml", files: ["Pulumi.yaml"] },
  { language: "typescript", example: "quickstart", files: ["index.ts", "Pulumi.yaml", "tsconfig.json"] },
];
const RECORDING = process.env.LANGUAGES_RECORD === "1";
const PROGRAMS = ALL_PROGRAMS.filter(
  (p) => p.language !== "go" || process.env.LANGUAGES_GO === "1" || RECORDING,
);

/**
 * The namespaces the quickstart's StackNamespaces creates (the kind profile's defaults), which a
 * destroy deletes and the next program's up creates again.
 */
const NAMESPACES: readonly string[] = Object.values(PROFILE_DEFAULTS.kind.namespaces);

/** One command of a program's run, as the record shows it. */
interface Transcript {
  readonly command: string;
  readonly status: number;
  readonly seconds: number;
  readonly summary: string;
}

interface Outcome {
  readonly program: Program;
  readonly transcript: Transcript[];
  /** Each resource the up created, by its URN's type and name: the same in every language. */
  readonly created: ReadonlySet<string>;
  /** The edit's preview: type and name → change. */
  readonly edit: ReadonlyMap<string, Change>;
}

/**
 * A URN without its stack and project: `type::name`, which no project name changes (the root
 * stack resource, named after both, is `pulumi:pulumi:Stack`).
 */
const resource = (urn: string): string => {
  const typeAndName = urn.split("::").slice(2).join("::");
  return typeAndName.startsWith("pulumi:pulumi:Stack::") ? "pulumi:pulumi:Stack" : typeAndName;
};

function transcriptOf(run: EngineRun): Transcript {
  const summary = Object.entries(run.summary)
    .map(([op, count]) => `${op} ${count}`)
    .join(", ");
  return { command: run.command, status: run.status, seconds: run.seconds, summary };
}

/** The line of an engine's errors that names the problem. */
const firstLine = (errors: string): string =>
  errors
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.includes("args.")) ?? errors.split("\n")[0];

/** The context the test cluster's kubeconfig names current. */
function currentContext(cluster: TestCluster): string {
  const kubeconfig = yaml.load(fs.readFileSync(cluster.kubeconfigPath, "utf8")) as {
    "current-context": string;
  };
  return kubeconfig["current-context"];
}

let scratch: string;
/** Where the Python SDK's wheel is installed (`pip install --target`), on the programs' PYTHONPATH. */
let pythonSite: string;
/** A package directory named @observability-stack/pulumi whose entry is the repository's lib.ts. */
let packageShim: string;
/** The one kind-shaped test cluster the programs deploy to, one after the other. */
let cluster: TestCluster;
const outcomes = new Map<Language, Outcome>();

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "languages-"));
  const wheels = path.join(scratch, "wheels");
  execFileSync("bash", [path.join(PROJECT_ROOT, "scripts", "buildWheel.sh"), wheels], { stdio: "ignore" });
  const [wheel] = fs.readdirSync(wheels).filter((f) => f.endsWith(".whl"));
  pythonSite = path.join(scratch, "site-packages");
  execFileSync(
    path.join(tools.pulumiPythonVirtualenv(), "bin", "python"),
    ["-m", "pip", "install", "--quiet", "--no-deps", "--target", pythonSite, path.join(wheels, wheel)],
    { stdio: "ignore" },
  );
  cluster = await startCluster(KIND_SHAPE);
  packageShim = path.join(scratch, "node-path");
  const shim = path.join(packageShim, "@observability-stack", "pulumi");
  fs.mkdirSync(shim, { recursive: true });
  fs.writeFileSync(
    path.join(shim, "package.json"),
    JSON.stringify({ name: "@observability-stack/pulumi", main: path.join(PROJECT_ROOT, "lib.ts") }),
  );
});

afterAll(async () => {
  // Undefined when beforeAll failed before starting it.
  await (cluster as TestCluster | undefined)?.stop();
  if (RECORDING && outcomes.size === ALL_PROGRAMS.length) {
    writeMeasured(
      "languages",
      "The quickstart in TypeScript, Python, Go and YAML through the real engine",
      "LANGUAGES_RECORD=1 npx jest tests/cluster/languages.test.ts",
      record(),
    );
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** The project of `program`: its example's files, and for TypeScript the repository's packages. */
function projectOf(program: Program): string {
  const root = path.join(scratch, program.language);
  fs.mkdirSync(root);
  for (const file of program.files) {
    fs.copyFileSync(path.join(EXAMPLES, program.example, file), path.join(root, file));
  }
  if (program.language === "typescript") {
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
  }
  if (program.language === "go") {
    const sdk = path.join(PROJECT_ROOT, "sdks", "go");
    execFileSync("go", ["mod", "edit", "-replace", `${GO_SDK_MODULE}=${sdk}`], { cwd: root });
  }
  return root;
}

function projectName(root: string): string {
  return (yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

async function runProgram(program: Program): Promise<Outcome> {
  const baseline = program.language === "typescript";
  const root = projectOf(program);
  const workspace = new EngineWorkspace({
    kubeconfigPath: cluster.kubeconfigPath,
    projectRoot: root,
    env: { NODE_PATH: packageShim, PYTHONPATH: pythonSite },
  });
  const project = projectName(root);
  const config = (retention: string) => ({
    config: {
      [`${project}:kubeContext`]: currentContext(cluster),
      [`${project}:metricsRetention`]: retention,
    },
  });
  const transcript: Transcript[] = [];
  const must = (run: EngineRun): EngineRun => {
    transcript.push(transcriptOf(run));
    if (run.status !== 0) {
      throw new Error(
        `${program.language}: ${run.command} exited ${run.status}:\n${engineErrors(run)}\n${run.stdout.slice(-3000)}`,
      );
    }
    return run;
  };
  try {
    await workspace.initStack(STACK, config("7d"));
    const up = must(await workspace.up(STACK));
    expect(up.errors).toEqual([]);
    expect(await workspace.output(STACK, "grafanaAdminPassword")).toBe("[secret]");
    must(await workspace.preview(STACK, "--expect-no-changes"));
    if (!baseline) {
      await workspace.writeStackFile(STACK, config("a week"));
      const refused = await workspace.preview(STACK);
      transcript.push({ ...transcriptOf(refused), summary: firstLine(engineErrors(refused)) });
      expect(refused.status).not.toBe(0);
      expect(engineErrors(refused)).toContain("args.metrics.retentionTime");
    }
    await workspace.writeStackFile(STACK, config("14d"));
    const edit = must(await workspace.preview(STACK));
    if (!baseline) {
      const destroy = must(await workspace.destroy(STACK));
      expect(destroy.errors).toEqual([]);
      await namespacesGone();
    }
    const created = new Set(
      [...engineChanges(up.applied)]
        .filter(([, change]) => change === "created")
        .map(([urn]) => resource(urn)),
    );
    const edited = new Map([...engineChanges(edit.planned)].map(([urn, change]) => [resource(urn), change]));
    return { program, transcript, created, edit: edited };
  } finally {
    workspace.remove();
  }
}

/** Once the namespace controller has emptied and removed the destroyed namespaces. */
async function namespacesGone(): Promise<void> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const left = async () =>
    (await core.listNamespace()).body.items.filter((n) => NAMESPACES.includes(n.metadata?.name ?? ""));
  await waitFor(
    async () => ((await left()).length === 0 ? true : undefined),
    "the destroyed namespaces to go",
    120000,
  );
}

describe.each(PROGRAMS)("examples/$example ($language)", (program) => {
  test("up from empty, a secret password, a clean preview, the edit's preview (elsewhere than TypeScript: a refused retention, destroy)", async () => {
    const outcome = await runProgram(program);
    outcomes.set(program.language, outcome);
    for (const step of outcome.transcript)
      console.log(
        `${program.language} | ${step.command} | exit ${step.status} | ${step.seconds.toFixed(1)} s | ${step.summary}`,
      );
    expect(outcome.created.size).toBeGreaterThan(50);
    expect(counted(outcome.edit)).not.toBe("nothing");
  });
});

test.each(PROGRAMS.filter((p) => p.language !== "typescript"))(
  "$language creates what TypeScript creates, and its preview of the edit changes what TypeScript's does",
  ({ language }) => {
    const typescript = outcomes.get("typescript");
    const other = outcomes.get(language);
    if (typescript === undefined || other === undefined) throw new Error("a program's run failed above");
    expect([...other.created].filter((r) => !typescript.created.has(r))).toEqual([]);
    expect([...typescript.created].filter((r) => !other.created.has(r))).toEqual([]);
    expect(Object.fromEntries(other.edit)).toEqual(Object.fromEntries(typescript.edit));
  },
);

/** The record: each program's commands, then the times side by side. */
function record(): string {
  const lines = [`Machine: ${machine()}`, ""];
  for (const { program, transcript, created, edit } of outcomes.values()) {
    lines.push(
      `${program.language} (examples/${program.example}): created ${created.size}; the edit: ${counted(edit)}`,
    );
    for (const step of transcript) {
      lines.push(
        `  ${step.command.padEnd(42)} exit ${step.status}  ${step.seconds.toFixed(1).padStart(6)} s  ${step.summary}`,
      );
    }
  }
  return lines.join("\n");
}
