// A Pulumi program rendered offline, as its own tests see it: run under mocks in a process of its
// own (the Pulumi runtime is process-global), from its directory, with the stack file it names.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { Flow } from "../components/common/flow";
import { KubeObject, kubeObjects } from "../render/manifest";
import type { ClusterObject, Registration } from "../render/mocks";
import type { ProgramRegistrations, ProgramRenderRequest } from "./programProcess";

const run = promisify(execFile);

/** What to render, and the world the program finds. */
export interface ProgramRenderOptions {
  /** The program's directory: its Pulumi.yaml, `Pulumi.<stack>.yaml` and node_modules. */
  readonly dir: string;
  /** The stack whose config it runs with. */
  readonly stack: string;
  /** What every `StackReference` of the program sees. @default nothing */
  readonly stackReferenceOutputs?: Record<string, unknown>;
  /**
   * The objects the cluster holds already, which the program may read (`Namespace.get`): a read of
   * one that is not among them fails, as in `pulumi preview`. @default any read finds its object
   */
  readonly cluster?: readonly ClusterObject[];
}

/** What a program registered under mocks. */
export interface ProgramRender {
  /** Every resource, with its inputs and options, as the engine would have received it. */
  readonly registrations: readonly Registration[];
  /** The Kubernetes objects among them. */
  readonly objects: readonly KubeObject[];
  /** The flows its components made their NetworkPolicies from (each component's `flows`). */
  readonly flows: readonly Flow[];
  /** The stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
}

/**
 * Runs the Pulumi program in `options.dir` as a deployment of `options.stack` under mocks, as the
 * Pulumi CLI would run it there (TypeScript compiled by the program's own TypeScript), and returns
 * what it registered. What providers compute is stood in for: AWS resources get the ARNs and
 * bucket names AWS would give them, in account 123456789012. A program that fails (a component
 * refusing its args, an Output refused once known) rejects with its error.
 */
export async function renderProgram(options: ProgramRenderOptions): Promise<ProgramRender> {
  const dir = path.resolve(options.dir);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "program-render-"));
  try {
    const request: ProgramRenderRequest = {
      dir,
      stack: options.stack,
      stackReferenceOutputs: options.stackReferenceOutputs ?? {},
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
      out: path.join(scratch, "render.json"),
    };
    const requestFile = path.join(scratch, "request.json");
    fs.writeFileSync(requestFile, JSON.stringify(request));
    try {
      await run(process.execPath, [path.join(__dirname, "programProcess.js"), requestFile], {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`the program in ${dir} failed as stack ${options.stack}:\n${stderr ?? String(error)}`);
    }
    const rendered = JSON.parse(fs.readFileSync(request.out, "utf8")) as ProgramRegistrations;
    return { ...rendered, objects: kubeObjects(rendered.registrations) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
