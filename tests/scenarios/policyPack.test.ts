// The policy pack started as `pulumi preview --policy-pack policy` starts it: the SDK's analyzer
// (`@pulumi/pulumi/cmd/run-policy-pack`) run in the pack's directory, which compiles it with its
// own TypeScript options, not the project's, then serves it to the engine over the analyzer
// protocol. The engine's calls are made here: the pack must start, name every policy of rules.ts,
// and report on a stack what rules.ts reports.
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/analyzer_pb";
import { POLICIES, PolicyInput } from "../../policy/rules";
import { PROJECT_ROOT } from "../../render/renderStack";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../support/renderedStacks";
import { exited, freePort } from "../kit/processes";

const PACK = path.join(PROJECT_ROOT, "policy");

interface RunningPack {
  readonly client: AnalyzerClient;
  stop(): Promise<void>;
}

/** Starts the pack as the engine does and connects to the port it prints first. */
async function startPack(): Promise<RunningPack> {
  // The engine's own address, which the pack calls only to log; nothing listens there.
  const engine = `127.0.0.1:${await freePort()}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), engine, "."],
    { cwd: PACK, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0].trim());
    });
    child.once("exit", (code) =>
      reject(new Error(`the pack exited with ${code} before its port:\n${output}`)),
    );
  });
  const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    client,
    stop: async () => {
      client.close();
      child.kill("SIGTERM");
      await exited(child);
    },
  };
}

const call = <Res>(method: (callback: (error: grpc.ServiceError | null, response: Res) => void) => void) =>
  new Promise<Res>((resolve, reject) =>
    method((error, response) => (error === null ? resolve(response) : reject(error))),
  );

/** The engine's request to analyze a whole stack, one resource per input. */
function stackRequest(resources: readonly PolicyInput[]): rpc.AnalyzeStackRequest {
  return new rpc.AnalyzeStackRequest().setResourcesList(
    resources.map((r, i) =>
      new rpc.AnalyzerResource()
        .setType(r.type)
        .setName(`r${i}`)
        .setUrn(`urn:pulumi:kind::observability::${r.type}::r${i}`)
        .setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.props))))
        .setOptions(new rpc.AnalyzerResourceOptions().setProtect(r.protect)),
    ),
  );
}

let pack: RunningPack;
beforeAll(async () => {
  pack = await startPack();
}, 60000);
afterAll(() => pack?.stop());

test("the pack starts under the SDK's analyzer and names every policy of rules.ts, each mandatory", async () => {
  const info = await call<rpc.AnalyzerInfo>((cb) => pack.client.getAnalyzerInfo(new Empty(), cb));
  expect(info.getName()).toBe("observability");
  expect(info.getPoliciesList().map((p) => p.getName())).toEqual(POLICIES.map((p) => p.name));
  expect(new Set(info.getPoliciesList().map((p) => p.getEnforcementlevel()))).toEqual(
    new Set([rpc.EnforcementLevel.MANDATORY]),
  );
});

test("on the kind stack it reports nothing; without the rollout waits it reports what rules.ts reports", async () => {
  const { registrations, objects } = await rendered("kind");
  const resources: PolicyInput[] = registrations.map((r) => ({
    type: r.type,
    props: r.inputs,
    protect: r.protect,
  }));
  const analyze = async (stack: readonly PolicyInput[]) =>
    (await call<rpc.AnalyzeResponse>((cb) => pack.client.analyzeStack(stackRequest(stack), cb)))
      .getDiagnosticsList()
      .map((d) => ({ policy: d.getPolicyname(), message: d.getMessage() }));

  expect(await analyze(resources)).toEqual([]);

  const unwaited = (o: KubeObject): PolicyInput => ({
    type: `kubernetes:apps/v1:${o.kind}`,
    props: {
      ...o,
      metadata: {
        ...o.metadata,
        annotations: Object.fromEntries(
          Object.entries(o.metadata.annotations ?? {}).filter(([key]) => key !== "pulumi.com/waitFor"),
        ),
      },
    },
    protect: false,
  });
  const controllers = objects
    .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
    .map(unwaited);
  // The analyzer puts each policy's description above the violation's own message.
  const expected = POLICIES.flatMap((p) =>
    p.check(controllers).map((message) => ({ policy: p.name, message: `${p.description}\n${message}` })),
  );
  expect(expected.map((d) => d.policy)).toContain("rollouts-awaited");
  expect((await analyze(controllers)).sort(byMessage)).toEqual(expected.sort(byMessage));
});

const byMessage = (a: { message: string }, b: { message: string }) => a.message.localeCompare(b.message);
