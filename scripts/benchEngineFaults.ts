// `npm run bench:engine-faults [-- kind|prod] [-- --only <text>] [-- --record]` (by hand, about 20 minutes, the two
// stacks at once; not in CI): every case of tests/kit/engine/deployFaults.ts on each stack, deployed by the
// real engine to a test control plane shaped like the stack's cluster, each recovered as
// docs/troubleshooting.md says; then a rollback to the newest kept release. The engine tier runs
// the quick cases on kind in CI (tests/cluster/deployFaults.test.ts). `--record` writes
// docs/measured/engine-faults.md; `--only <text>` runs only the cases whose name holds the text
// (after a first up, unless the first case is among them), to look again at one.
import * as k8s from "@kubernetes/client-node";
import * as path from "path";
import { PROJECT_ROOT } from "../render/renderStack";
import { withCheckout } from "../render/revision";
import { readStackFile } from "../render/stackFile";
import { UPGRADES_DIR, keptReleases } from "../render/upgradeRecords";
import { EKS_SHAPE, KIND_SHAPE, describe, startCluster } from "../tests/kit/cluster";
import {
  FaultOutcome,
  FaultTarget,
  NEVER_READY,
  anotherFieldManager,
  apiServerAway,
  changedSecretsProvider,
  destroyed,
  drift,
  interruptedDestroy,
  interruptedUp,
  neverReady,
  rollback,
  twoUpsAtOnce,
} from "../tests/kit/engine/deployFaults";
import { EngineStack, engineErrors } from "../tests/kit/engine/engineStack";
import { machine, writeMeasured } from "../tests/kit/measured";
import { releaseCommit } from "../tests/kit/releases";
import { STACKS, StackName } from "../tests/kit/stacks";
import { setUpTierTools } from "../tests/kit/tools";
import { addAppService, configSetPath } from "../tests/kit/userEdits";

const SHAPES = { kind: KIND_SHAPE, prod: EKS_SHAPE } as const;
/** Namespaces a stack reads rather than creates: the team makes them before the first up. */
const TEAM_NAMESPACES: Readonly<Record<StackName, readonly string[]>> = { kind: [], prod: ["tiketi-spring"] };
const printed: string[] = [];
/** The cases that failed, by stack: the bench exits non-zero when any did. */
const failed: string[] = [];
const print = (line: string) => {
  printed.push(line);
  process.stdout.write(`${line}\n`);
};

const seconds = (outcome: FaultOutcome) => (Number.isNaN(outcome.seconds) ? "—" : outcome.seconds.toFixed(1));

/** A row of the record's table: `|` and line breaks kept out of the cells. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

async function runStack(stack: StackName, only: string | undefined): Promise<FaultOutcome[]> {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const cluster = await startCluster({
    ...SHAPES[stack],
    missingImages: NEVER_READY[stack].map((b) => b.image),
  });
  const engine = new EngineStack(stack, cluster);
  const outcomes: FaultOutcome[] = [];
  const record = (outcome: FaultOutcome) => {
    outcomes.push(outcome);
    print(`${stack} | ${outcome.name} | ${outcome.recovered} in ${seconds(outcome)} s`);
  };
  try {
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    for (const name of TEAM_NAMESPACES[stack]) await core.createNamespace({ metadata: { name } });
    await engine.init({ config, secretKeys });
    const target: FaultTarget = { stack, cluster, engine, config, secretKeys };
    const deployed = async () => {
      await engine.edit({ config, secretKeys });
      const { run } = await engine.up();
      if (run.status !== 0) throw new Error(`the stack's own config did not deploy: ${engineErrors(run)}`);
    };
    const release = keptReleases().at(-1) as string;
    const releaseStack = readStackFile(stack, path.join(UPGRADES_DIR, release));
    // Each case starts from the stack's config deployed, except the first (from empty). A case that
    // fails is recorded as failed, and the next starts from a redeploy.
    const cases: [string, () => Promise<FaultOutcome>][] = [
      [
        "up from empty, Ctrl-C (SIGINT) after 20 changes",
        () =>
          interruptedUp(target, "up from empty, Ctrl-C (SIGINT) after 20 changes", {
            signal: "SIGINT",
            afterChanges: 20,
          }),
      ],
      [
        "update (add an app service) killed after 1 change",
        () =>
          interruptedUp(
            target,
            "update (add an app service) killed after 1 change",
            { signal: "SIGKILL", afterChanges: 1 },
            addAppService(config),
          ),
      ],
      [
        "the API server away for 60 s during an update",
        async () => {
          await deployed();
          return apiServerAway(
            target,
            configSetPath(addAppService(config), "metrics.retentionTime", "12d"),
            60,
          );
        },
      ],
      [
        "drift",
        async () => {
          await deployed();
          return drift(target);
        },
      ],
      ["another field manager", () => anotherFieldManager(target)],
      ["workloads never ready", () => neverReady(target, NEVER_READY[stack])],
      ["two ups at once", () => twoUpsAtOnce(target, configSetPath(config, "metrics.retentionTime", "12d"))],
      [
        "a changed secrets passphrase",
        async () => {
          await deployed();
          return changedSecretsProvider(target);
        },
      ],
      [
        `rollback to ${release}`,
        // The cases after it run this program again: the release's checkout is gone once it ends.
        () =>
          withCheckout(releaseCommit(release), (root) =>
            rollback(target, release, root, releaseStack),
          ).finally(() => engine.useProgram(PROJECT_ROOT)),
      ],
      [
        "destroy, the CLI killed after 40 deletes",
        async () => {
          await deployed();
          return interruptedDestroy(target, "destroy, the CLI killed after 40 deletes", {
            signal: "SIGKILL",
            afterChanges: 40,
            cliOnly: true,
          });
        },
      ],
      [
        "up from empty, the CLI killed after 40 changes",
        async () => {
          await destroyed(target);
          return interruptedUp(target, "up from empty, the CLI killed after 40 changes", {
            signal: "SIGKILL",
            afterChanges: 40,
            cliOnly: true,
          });
        },
      ],
    ];
    const chosen = cases.filter(([name]) => only === undefined || name.includes(only));
    if (chosen[0] !== cases[0]) await deployed();
    const failure = (name: string, what: string, error: unknown) => {
      failed.push(`${stack}: ${name}`);
      console.error(`${stack}: ${name}:`, error);
      record({
        name,
        stack,
        saw: `${what}: ${describe(error).split("\n")[0].slice(0, 600)}`,
        left: "",
        recovery: [],
        recovered: "not recovered",
        seconds: NaN,
        kept: "",
      });
    };
    for (const [name, run] of chosen) {
      try {
        record(await run());
      } catch (error) {
        failure(name, "the case failed", error);
        // The stack's other cases need it deployed: without that, its run ends here, recorded.
        const redeployed = await deployed().then(
          () => true,
          (redeploy: unknown) => {
            failure(`${name}: the redeploy after it`, "the stack's run ended", redeploy);
            return false;
          },
        );
        if (!redeployed) break;
      }
    }
  } finally {
    engine.remove();
    await cluster.stop();
  }
  return outcomes;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stacks = STACKS.filter((s) => args.includes(s));
  setUpTierTools("cluster");
  print(`Machine: ${machine()}`);
  const outcomes: FaultOutcome[] = [];
  // Each stack on its own control plane, at once.
  const onlyAt = args.indexOf("--only");
  const only = onlyAt === -1 ? undefined : args[onlyAt + 1];
  if (only !== undefined && args.includes("--record"))
    throw new Error("--record writes every case: drop --only");
  for (const ran of await Promise.all(
    (stacks.length > 0 ? stacks : STACKS).map((stack) => runStack(stack, only)),
  ))
    outcomes.push(...ran);
  const table = [
    "| case | stack | what the user saw | what was left | recovery | the recovering up | seconds | data objects kept |",
    "| --- | --- | --- | --- | --- | --- | ---: | --- |",
    ...outcomes.map(
      (o) =>
        `| ${cell(o.name)} | ${o.stack} | ${cell(o.saw)} | ${cell(o.left)} | ${cell(o.recovery.map((c) => `\`${c}\``).join(", then "))} | ${cell(o.recovered)} | ${seconds(o)} | ${cell(o.kept)} |`,
    ),
  ].join("\n");
  print(table);
  if (args.includes("--record")) {
    writeMeasured(
      "engine-faults",
      "When a deploy goes wrong: each case through the real engine, and its recovery",
      "npm run bench:engine-faults -- --record",
      `${printed[0]}\n\n${table}`,
      "markdown",
    );
  }
  if (failed.length > 0) {
    print(`Failed: ${failed.join("; ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
