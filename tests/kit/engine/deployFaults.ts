// What users meet when a deploy goes wrong, each run through the real engine on the test control
// plane and recovered as docs/troubleshooting.md says: an interrupted up, drift, another field
// manager, a workload that never becomes ready, two ups at once, a changed secrets provider, the
// API server going away. Each case ends the same way: the recovering `pulumi up` completes, a
// `pulumi preview --expect-no-changes` passes, and no claim or data StatefulSet was deleted or
// replaced (but the one the case deletes by hand). The engine tier runs the quick ones, the bench
// (`npm run bench:engine-faults`) all of them.
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiConfig } from "../../../config";
import { PROJECT_ROOT } from "../../../render/renderStack";
import type { RolledOut } from "../../../components/common/rollout";
import { unreadyPodReasons } from "../../../checks/unreadyPods";
import { TestCluster, waitFor } from "../cluster";
import { StackName } from "../stacks";
import { configSetPath } from "../userEdits";
import { docBlock, unlikeExample } from "../docBlocks";
import { processTable } from "../processTable";
import { counted, engineChanges } from "./changes";
import { dataObjectUids, lostDataObjects } from "./dataObjects";
import { EngineStack, UpdateOutcome, engineErrors } from "./engineStack";
import { EngineRun, Interruption, interrupt, interrupting } from "./workspace";

const NAMESPACE = "observability";

/** One case as the record shows it: what the user saw, what was left, what recovered it. */
export interface FaultOutcome {
  readonly name: string;
  readonly stack: StackName;
  /** The error the user saw: the interrupted command's, or the next command's refusal. */
  readonly saw: string;
  /** What the fault left behind: the lock, pending operations, objects changed. */
  readonly left: string;
  /** The commands that recover, in order: the recovering `pulumi up` (or destroy), and what follows it. */
  readonly recovery: readonly string[];
  /** The steps of the recovering up. */
  readonly recovered: string;
  /** The recovering up's seconds. */
  readonly seconds: number;
  /** The data objects kept (same UIDs), and any the case itself deleted. */
  readonly kept: string;
}

/** A deployed stack on a test cluster, with the config it was last deployed with. */
export interface FaultTarget {
  readonly stack: StackName;
  readonly cluster: TestCluster;
  readonly engine: EngineStack;
  readonly config: PulumiConfig;
  readonly secretKeys: readonly string[];
}

/** A recovery command: as the docs write it, and how the case runs it. */
interface RecoveryCommand {
  readonly shown: string;
  run(): Promise<void>;
}

/** The first line of the engine's errors (or of what it printed), as a terminal shows it first. */
function firstError(run: EngineRun): string {
  // A diagnostic whole: the engine's "1 error occurred:" line says nothing without the lines after it.
  const reported = [...run.errors, ...run.failures].find((error) => error.trim() !== "");
  const text = reported ?? (run.stderr.trim() || run.stdout.trim());
  const lines = text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("warning:"));
  return (reported === undefined ? (lines[0] ?? "") : lines.join(" "))
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 400);
}

/**
 * What the user saw of the interrupted command: a killed CLI prints nothing of its own (what it had
 * streamed are its events); a cancelled one, its error.
 */
function sawAtTheCut(cut: EngineRun, interruption: Interruption): string {
  const first = interruption.signal === "SIGKILL" ? "" : firstError(cut);
  return first === "" ? "nothing (the CLI was killed)" : first;
}

/** `pulumi <args>` in the stack's workspace as a recovery step, failing the case if it fails. */
function pulumiStep(target: FaultTarget, ...args: string[]): RecoveryCommand {
  return {
    shown: `pulumi ${args.join(" ")}`,
    run: async () => {
      await target.engine.workspace.must(args);
    },
  };
}

/**
 * Runs `commands`, then `pulumi up` and `pulumi preview --expect-no-changes`; every data object of
 * `before` but `deleted` must still be there with the same UID.
 */
async function recover(
  target: FaultTarget,
  before: ReadonlyMap<string, string>,
  commands: readonly RecoveryCommand[],
  options: { readonly deleted?: readonly string[]; readonly upArgs?: readonly string[] } = {},
): Promise<{ up: UpdateOutcome; recovery: string[]; kept: string }> {
  const deleted = options.deleted ?? [];
  const upArgs = options.upArgs ?? [];
  for (const command of commands) await command.run();
  const up = await target.engine.up(...upArgs);
  const check = await target.engine.preview("--expect-no-changes");
  if (check.status !== 0) {
    // The plan holds each step's old and new state: what to read to find why the change is proposed.
    const stamp = `${target.stack}-${Date.now()}`;
    const plan = path.join(os.tmpdir(), `unexpected-changes-${stamp}.json`);
    const upOutput = path.join(os.tmpdir(), `recovery-up-${stamp}.json`);
    const state = path.join(os.tmpdir(), `recovery-state-${stamp}.json`);
    fs.writeFileSync(plan, check.stdout);
    fs.writeFileSync(upOutput, up.run.stdout);
    // An export that fails must not hide the preview's own finding.
    const exported = await target.engine.workspace
      .exportState(target.stack)
      .catch((error: unknown) => `pulumi stack export failed: ${String(error)}`);
    fs.writeFileSync(state, exported);
    const unexpected = check.planned.filter((step) => !["same", "read"].includes(step.op));
    // What the up that should have made them needless planned and did for the same resources.
    const byUp = (urn: string) =>
      `the up planned ${up.run.planned.find((s) => s.urn === urn)?.op ?? "nothing"}, did ${up.run.applied.find((s) => s.urn === urn)?.op ?? "nothing"}`;
    throw new Error(
      `pulumi preview --expect-no-changes after the recovery (its plan: ${plan}; the up's output: ${upOutput}; the state: ${state}): ${firstError(check)} ${JSON.stringify(check.summary)}; ${unexpected
        .map((step) => `${step.op} ${step.urn} (${step.diffKeys.join(", ")}; ${byUp(step.urn)})`)
        .join("; ")}`,
    );
  }
  const after = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  const lost = lostDataObjects(before, after).filter((key) => !deleted.includes(key));
  if (lost.length > 0) throw new Error(`data objects deleted or replaced: ${lost.join(", ")}`);
  return {
    up,
    recovery: [...commands.map((c) => c.shown), ["pulumi up --stack", target.stack, ...upArgs].join(" ")],
    kept: `${before.size - deleted.length} of ${before.size} (claims, data StatefulSets) with the same UIDs${deleted.length === 0 ? "" : `; deleted by hand: ${deleted.join(", ")}`}`,
  };
}

interface PendingOperation {
  readonly type: string;
  readonly resource: { readonly urn: string };
}

/** The stack's state as `pulumi stack export` shows it: its resources, and the operations it never saw end. */
async function exportedState(
  target: FaultTarget,
): Promise<{ resources: unknown[]; pending: PendingOperation[] }> {
  const { deployment } = JSON.parse(await target.engine.workspace.exportState(target.stack)) as {
    deployment: { resources?: unknown[]; pending_operations?: PendingOperation[] };
  };
  return { resources: deployment.resources ?? [], pending: deployment.pending_operations ?? [] };
}

/** The pending operations `pulumi stack export` shows: what the engine started and never saw end. */
async function pendingOperations(target: FaultTarget): Promise<PendingOperation[]> {
  return (await exportedState(target)).pending;
}

/**
 * What an interrupted command left, as the record says it: what it changed first, and the state's
 * pending operations, or a state that does not load (killed while saving a checkpoint, see
 * killedUp.ts).
 */
async function whatTheCutLeft(target: FaultTarget, cut: EngineRun, signal: string): Promise<string[]> {
  const pending = await pendingOperations(target).catch((error: unknown) => {
    if (!String(error).includes("failed to load checkpoint")) throw error;
    return undefined;
  });
  return [
    `${counted(engineChanges(cut.applied))} before the ${signal}`,
    pending === undefined
      ? "the state unreadable (failed to load checkpoint: EOF: its .attrs sidecar left empty)"
      : pending.length === 0
        ? "no pending operations"
        : `${pending.length} pending operation(s) (${[...new Set(pending.map((p) => p.type))].join(", ")})`,
  ];
}

/**
 * A step of `npm run up` (one of its scripts), run in the stack's workspace as up.sh runs it; it
 * must exit 0 and say `did`, or it did nothing.
 */
function upScriptStep(target: FaultTarget, script: string, what: string, did: string): RecoveryCommand {
  return {
    shown: `npm run up (scripts/${script}: ${what})`,
    run: async () => {
      const result = await target.engine.workspace.exec(
        path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
        ["--transpiler", "sucrase/ts-node-plugin", path.join(PROJECT_ROOT, "scripts", script), target.stack],
      );
      if (result.status !== 0 || !result.stdout.includes(did)) {
        throw new Error(`scripts/${script} did nothing (${result.status}): ${result.stdout}${result.stderr}`);
      }
    },
  };
}

/** `npm run up`'s first aid (scripts/killedUp.ts), run in the stack's workspace as up.sh runs it. */
const killedUpStep = (target: FaultTarget): RecoveryCommand =>
  upScriptStep(
    target,
    "killedUp.ts",
    `an empty state sidecar removed, the killed CLI's plugins let finish, pulumi cancel --yes --stack ${target.stack} once the lock's process is gone`,
    "Removed",
  );

/**
 * What `npm run up` does once its up has completed (scripts/pendingCreates.ts): a killed up's
 * pending creates, each recorded by that up, cleared with `pulumi refresh --clear-pending-creates`.
 */
const pendingCreatesStep = (target: FaultTarget): RecoveryCommand =>
  upScriptStep(
    target,
    "pendingCreates.ts",
    `pulumi refresh --clear-pending-creates --yes --stack ${target.stack}, each pending create recorded by the up`,
    "clearing them",
  );

/**
 * After the recovering command: the pending operations it left cleared as the page says, and none
 * left. Returns the step it took, if one was needed, and how many it cleared.
 */
async function noPendingOperations(
  target: FaultTarget,
  name: string,
): Promise<{ steps: RecoveryCommand[]; cleared: number }> {
  const left = await pendingOperations(target);
  const steps = left.length === 0 ? [] : [pendingCreatesStep(target)];
  for (const step of steps) await step.run();
  const still = await pendingOperations(target);
  if (still.length > 0) {
    throw new Error(
      `${name}: ${still.length} pending operation(s) after the recovery: ${still.map((p) => `${p.type} ${p.resource.urn}`).join("; ")}`,
    );
  }
  return { steps, cleared: left.length };
}

/** How long the API server takes at most to free a node port no Service holds (see takenNodePortsStep). */
const NODE_PORT_REPAIR_MS = 10 * 60 * 1000;

/**
 * Node ports an interrupted up left taken: the next up's preview fails on each Service that asks
 * for one, "provided port is already allocated". Where the Service exists, the cut request created
 * it and the engine never recorded it: deleting it lets the next up create it as its own (a Service
 * holds no data). Where none does, the cut request allocated the port and never created the
 * Service: kube-apiserver's node port repair loop (every 3 minutes) frees such a port on the third
 * pass that finds it unused, 6 to 9 minutes later, and nothing else can; the step waits for it,
 * asking the API server with a dry-run Service.
 */
async function takenNodePortsStep(target: FaultTarget, errors: string): Promise<RecoveryCommand | undefined> {
  const taken = [
    ...errors.matchAll(
      /Service "([^"]+)" is invalid: spec\.ports\[\d+\]\.nodePort: Invalid value: (\d+): provided port is already allocated/g,
    ),
  ].map((m) => ({ service: m[1], port: Number(m[2]) }));
  if (taken.length === 0) return undefined;
  const core = target.cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const exists = async (name: string) =>
    core.readNamespacedService(name, NAMESPACE).then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );
  const unrecorded: string[] = [];
  const held: number[] = [];
  for (const { service, port } of taken) {
    if (await exists(service)) unrecorded.push(service);
    else held.push(port);
  }
  const portFree = (nodePort: number) =>
    core
      .createNamespacedService(
        NAMESPACE,
        {
          metadata: { generateName: "node-port-probe-" },
          spec: { type: "NodePort", ports: [{ port: 80, nodePort }] },
        },
        undefined,
        "All",
      )
      .then(
        () => true,
        () => false,
      );
  const shown = [
    ...(unrecorded.length === 0
      ? []
      : [
          `kubectl -n ${NAMESPACE} delete service ${[...new Set(unrecorded)].join(" ")} (created by the interrupted up, never recorded)`,
        ]),
    ...(held.length === 0
      ? []
      : [
          `wait until the API server frees node port(s) ${held.join(", ")} (no Service holds them; up to 9 minutes)`,
        ]),
  ];
  const step = {
    shown: shown.join(", then "),
    run: async () => {
      for (const name of new Set(unrecorded)) await core.deleteNamespacedService(name, NAMESPACE);
      const start = Date.now();
      for (const port of held) {
        await waitFor(
          async () => ((await portFree(port)) ? true : undefined),
          `node port ${port} freed`,
          NODE_PORT_REPAIR_MS,
        );
      }
      if (held.length > 0) step.shown += ` (freed after ${((Date.now() - start) / 1000).toFixed(0)} s)`;
    },
  };
  return step;
}

/**
 * An up interrupted part-way (`edited`: an update to that config; otherwise the stack's config,
 * from empty or not): what it left, what the user saw next, and the recovery.
 */
export async function interruptedUp(
  target: FaultTarget,
  name: string,
  interruption: Interruption,
  edited?: PulumiConfig,
  recovery: Recovery = "npm run up",
): Promise<FaultOutcome> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  if (edited !== undefined) await target.engine.edit({ config: edited, secretKeys: target.secretKeys });
  const cut = await target.engine.watchedUp(interrupting(interruption));
  if (cut.run.status === 0) {
    throw new Error(`${name}: pulumi up ended before ${interruption.afterChanges} changes, uninterrupted`);
  }
  const left = await whatTheCutLeft(target, cut.run, interruption.signal);
  const saw = [sawAtTheCut(cut.run, interruption)];
  const commands: RecoveryCommand[] = [];
  // The next ups, as the user runs them, each failure met with what the troubleshooting page says.
  for (;;) {
    const next = await target.engine.attemptUp();
    if (next.run.status === 0) {
      const check = await target.engine.preview("--expect-no-changes");
      if (check.status !== 0)
        throw new Error(`${name}: preview after the recovering up: ${engineErrors(check)}`);
      const lost = lostDataObjects(before, await dataObjectUids(target.cluster.kubeConfig, NAMESPACE));
      if (lost.length > 0) throw new Error(`${name}: data objects deleted or replaced: ${lost.join(", ")}`);
      const clearing = await noPendingOperations(target, name);
      return {
        name,
        stack: target.stack,
        saw: saw.join("; then: "),
        left: [...left, `${clearing.cleared} pending operation(s) after the recovering up`].join("; "),
        recovery: [
          ...commands.map((c) => c.shown),
          `pulumi up --stack ${target.stack}`,
          ...clearing.steps.map((c) => c.shown),
        ],
        kept: `${before.size} of ${before.size} (claims, data StatefulSets) with the same UIDs; 0 pending operations`,
        ...summary(next),
      };
    }
    const errors = engineErrors(next.run);
    const killed = /currently locked|failed to load checkpoint/.test(errors);
    if (/currently locked/.test(errors)) {
      // The page's example is of stack kind.
      const example = docBlock("troubleshooting.md", "example:locked-stack").map((line) =>
        line.replace("/kind/", `/${target.stack}/`),
      );
      const unlike = unlikeExample(example, next.run.stderr);
      if (unlike !== undefined)
        throw new Error(`${name}: the lock's error is not as troubleshooting.md shows it: ${unlike}`);
    }
    if (killed && recovery === "by hand") {
      return byHand(target, name, { before, left, saw: [...saw, firstError(next.run)] });
    }
    const step = killed ? killedUpStep(target) : await takenNodePortsStep(target, errors);
    if (step === undefined || commands.some((c) => c.shown === step.shown)) {
      throw new Error(`${name}: the next up failed, and the troubleshooting page has no answer: ${errors}`);
    }
    saw.push(firstError(next.run));
    left.push(
      killed
        ? "the stack's lock"
        : "node ports taken (a Service it created and never recorded, or a port its cut request left allocated)",
    );
    await step.run();
    commands.push(step);
  }
}

/** How a killed up is recovered: by `npm run up` on kind (scripts/killedUp.ts), or by the page's commands by hand. */
export type Recovery = "npm run up" | "by hand";

/** A duration as the docs write it: `2 minutes`, `90 s`. */
function documentedMs(text: string): number {
  const [, count, unit] = /^(\d+) (minutes?|s)$/.exec(text.trim()) ?? [];
  if (count === undefined) throw new Error(`not a documented duration: ${text}`);
  return Number(count) * (unit === "s" ? 1000 : 60_000);
}

/** The figure docs/<page> shows between `<!-- figure:<name> -->` and its end. */
function documentedFigure(page: string, name: string): string {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, "docs", page), "utf8");
  const found = new RegExp(`<!-- figure:${name} -->([^<]*)<!-- /figure -->`).exec(text);
  if (found === null) throw new Error(`docs/${page} has no figure ${name}`);
  return found[1];
}

/**
 * A killed up recovered as docs/troubleshooting.md tells a user who has no `npm run up`: the
 * plugins `pgrep -a pulumi-` lists for the project given the time the page gives them, each still
 * listed then stopped with `kill -- -<pid>`, then the page's commands as written (the up confirmed
 * with --yes: no one is there to answer its prompt). It ends with no pending operation, a clean
 * preview and every data object kept.
 */
async function byHand(
  target: FaultTarget,
  name: string,
  seen: { before: Map<string, string>; left: string[]; saw: string[] },
): Promise<FaultOutcome> {
  const project = fs.realpathSync(target.engine.workspace.projectDir);
  const listed = () => {
    const all = processTable();
    const byPid = new Map(all.map((p) => [p.pid, p]));
    return all.filter(
      (p) => p.program.startsWith("pulumi-") && p.cwd === project && byPid.get(p.ppid)?.program !== "pulumi",
    );
  };
  const deadline = Date.now() + documentedMs(documentedFigure("troubleshooting.md", "pluginsFinish"));
  while (listed().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const stopped = listed();
  for (const plugin of stopped) await target.engine.workspace.exec("kill", ["--", `-${plugin.pid}`]);
  const unreadable = await unreadableStateByHand(target);
  const commands = docBlock("troubleshooting.md", "commands:killed-up-by-hand").filter(
    (l) => l.trim() !== "",
  );
  let up: UpdateOutcome | undefined;
  for (const command of commands) {
    const args = command.split(/\s+/);
    if (args[0] !== "pulumi" || !command.includes(`--stack kind`)) {
      throw new Error(`troubleshooting.md's command is not one this case runs: ${command}`);
    }
    const own = args.slice(1).map((a) => (a === "kind" ? target.stack : a));
    if (own[0] === "up") {
      if (own.join(" ") !== `up --stack ${target.stack}`)
        throw new Error(`an up this case cannot run as written: ${command}`);
      up = await target.engine.attemptUp();
      if (up.run.status !== 0) throw new Error(`${name}: ${command}: ${engineErrors(up.run)}`);
    } else {
      const run = await target.engine.workspace.run(own);
      if (run.status !== 0) throw new Error(`${name}: ${command}: ${run.stderr}${run.stdout}`);
    }
  }
  if (up === undefined) throw new Error("troubleshooting.md's commands hold no pulumi up");
  const check = await target.engine.preview("--expect-no-changes");
  if (check.status !== 0)
    throw new Error(`${name}: preview after the page's commands: ${engineErrors(check)}`);
  const lost = lostDataObjects(seen.before, await dataObjectUids(target.cluster.kubeConfig, NAMESPACE));
  if (lost.length > 0) throw new Error(`${name}: data objects deleted or replaced: ${lost.join(", ")}`);
  const pending = await pendingOperations(target);
  if (pending.length > 0)
    throw new Error(`${name}: ${pending.length} pending operation(s) after the page's commands`);
  return {
    name,
    stack: target.stack,
    saw: seen.saw.join("; then: "),
    left: [...seen.left, "the stack's lock"].join("; "),
    recovery: [
      `pgrep -a pulumi-: ${stopped.length === 0 ? "none left" : `kill -- -<pid> for ${stopped.map((p) => p.program).join(", ")}, still running then`}`,
      ...unreadable,
      ...commands.map((c) => c.replace("--stack kind", `--stack ${target.stack}`)),
    ],
    kept: `${seen.before.size} of ${seen.before.size} (claims, data StatefulSets) with the same UIDs; 0 pending operations`,
    ...summary(up),
  };
}

/**
 * When the killed CLI left the state unreadable, the page's command for it as written, with the
 * workspace's backend directory for `~` and its stack for `kind`: the commands run, or none when
 * the state reads.
 */
async function unreadableStateByHand(target: FaultTarget): Promise<string[]> {
  const unreadable = await pendingOperations(target).then(
    () => false,
    (error: unknown) => {
      if (!String(error).includes("failed to load checkpoint")) throw error;
      return true;
    },
  );
  if (!unreadable) return [];
  const backend = path.join(target.engine.workspace.dir, "state");
  const commands = docBlock("troubleshooting.md", "commands:unreadable-state-by-hand").filter(
    (l) => l.trim() !== "",
  );
  for (const command of commands) {
    const [program, ...args] = command
      .split(/\s+/)
      .map((a) =>
        a.replace(/^~\//, `${backend}/`).replace(/^kind\.json\.attrs$/, `${target.stack}.json.attrs`),
      );
    if (program !== "find")
      throw new Error(`troubleshooting.md's command is not one this case runs: ${command}`);
    const run = await target.engine.workspace.exec(program, args);
    if (run.status !== 0 || run.stdout.trim() === "") {
      throw new Error(`the state did not load, and ${command} deleted nothing: ${run.stderr}${run.stdout}`);
    }
  }
  await pendingOperations(target);
  return commands;
}

/**
 * What a destroy of the stack needs first (docs/operations.md): on eks the data workloads and their
 * namespace are protected, and `pulumi destroy` refuses to start until they are unprotected. Their
 * retainOnDelete stays: the destroy leaves them, and their claims, in the cluster.
 */
async function unprotectedForDestroy(target: FaultTarget): Promise<string[]> {
  if (target.config["observability:profile"] !== "eks") return [];
  const args = ["state", "unprotect", "--all", "--yes", "--stack", target.stack];
  await target.engine.workspace.must(args);
  return [`pulumi ${args.join(" ")} (before the destroy)`];
}

/** The stack destroyed, as a user empties it before an up from empty: unprotected first on eks. */
export async function destroyed(target: FaultTarget): Promise<void> {
  await unprotectedForDestroy(target);
  const emptied = await target.engine.destroy();
  if (emptied.status !== 0) throw new Error(`pulumi destroy: ${engineErrors(emptied)}`);
}

/**
 * `pulumi destroy` of the deployed stack (unprotected first on eks) cut short as `interruption`
 * says, then recovered as the troubleshooting page says: the lock cleared as after a killed up,
 * then destroy again. It ends with nothing left in the stack's state and no pending operation; the
 * outcome names the data objects the cluster retained (eks) and any the destroy deleted.
 */
export async function interruptedDestroy(
  target: FaultTarget,
  name: string,
  interruption: Interruption,
): Promise<FaultOutcome> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  const unprotecting = await unprotectedForDestroy(target);
  const cut = await target.engine.workspace.watchedDestroy(target.stack, interrupting(interruption));
  if (cut.status === 0) {
    throw new Error(
      `${name}: pulumi destroy ended before ${interruption.afterChanges} changes, uninterrupted`,
    );
  }
  const left = await whatTheCutLeft(target, cut, interruption.signal);
  const saw = [sawAtTheCut(cut, interruption)];
  const commands: RecoveryCommand[] = [];
  for (;;) {
    const next = await target.engine.destroy();
    if (next.status === 0) {
      const { resources, pending } = await exportedState(target);
      if (resources.length + pending.length > 0) {
        throw new Error(
          `${name}: after the recovering destroy the state holds ${resources.length} resource(s) and ${pending.length} pending operation(s)`,
        );
      }
      const retained = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
      const lost = lostDataObjects(before, retained);
      return {
        name,
        stack: target.stack,
        saw: saw.join("; then: "),
        left: left.join("; "),
        recovery: [
          ...unprotecting,
          ...commands.map((c) => c.shown),
          `pulumi destroy --stack ${target.stack}`,
        ],
        recovered: counted(engineChanges(next.applied)),
        seconds: next.seconds,
        kept:
          retained.size === 0
            ? "nothing, as a destroy intends; the state empty, 0 pending operations"
            : `the state empty, 0 pending operations; in the cluster, retained on delete: ${before.size - lost.length} of ${before.size} (claims, data StatefulSets) with the same UIDs${lost.length === 0 ? "" : `; deleted: ${lost.join(", ")}`}`,
      };
    }
    const errors = engineErrors(next);
    if (!/currently locked|failed to load checkpoint/.test(errors) || commands.length > 0) {
      throw new Error(
        `${name}: the next destroy failed, and the troubleshooting page has no answer: ${errors}`,
      );
    }
    saw.push(firstError(next));
    left.push("the stack's lock");
    const step = killedUpStep(target);
    await step.run();
    commands.push(step);
  }
}

/**
 * Where the engine's preview, the review and the up did not say the same of a resource, as the
 * record shows it: `up replaced ConfigMap::metrics-prometheus-config (preview: nothing, review: nothing)`.
 */
function disagreeing(outcome: UpdateOutcome): string {
  if (outcome.disagreements.length === 0)
    return "the preview, the review and the up agreed on every resource";
  return `the preview, the review and the up differ on ${outcome.disagreements.length}: ${outcome.disagreements
    .map((d) => `up ${d.up} ${d.urn.split("$").at(-1)} (preview: ${d.preview}, review: ${d.review})`)
    .join("; ")}`;
}

function summary(up: UpdateOutcome): { recovered: string; seconds: number } {
  return { recovered: counted(up.applied), seconds: up.run.seconds };
}

/** A kubectl-style change behind Pulumi's back, and the resource whose refresh must see it. */
interface DriftEdit {
  readonly what: string;
  /** `Kind/name` of the object changed, as the preview's step must name it. */
  readonly object: string;
  apply(api: Apis): Promise<void>;
  /** Whether the running object is as the program renders it again. */
  restored(api: Apis): Promise<boolean>;
}

interface Apis {
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly networking: k8s.NetworkingV1Api;
}

const MERGE_PATCH = { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } };
const JSON_PATCH = { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_PATCH } };
const noOptions = [undefined, undefined, undefined, undefined, undefined] as const;

const DRIFT: readonly DriftEdit[] = [
  {
    what: "kubectl edit configmap prometheus-config (a line added to prometheus.yml)",
    object: "ConfigMap/prometheus-config",
    async apply({ core }) {
      const live = (await core.readNamespacedConfigMap("prometheus-config", NAMESPACE)).body;
      const text = `# edited by hand\n${live.data?.["prometheus.yml"] ?? ""}`;
      await core.patchNamespacedConfigMap(
        "prometheus-config",
        NAMESPACE,
        { data: { "prometheus.yml": text } },
        ...noOptions,
        MERGE_PATCH,
      );
    },
    async restored({ core }) {
      const live = (await core.readNamespacedConfigMap("prometheus-config", NAMESPACE)).body;
      return !(live.data?.["prometheus.yml"] ?? "").startsWith("# edited by hand");
    },
  },
  {
    what: "kubectl scale deployment kube-state-metrics --replicas=3",
    object: "Deployment/kube-state-metrics",
    async apply({ apps }) {
      await apps.patchNamespacedDeployment(
        "kube-state-metrics",
        NAMESPACE,
        { spec: { replicas: 3 } },
        ...noOptions,
        MERGE_PATCH,
      );
    },
    async restored({ apps }) {
      return (await apps.readNamespacedDeployment("kube-state-metrics", NAMESPACE)).body.spec?.replicas === 1;
    },
  },
  {
    what: "kubectl label service tempo app.kubernetes.io/part-of- (a label removed)",
    object: "Service/tempo",
    async apply({ core }) {
      await core.patchNamespacedService(
        "tempo",
        NAMESPACE,
        [{ op: "remove", path: "/metadata/labels/app.kubernetes.io~1part-of" }],
        ...noOptions,
        JSON_PATCH,
      );
    },
    async restored({ core }) {
      return (
        (await core.readNamespacedService("tempo", NAMESPACE)).body.metadata?.labels?.[
          "app.kubernetes.io/part-of"
        ] !== undefined
      );
    },
  },
  {
    what: "kubectl delete networkpolicy loki",
    object: "NetworkPolicy/loki",
    async apply({ networking }) {
      await networking.deleteNamespacedNetworkPolicy("loki", NAMESPACE);
    },
    async restored({ networking }) {
      return networking.readNamespacedNetworkPolicy("loki", NAMESPACE).then(
        () => true,
        () => false,
      );
    },
  },
];

/** `Kind/name` of each Kubernetes object a preview's plan (`--json`) would change. */
function changedObjects(previewJson: string): string[] {
  const plan = JSON.parse(previewJson) as {
    steps?: {
      op: string;
      newState?: { inputs?: { kind?: string; metadata?: { name?: string } } };
      oldState?: { inputs?: { kind?: string; metadata?: { name?: string } } };
    }[];
  };
  return (plan.steps ?? [])
    .filter((step) => !["same", "refresh", "read"].includes(step.op))
    .map((step) => (step.newState ?? step.oldState)?.inputs)
    .filter((inputs) => inputs?.kind !== undefined)
    .map((inputs) => `${inputs?.kind}/${inputs?.metadata?.name}`);
}

/** The claim the drift case deletes: Alertmanager's (its silences and notification log), and its pod. */
const DELETED_CLAIM = "data-alertmanager-0";
const DELETED_CLAIM_POD = "alertmanager-0";

/**
 * Deletes the claim and its pod, and waits for the claim's successor, made by the StatefulSet, to
 * be bound; says how often the pod had to be deleted once more. The StatefulSet can make the pod
 * again before the scheduler has seen the old claim go, and the scheduler then places the pod by
 * that claim: three outcomes, each seen on the test control plane and each undone by deleting the
 * pod again, as a user would (docs/troubleshooting.md). The pod runs on the old claim, which stays
 * Terminating as long as it does; or it is placed while its new claim waits for a node that is
 * never chosen (on a real node it waits to mount); or, the old claim's volume already deleted, it
 * is set aside as unschedulable until the scheduler flushes those pods, five minutes later by its
 * default (measured: Pending for 5 min 2 s; the test cluster's scheduler flushes after 10 s). A pod placed as it should be has its new claim naming a
 * volume first (the scheduler binds the claim before the pod), so a placed pod without that is one of these.
 */
async function deleteClaimAndPod(core: k8s.CoreV1Api, oldClaimUid: string | undefined): Promise<number> {
  const pod = async () =>
    (await core.readNamespacedPod(DELETED_CLAIM_POD, NAMESPACE).catch(() => undefined))?.body;
  const deletedPods = new Set<string>();
  const deletePod = async (uid: string | undefined) => {
    deletedPods.add(uid ?? "");
    await core.deleteNamespacedPod(DELETED_CLAIM_POD, NAMESPACE);
  };
  // The claim protection keeps a claim a pod uses until that pod is gone; the StatefulSet then
  // makes the pod again and, from its claim template, an empty claim.
  await core.deleteNamespacedPersistentVolumeClaim(DELETED_CLAIM, NAMESPACE);
  await deletePod((await pod())?.metadata?.uid);
  await waitFor(
    async () => {
      // The pod first: a pod placed before the claim is read had its claim bound by then, if rightly placed.
      const now = await pod();
      const claim = (
        await core.readNamespacedPersistentVolumeClaim(DELETED_CLAIM, NAMESPACE).catch(() => undefined)
      )?.body;
      if (claim !== undefined && claim.metadata?.uid !== oldClaimUid && claim.status?.phase === "Bound")
        return true;
      if (now === undefined || deletedPods.has(now.metadata?.uid ?? "")) return undefined;
      const scheduled = now.status?.conditions?.find((c) => c.type === "PodScheduled");
      // The scheduler binds a pod only once its claim names a volume; the claim's phase says Bound a moment later.
      const placedWithoutItsClaim =
        scheduled?.status === "True" &&
        (claim?.metadata?.uid === oldClaimUid || claim?.spec?.volumeName === undefined);
      const setAside =
        scheduled?.status === "False" &&
        /non-existent pv|persistentvolume .* not found/.test(scheduled.message ?? "");
      if (placedWithoutItsClaim || setAside) await deletePod(now.metadata?.uid);
      return undefined;
    },
    `${DELETED_CLAIM} made again by its StatefulSet and Bound`,
    120000,
  );
  return deletedPods.size - 1;
}

/**
 * Changes behind Pulumi's back (DRIFT), and a claim deleted with its pod: `pulumi preview --refresh
 * --diff` names each change of what the program owns, `pulumi up --refresh` puts it back; the claim
 * comes back empty, made again by its StatefulSet, and its data is gone.
 */
export async function drift(target: FaultTarget): Promise<FaultOutcome> {
  const kc = target.cluster.kubeConfig;
  const api: Apis = {
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
  };
  const before = await dataObjectUids(kc, NAMESPACE);
  for (const edit of DRIFT) await edit.apply(api);
  const claimKey = `PersistentVolumeClaim ${NAMESPACE}/${DELETED_CLAIM}`;
  const podDeletedAgain = await deleteClaimAndPod(api.core, before.get(claimKey));

  const preview = await target.engine.preview("--refresh", "--diff");
  if (preview.status !== 0) throw new Error(`pulumi preview --refresh --diff: ${engineErrors(preview)}`);
  const named = changedObjects(preview.stdout);
  const missed = DRIFT.filter((edit) => !named.includes(edit.object));
  if (missed.length > 0) {
    throw new Error(
      `pulumi preview --refresh --diff does not name: ${missed.map((m) => m.what).join("; ")} (it names ${named.join(", ") || "nothing"})`,
    );
  }
  const result = await recover(target, before, [], { deleted: [claimKey], upArgs: ["--refresh"] });
  const unrestored = [];
  for (const edit of DRIFT) if (!(await edit.restored(api))) unrestored.push(edit.what);
  if (unrestored.length > 0) throw new Error(`pulumi up --refresh left as changed: ${unrestored.join("; ")}`);
  return {
    name: "drift: four objects changed with kubectl, a claim deleted",
    stack: target.stack,
    saw: `pulumi preview --refresh --diff: changes to ${named.join(", ")}`,
    left: [
      ...DRIFT.map((d) => d.what),
      `kubectl delete pvc ${DELETED_CLAIM} and its pod: the StatefulSet made both again, the claim empty${podDeletedAgain === 0 ? "" : ` (the pod deleted ${podDeletedAgain} more time${podDeletedAgain === 1 ? "" : "s"}: the StatefulSet had made it before the old claim was gone)`}`,
    ].join("; "),
    ...result,
    ...summary(result.up),
  };
}

/** A config edit undone by the stack file as it was, as `git checkout Pulumi.<stack>.yaml` undoes it. */
function revertStep(target: FaultTarget, what: string): RecoveryCommand {
  return {
    shown: what,
    run: () => target.engine.edit({ config: target.config, secretKeys: target.secretKeys }),
  };
}

/** A workload's image set to one the test cluster's registry lacks (ClusterOptions.missingImages). */
export interface MissingImage {
  /** The key of `images.<component>`. */
  readonly component: string;
  readonly kind: RolledOut;
  readonly name: string;
  readonly image: string;
}

/** A Deployment and a StatefulSet of each stack, each set to an image the test cluster's registry lacks. */
export const NEVER_READY: Readonly<Record<StackName, readonly MissingImage[]>> = {
  kind: [
    {
      component: "kubeStateMetrics",
      kind: "Deployment",
      name: "kube-state-metrics",
      image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0-not-mirrored",
    },
    {
      component: "grafana",
      kind: "StatefulSet",
      name: "grafana",
      image: "docker.io/grafana/grafana:12.1.1-not-mirrored",
    },
  ],
  prod: [
    {
      component: "grafana",
      kind: "Deployment",
      name: "grafana",
      image: "docker.io/grafana/grafana:12.1.1-not-mirrored",
    },
    {
      component: "alertmanager",
      kind: "StatefulSet",
      name: "alertmanager",
      image: "quay.io/prometheus/alertmanager:v0.28.1-not-mirrored",
    },
  ],
};

/**
 * Workloads whose images the registry lacks (each `images.<component>` set to its missing image)
 * under `cluster.rolloutTimeoutMinutes: 1`, in one update: the up fails within the bound naming
 * each (the stack's `pulumi.com/waitFor` waits for the new pods, components/common/rollout.ts).
 * An up that completes instead is recorded as it is, with each new pod in ImagePullBackOff, for
 * the caller to judge. Either way, the config put back, the next up completes and every workload
 * is rolled out again.
 */
export async function neverReady(
  target: FaultTarget,
  broken: readonly MissingImage[],
): Promise<FaultOutcome & { readonly failedWithin?: number }> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  const core = target.cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const edited = broken.reduce(
    (config, b) => configSetPath(config, `images.${b.component}`, b.image),
    configSetPath(target.config, "cluster.rolloutTimeoutMinutes", "1"),
  );
  await target.engine.edit({ config: edited, secretKeys: target.secretKeys });
  const attempt = await target.engine.attemptUp();
  const errors = engineErrors(attempt.run);
  // An up that passed may end before the controller has made the new pod: wait for it, bounded.
  const stuck: string[] = [];
  for (const b of broken) {
    let seen: string[] = [];
    stuck.push(
      await waitFor(async () => {
        seen = await unreadyPodReasons(core, NAMESPACE, { "app.kubernetes.io/name": b.name });
        return seen.find((reason) => reason.endsWith("ImagePullBackOff"));
      }, `${b.kind} ${b.name}'s new pod in ImagePullBackOff`).catch(() => {
        throw new Error(
          `${b.kind} ${b.name}: no new pod in ImagePullBackOff but ${seen.join("; ") || "all ready"}`,
        );
      }),
    );
  }
  const names = broken.map((b) => b.name);
  const unnamed = names.filter((name) => !errors.includes(`"${NAMESPACE}/${name}"`));
  if (attempt.run.status !== 0 && unnamed.length > 0) {
    throw new Error(`the failed up does not name ${unnamed.join(", ")}: ${errors}`);
  }
  const saw =
    attempt.run.status === 0
      ? `nothing: pulumi up completed (${counted(attempt.applied)}, ${attempt.run.seconds.toFixed(0)} s) with ${stuck.join("; ")}`
      : `after ${attempt.run.seconds.toFixed(0)} s: ${errors
          .split("\n")
          .filter((line) => names.some((name) => line.includes(`"${NAMESPACE}/${name}"`)))
          .map((line) => line.replace(/^\s*\*\s*/, ""))
          .join("; ")}`;
  const result = await recover(target, before, [
    revertStep(
      target,
      `${broken.map((b) => `pulumi config set --path images.${b.component} <the image before>`).join("; ")} (or git checkout Pulumi.${target.stack}.yaml)`,
    ),
  ]);
  for (const b of broken) {
    await waitFor(async () => {
      const pods = await unreadyPodReasons(core, NAMESPACE, { "app.kubernetes.io/name": b.name });
      return pods.length === 0 ? true : undefined;
    }, `${b.name}'s pods ready again`);
  }
  return {
    name: `workloads that never become ready: ${broken.map((b) => `images.${b.component} (${b.kind} ${b.name})`).join(", ")} not in the registry, cluster.rolloutTimeoutMinutes 1`,
    stack: target.stack,
    saw,
    left: `${counted(attempt.applied)}; ${stuck.join("; ")}`,
    ...result,
    ...summary(result.up),
    kept: `${result.kept}; ${names.join(", ")} ready again`,
    ...(attempt.run.status === 0 ? {} : { failedWithin: attempt.run.seconds }),
  };
}

/**
 * The API server stopped for `seconds` once an update (to `edited`) has changed a resource, then
 * started again: the up fails saying it cannot reach the cluster, and the next up completes.
 */
export async function apiServerAway(
  target: FaultTarget,
  edited: PulumiConfig,
  seconds: number,
): Promise<FaultOutcome> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  await target.engine.edit({ config: edited, secretKeys: target.secretKeys });
  let outage: Promise<void> = Promise.resolve();
  const failed = await target.engine.watchedUp({
    afterChanges: 1,
    // An API server that does not come back would leave the up waiting on it for the whole
    // rollout timeout, then the recovery on nothing: the up is stopped and the restart's error told.
    then: (cli) => {
      outage = target.cluster.apiServerOutage(seconds).catch((error: unknown) => {
        interrupt(cli, "SIGKILL");
        throw error;
      });
    },
  });
  await outage;
  if (failed.run.status === 0) {
    throw new Error(
      `pulumi up completed through a ${seconds} s API server outage: ${counted(failed.applied)}`,
    );
  }
  const pending = await pendingOperations(target);
  const result = await recover(target, before, []);
  return {
    name: `the API server away for ${seconds} s during an update`,
    stack: target.stack,
    saw: firstError(failed.run),
    left: `${counted(failed.applied)} before the outage; ${pending.length} pending operation(s)`,
    ...result,
    ...summary(result.up),
  };
}

/**
 * A second `pulumi up` on the stack while one (to `edited`) runs: refused by the lock with the
 * engine's message (or, when it reads the state as the first writes it, `failed to load checkpoint`),
 * applying nothing; the first completes. The first is paused (SIGSTOP) once it
 * has changed a resource and until the second has ended, as a long step would hold it.
 */
export async function twoUpsAtOnce(target: FaultTarget, edited: PulumiConfig): Promise<FaultOutcome> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  await target.engine.edit({ config: edited, secretKeys: target.secretKeys });
  let second: Promise<EngineRun> | undefined;
  const first = await target.engine.watchedUp({
    afterChanges: 1,
    then: (cli) => {
      cli.kill("SIGSTOP");
      second = target.engine.workspace.up(target.stack).finally(() => cli.kill("SIGCONT"));
    },
  });
  const refused = await (second ?? Promise.reject(new Error("the first up changed nothing")));
  if (first.run.status !== 0) throw new Error(`the first up failed: ${engineErrors(first.run)}`);
  // Refused by the lock; or, reading the state while the first writes it, before it gets to the lock.
  const refusal = /currently locked|failed to load checkpoint/;
  if (refused.status === 0 || !refusal.test(engineErrors(refused)) || refused.applied.length > 0) {
    throw new Error(
      `the second up was not refused by the lock: exit ${refused.status}, ${engineErrors(refused)}`,
    );
  }
  const result = await recover(target, before, []);
  return {
    name: "two ups at once on one stack",
    stack: target.stack,
    saw: `the second: ${firstError(refused)}`,
    left: `nothing: the second up applied nothing; the first ${counted(first.applied)}`,
    ...result,
    ...summary(result.up),
  };
}

/**
 * `pulumi stack change-secrets-provider passphrase`: every secret of the stack file and the state
 * encrypted again (a new salt), still readable; Grafana's password the same; the next up changes
 * nothing.
 */
export async function changedSecretsProvider(target: FaultTarget): Promise<FaultOutcome> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  const password = await target.engine.workspace.output(target.stack, "grafanaAdminPassword", true);
  const changed = await target.engine.workspace.run([
    "stack",
    "change-secrets-provider",
    "passphrase",
    "--stack",
    target.stack,
  ]);
  if (changed.status !== 0) throw new Error(`pulumi stack change-secrets-provider: ${changed.stderr}`);
  const result = await recover(target, before, []);
  if (result.up.applied.size > 0) {
    throw new Error(`the up after the change changed ${counted(result.up.applied)}`);
  }
  const after = await target.engine.workspace.output(target.stack, "grafanaAdminPassword", true);
  if (after !== password)
    throw new Error("Grafana's admin password output changed with the secrets provider");
  return {
    name: "a changed secrets provider (passphrase to passphrase)",
    stack: target.stack,
    saw: `pulumi stack change-secrets-provider passphrase: ${changed.stdout.trim().split("\n")[0] ?? ""}`.trim(),
    left: `Pulumi.${target.stack}.yaml with a new encryptionsalt and its secrets encrypted again; Grafana's password output the same`,
    ...result,
    ...summary(result.up),
  };
}

/**
 * Fields the program sets, set by someone else too: `kubectl apply --server-side --force-conflicts`
 * on a ConfigMap (kubectl then owns its data), and `kubectl scale` on a Deployment. What the next
 * `pulumi up --refresh` does with each, as the provider's server-side apply decides.
 */
export async function anotherFieldManager(target: FaultTarget): Promise<FaultOutcome> {
  const kc = target.cluster.kubeConfig;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const before = await dataObjectUids(kc, NAMESPACE);
  const live = (await core.readNamespacedConfigMap("alertmanager-config", NAMESPACE)).body;
  const edited = `# applied by another team\n${live.data?.["alertmanager.yml"] ?? ""}`;
  // kubectl apply --server-side --force-conflicts --field-manager=kubectl: an apply patch by another manager.
  await core.patchNamespacedConfigMap(
    "alertmanager-config",
    NAMESPACE,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "alertmanager-config" },
      data: { "alertmanager.yml": edited },
    },
    undefined,
    undefined,
    "kubectl",
    undefined,
    true,
    { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_APPLY_YAML } },
  );
  await apps.patchNamespacedDeployment(
    "kube-state-metrics",
    NAMESPACE,
    { spec: { replicas: 2 } },
    undefined,
    undefined,
    "kubectl",
    undefined,
    undefined,
    MERGE_PATCH,
  );
  const attempt = await target.engine.attemptUp("--refresh");
  const saw =
    attempt.run.status === 0 ? `pulumi up --refresh: ${counted(attempt.applied)}` : firstError(attempt.run);
  const commands: RecoveryCommand[] = [];
  if (attempt.run.status !== 0)
    commands.push(pulumiStep(target, "refresh", "--yes", "--stack", target.stack));
  const result = await recover(target, before, commands, { upArgs: ["--refresh"] });
  const data =
    (await core.readNamespacedConfigMap("alertmanager-config", NAMESPACE)).body.data?.["alertmanager.yml"] ??
    "";
  const replicas = (await apps.readNamespacedDeployment("kube-state-metrics", NAMESPACE)).body.spec?.replicas;
  return {
    name: "another field manager: kubectl apply --server-side --force-conflicts on a ConfigMap, kubectl scale on a Deployment",
    stack: target.stack,
    saw,
    left: `afterwards: alertmanager.yml ${data.startsWith("# applied by another team") ? "still the other team's" : "the program's again"}; kube-state-metrics replicas ${replicas}`,
    ...result,
    ...summary(result.up),
  };
}

/**
 * A rollback: the program of an earlier release (its checkout at `releaseRoot`) with the stack file
 * it came with, deployed on a stack this program runs. What `npm run review` says of it
 * beforehand, and what the up does: whether it completes, no data object deleted or replaced, where
 * the preview, the review and the steps differ and what the release's next preview proposes (an
 * earlier release's own perpetual diff shows there). The stack then runs the release's program.
 */
export async function rollback(
  target: FaultTarget,
  release: string,
  releaseRoot: string,
  releaseStack: { readonly config: PulumiConfig; readonly secretKeys: readonly string[] },
): Promise<
  FaultOutcome & {
    readonly verdict: string;
    readonly refused: readonly string[];
    readonly risks: readonly string[];
    readonly disagreements: number;
    readonly cleanAfter: boolean;
    readonly completed: boolean;
  }
> {
  const before = await dataObjectUids(target.cluster.kubeConfig, NAMESPACE);
  target.engine.useProgram(releaseRoot);
  await target.engine.edit(releaseStack);
  const back = await target.engine.attemptUp();
  const failed =
    back.run.status === 0
      ? ""
      : `the up failed after ${back.run.seconds.toFixed(0)} s: ${firstError(back.run)}; `;
  // The release's own program, run again: a perpetual diff of its own shows here.
  const check = await target.engine.preview("--expect-no-changes");
  const afterwards =
    check.status === 0
      ? "then pulumi preview --expect-no-changes passes"
      : `then pulumi preview --expect-no-changes fails: ${firstError(check)}${check.errors.length > 0 ? "" : ` (${changedObjects(check.stdout).join(", ")})`}`;
  const lost = lostDataObjects(before, await dataObjectUids(target.cluster.kubeConfig, NAMESPACE));
  if (lost.length > 0)
    throw new Error(`rollback to ${release}: data objects deleted or replaced: ${lost.join(", ")}`);
  const risks = (back.review?.atRisk ?? []).map((risk) => risk.why);
  const refused = back.review?.refused ?? [];
  return {
    name: `rollback to ${release}: its commit and its stack file deployed on the stack`,
    stack: target.stack,
    saw: `npm run review beforehand: ${back.review?.verdict}${refused.length === 0 ? "" : `; refused: ${refused.join("; ")}`}${risks.length === 0 ? "" : `; at risk: ${risks.join("; ")}`}; the engine's preview: ${counted(back.preview)}`,
    left: `${failed}the release's program running; ${disagreeing(back)}; ${afterwards}`,
    recovery: [`git checkout ${release} && pulumi up --stack ${target.stack}`],
    kept: `${before.size} of ${before.size} (claims, data StatefulSets) with the same UIDs`,
    verdict: back.review?.verdict ?? "none",
    refused,
    risks,
    disagreements: back.disagreements.length,
    cleanAfter: check.status === 0,
    completed: back.run.status === 0,
    ...summary(back),
  };
}
