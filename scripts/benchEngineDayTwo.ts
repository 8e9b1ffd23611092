// `npm run bench:engine-day-two [-- kind|prod] [-- --record]` (by hand, about 40 minutes for both
// stacks; not in CI): every edit of tests/kit/dayTwoEdits.ts, each made alone on the committed stack
// file of each stack, deployed by the real engine to the test control plane, and seen three ways:
// the engine's preview, `npm run review`'s verdict on the same two configs, and the steps the update
// took. Each stack is deployed once; after each edit the committed stack file goes back up. An edit
// the cluster cannot go back from (a grown volume, which only grows) gets a fresh cluster. A team
// namespace a config names is created when the engine's preview says it is missing, as a team would.
// `--record` writes docs/measured/engine-day-two.md.
import * as k8s from "@kubernetes/client-node";
import { PROJECT_ROOT } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import type { StackConfig } from "../review/configEdit";
import { EKS_SHAPE, KIND_SHAPE, TestCluster, startCluster } from "../tests/kit/cluster";
import { Disagreement, counted } from "../tests/kit/engine/changes";
import { EngineStack, UpdateOutcome, engineErrors } from "../tests/kit/engine/engineStack";
import { DAY_TWO_EDITS, DayTwoEdit } from "../tests/kit/dayTwoEdits";
import { machine, writeMeasured } from "../tests/kit/measured";
import { STACKS, StackName } from "../tests/kit/stacks";
import { setUpTierTools } from "../tests/kit/tools";

const SHAPES = { kind: KIND_SHAPE, prod: EKS_SHAPE } as const;
/** A namespace the program reads (or writes into) that the cluster does not have, as the engine reports it. */
const MISSING_NAMESPACE =
  /namespaces "([a-z0-9-]+)" not found|core\/v1:Namespace::\S+ error: Preview failed: resource '([a-z0-9-]+)' does not exist/;

interface Row {
  readonly edit: DayTwoEdit;
  readonly stack: StackName;
  readonly preview: string;
  readonly verdict: string;
  readonly up: string;
  readonly seconds: number;
  readonly disagreements: readonly Disagreement[];
  /** The engine's error, for an edit the program refuses. */
  readonly refused?: string;
}

/** The line of an engine error that says what is wrong: a config problem's key, or the first line. */
function firstProblem(errors: string): string {
  const lines = errors.split("\n").map((l) => l.trim());
  return lines.find((l) => l.startsWith("observability:") || l.startsWith("- observability:")) ?? lines[0];
}

const printed: string[] = [];
const print = (line: string) => {
  printed.push(line);
  process.stdout.write(`${line}\n`);
};

/** One stack on its own control plane, redeployed from the committed stack file when it must be. */
class Deployment {
  private cluster?: TestCluster;
  private engine?: EngineStack;
  private created = new Set<string>();

  constructor(
    readonly stack: StackName,
    readonly committed: StackConfig,
  ) {}

  /** The engine of a stack deployed from `committed` on a fresh cluster. */
  async fresh(): Promise<EngineStack> {
    await this.stop();
    this.cluster = await startCluster(SHAPES[this.stack]);
    this.created = new Set();
    this.engine = new EngineStack(this.stack, this.cluster);
    await this.engine.init(this.committed);
    const first = await this.up();
    if (first.run.status !== 0)
      throw new Error(`${this.stack}: the first up failed:\n${engineErrors(first.run)}`);
    return this.engine;
  }

  /** `pulumi up` of the stack file as written; a namespace the engine says is missing is created first. */
  async up(): Promise<UpdateOutcome> {
    const engine = this.engine as EngineStack;
    for (;;) {
      const outcome = await engine.attemptUp();
      const found = MISSING_NAMESPACE.exec(engineErrors(outcome.run));
      const missing = found?.[1] ?? found?.[2];
      if (
        outcome.run.status === 0 ||
        missing === undefined ||
        this.created.has(missing) ||
        outcome.applied.size > 0
      ) {
        return outcome;
      }
      const api = (this.cluster as TestCluster).kubeConfig.makeApiClient(k8s.CoreV1Api);
      await api.createNamespace({ metadata: { name: missing } });
      this.created.add(missing);
    }
  }

  /** Back to the committed stack file; a fresh cluster when the engine cannot go back. */
  async reset(): Promise<void> {
    const engine = this.engine as EngineStack;
    await engine.edit(this.committed);
    const back = await this.up();
    if (back.run.status !== 0) {
      print(
        `  (${this.stack}: cannot go back by an update, so a fresh cluster: ${engineErrors(back.run).split("\n")[0]})`,
      );
      await this.fresh();
    }
  }

  async stop(): Promise<void> {
    this.engine?.remove();
    await this.cluster?.stop();
    this.engine = undefined;
    this.cluster = undefined;
  }

  get stackEngine(): EngineStack {
    return this.engine as EngineStack;
  }
}

async function runStack(stack: StackName): Promise<Row[]> {
  const committed = readStackFile(stack, PROJECT_ROOT);
  const deployment = new Deployment(stack, committed);
  const rows: Row[] = [];
  const start = Date.now();
  try {
    await deployment.fresh();
    print(
      `${stack}: deployed from the committed stack file in ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
    for (const edit of DAY_TWO_EDITS) {
      const from = edit.from?.(committed);
      if (from !== undefined) {
        await deployment.stackEngine.edit(from);
        const setup = await deployment.up();
        if (setup.run.status !== 0)
          throw new Error(
            `${stack}: "${edit.title}": its starting stack failed:\n${engineErrors(setup.run)}`,
          );
      }
      await deployment.stackEngine.edit(edit.edit(from ?? committed));
      const outcome = await deployment.up();
      const failed = outcome.run.status !== 0;
      const row: Row = {
        edit,
        stack,
        preview: counted(outcome.preview),
        verdict: outcome.review?.verdict ?? "none",
        up: failed ? `failed, ${counted(outcome.applied)}` : counted(outcome.applied),
        seconds: outcome.run.seconds,
        disagreements: failed ? [] : outcome.disagreements,
        ...(failed ? { refused: firstProblem(engineErrors(outcome.run)) } : {}),
      };
      rows.push(row);
      print(
        `${stack} | ${edit.title} | preview: ${row.preview} | review: ${row.verdict} | up: ${row.up} (${row.seconds.toFixed(1)} s)` +
          `${row.refused === undefined ? "" : ` | ${row.refused.slice(0, 160).trimEnd()}`}` +
          `${row.disagreements.length === 0 ? "" : ` | DISAGREE: ${row.disagreements.map((d) => `${d.urn.split("::").pop()} preview ${d.preview}, review ${d.review}, up ${d.up}`).join("; ")}`}`,
      );
      await deployment.reset();
    }
  } finally {
    await deployment.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stacks = STACKS.filter((s) => args.includes(s));
  setUpTierTools("cluster");
  const header = `Machine: ${machine()}`;
  print(header);
  const rows: Row[] = [];
  for (const stack of stacks.length > 0 ? stacks : STACKS) {
    rows.push(...(await runStack(stack)));
  }
  const refusedAsExpected = rows.filter(
    (r) => r.refused !== undefined && r.edit.verdict[r.stack] === "refused",
  ).length;
  const disagreeing = rows.filter((r) => r.disagreements.length > 0);
  const wrongRefusals = rows.filter(
    (r) => (r.refused !== undefined) !== (r.edit.verdict[r.stack] === "refused"),
  );
  print(
    `${rows.length} edits: ${rows.length - disagreeing.length - wrongRefusals.length} agree (${refusedAsExpected} of them refused by the program, as the review says), ` +
      `${disagreeing.length} disagree, ${wrongRefusals.length} refused where the review did not say so or the reverse`,
  );
  if (args.includes("--record")) {
    writeMeasured(
      "engine-day-two",
      "Every day-two edit through the real engine: its preview, the review, its update",
      "npm run bench:engine-day-two -- --record",
      printed.join("\n"),
    );
  }
  process.exitCode = disagreeing.length + wrongRefusals.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
