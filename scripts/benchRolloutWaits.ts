// `npm run bench:rollout-waits [-- --runs <n>] [-- --busy <cores>] [-- --record]` (by hand, about 15
// minutes; not in CI): on a test control plane shaped like kind, the kind stack deployed by the real
// engine, then `--runs` times (5) the update that sets a Deployment's and a StatefulSet's images to
// ones the registry lacks (tests/kit/engine/deployFaults.ts, NEVER_READY), with `--busy` cores (2) kept
// busy by shell loops throughout: each run's up must fail within cluster.rolloutTimeoutMinutes (1),
// naming both, and the next up, the config put back, complete. Exits 1 when any run's up completed.
// `--record` writes docs/measured/rollout-waits.md.
import { ChildProcess, spawn } from "child_process";
import { PROJECT_ROOT } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { KIND_SHAPE, startCluster } from "../tests/kit/cluster";
import { NEVER_READY, neverReady } from "../tests/kit/engine/deployFaults";
import { EngineStack } from "../tests/kit/engine/engineStack";
import { machine, writeMeasured } from "../tests/kit/measured";
import { setUpTierTools } from "../tests/kit/tools";

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} takes a whole number, got ${args[at + 1]}`);
  return value;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = option(args, "--runs", 5);
  const busyCores = option(args, "--busy", 2);
  setUpTierTools("cluster");
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const cluster = await startCluster({ ...KIND_SHAPE, missingImages: NEVER_READY.kind.map((b) => b.image) });
  const engine = new EngineStack("kind", cluster);
  const busy: ChildProcess[] = [];
  const rows: string[] = [];
  let completed = 0;
  try {
    await engine.init({ config, secretKeys });
    await engine.up();
    for (let core = 0; core < busyCores; core++) {
      busy.push(spawn("bash", ["-c", "while :; do :; done"], { stdio: "ignore" }));
    }
    const target = { stack: "kind" as const, cluster, engine, config, secretKeys };
    for (let run = 1; run <= runs; run++) {
      const outcome = await neverReady(target, NEVER_READY.kind);
      if (outcome.failedWithin === undefined) completed++;
      const verdict =
        outcome.failedWithin === undefined
          ? "completed (wrong)"
          : `failed after ${outcome.failedWithin.toFixed(0)} s`;
      rows.push(
        `| ${run} | ${verdict} | ${cell(outcome.saw)} | ${cell(outcome.recovered)} in ${outcome.seconds.toFixed(1)} s | ${cell(outcome.kept)} |`,
      );
      process.stdout.write(`run ${run}: ${verdict}\n`);
    }
  } finally {
    for (const loop of busy) loop.kill();
    engine.remove();
    await cluster.stop();
  }
  const report = [
    `Machine: ${machine()}; ${busyCores} core(s) kept busy by shell loops during the runs.`,
    `Each run: ${NEVER_READY.kind.map((b) => `images.${b.component} (${b.kind} ${b.name})`).join(" and ")} set to images the registry lacks, cluster.rolloutTimeoutMinutes 1, pulumi up; then the config put back and pulumi up again.`,
    `The ups that failed within the bound: ${runs - completed} of ${runs}.`,
    "",
    "| run | the broken up | what it printed | the recovering up | data objects kept |",
    "| ---: | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (args.includes("--record")) {
    writeMeasured(
      "rollout-waits",
      "An update whose new pods never start fails pulumi up, on a busy machine",
      `npm run bench:rollout-waits -- --runs ${runs} --busy ${busyCores} --record`,
      report,
      "markdown",
    );
  }
  if (completed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
