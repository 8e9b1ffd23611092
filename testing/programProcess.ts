// Run as a process of its own (renderProgram starts it): a Pulumi program, installed in its own
// directory, as a mock deployment of one of its stacks, the way the Pulumi CLI would run it there:
// its Pulumi.yaml, its stack file's config, its directory as the project root and working
// directory, its own node_modules, its TypeScript compiled by its own TypeScript. Writes what it
// registered to a JSON file.
import * as fs from "fs";
import * as yaml from "js-yaml";
import { createRequire } from "module";
import * as path from "path";
import { Flow } from "../components/common/flow";
import { ClusterObject, RecordingMocks, Registration } from "../render/mocks";
import { readStackFile } from "../render/stackFile";
import { startMockDeployment, waitForRegistrations } from "../runtime/pulumiSdk";

/** What the parent asks for. */
export interface ProgramRenderRequest {
  /** The program's directory: its Pulumi.yaml, stack files and node_modules. */
  readonly dir: string;
  readonly stack: string;
  /** What every stack reference of the program sees. */
  readonly stackReferenceOutputs: Record<string, unknown>;
  /** The objects the cluster holds before the deployment, which the program may read; without them a read finds its id alone. */
  readonly cluster?: readonly ClusterObject[];
  /** Where the result goes. */
  readonly out: string;
}

/** What the program registered, and the flows its components made their NetworkPolicies from. */
export interface ProgramRegistrations {
  readonly registrations: readonly Registration[];
  /** Each component's `flows`, once each. */
  readonly flows: readonly Flow[];
  /** The stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
}

interface ProgramPulumi {
  output(value: unknown): { apply(f: (v: unknown) => void): unknown };
  ComponentResource: {
    prototype: { registerOutputs: (this: { flows?: unknown }, outputs?: unknown) => void };
  };
}

interface ProgramTypeScript {
  transpileModule(
    text: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string },
  ): { outputText: string };
  ModuleKind: { CommonJS: unknown };
  ScriptTarget: { ES2020: unknown };
}

/**
 * Collects the `flows` of every component the program constructs, as each registers its outputs
 * (the last thing a component does), on the program's own copy of the Pulumi SDK.
 */
function collectFlows(pulumi: ProgramPulumi): Flow[] {
  const flows: Flow[] = [];
  const seen = new Set<string>();
  const prototype = pulumi.ComponentResource.prototype;
  const registerOutputs = prototype.registerOutputs;
  prototype.registerOutputs = function (this: { flows?: unknown }, outputs?: unknown) {
    for (const flow of Array.isArray(this.flows) ? (this.flows as Flow[]) : []) {
      const key = JSON.stringify(flow);
      if (!seen.has(key)) {
        seen.add(key);
        flows.push(flow);
      }
    }
    registerOutputs.call(this, outputs);
  };
  return flows;
}

/** Compiles the program's own `.ts` files as they load, with the program's TypeScript, as Pulumi's ts-node would. */
function compileTypeScript(programRequire: NodeJS.Require): void {
  const ts = programRequire("typescript") as ProgramTypeScript;
  const extensions = (programRequire as unknown as { extensions: Record<string, unknown> }).extensions;
  extensions[".ts"] = (module: { _compile(code: string, file: string): void }, file: string) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2020,
        esModuleInterop: true,
        sourceMap: false,
      },
      fileName: file,
    });
    module._compile(outputText, file);
  };
}

/** The program's entry point: Pulumi.yaml's `main`, else package.json's, else index.ts. */
function entryPoint(dir: string, project: { main?: string }): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { main?: string };
  return path.resolve(dir, project.main ?? pkg.main ?? "index.ts");
}

async function render(request: ProgramRenderRequest): Promise<ProgramRegistrations> {
  const { dir, stack } = request;
  const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    main?: string;
  };
  const { config, secretKeys } = readStackFile(stack, dir);
  const mocks = new RecordingMocks(request.stackReferenceOutputs, request.cluster);
  await startMockDeployment(mocks, { project: project.name, stack, config, secretKeys, rootDirectory: dir });
  const programRequire = createRequire(path.join(dir, "package.json"));
  compileTypeScript(programRequire);
  const pulumi = programRequire("@pulumi/pulumi") as ProgramPulumi;
  const flows = collectFlows(pulumi);
  process.chdir(dir);
  const program = programRequire(entryPoint(dir, project)) as unknown;
  // A module whose export is a function is run, as Pulumi runs it; what it returns is the stack outputs.
  const exported = typeof program === "function" ? await (program as () => unknown)() : program;
  const outputs = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi.output(exported ?? {}).apply((value) => resolve(value as Record<string, unknown>)),
  );
  await waitForRegistrations();
  return { registrations: mocks.registrations, flows, outputs };
}

// A failure the program meets once an Output is known (a refused value) rejects a promise nothing
// awaits: it fails the render as it fails `pulumi up`, with its message.
process.on("unhandledRejection", (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as ProgramRenderRequest;
render(request)
  .then((result) => fs.writeFileSync(request.out, JSON.stringify(result)))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
