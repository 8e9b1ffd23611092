import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { KIND_SHAPE, TestCluster, startCluster, withImmediateBinding } from "../kit/cluster";
import {
  FaultOutcome,
  FaultTarget,
  NEVER_READY,
  drift,
  interruptedUp,
  neverReady,
} from "../kit/engine/deployFaults";
import { EngineStack, engineErrors } from "../kit/engine/engineStack";

/**
 * When a deploy of the kind stack goes wrong, through the real engine on the test control plane,
 * each recovered as docs/troubleshooting.md says (tests/kit/engine/deployFaults.ts): an up from empty
 * whose CLI is killed, recovered by the page's commands read from the page, drift, and a workload
 * that never becomes ready. Each ends with a completed up, a clean `preview --expect-no-changes`, no
 * pending operation in the state and every claim and data StatefulSet kept. The killed CLI's plugins
 * finish what they were asked to apply before the next up, so its recovery does not depend on the
 * moment of the kill (`npm run up`'s own recovery, scripts/killedUp.ts, runs in the bench); a
 * Ctrl-C, which cancels requests under way (a node port taken for a Service never created, freed
 * only minutes later), runs in `npm run bench:engine-faults` only, with the other interruptions.
 */
describe("kind: when a deploy goes wrong", () => {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const outcomes: FaultOutcome[] = [];
  let cluster: TestCluster;
  let target: FaultTarget;

  beforeAll(async () => {
    cluster = await startCluster({
      ...withImmediateBinding(KIND_SHAPE),
      missingImages: NEVER_READY.kind.map((b) => b.image),
    });
    const engine = new EngineStack("kind", cluster);
    await engine.init({ config, secretKeys });
    target = { stack: "kind", cluster, engine, config, secretKeys };
  });

  /** The stack's config deployed: what each case after the first starts from. */
  const deployed = async () => {
    const { run } = await target.engine.up();
    if (run.status !== 0) throw new Error(`the stack's own config did not deploy: ${engineErrors(run)}`);
  };

  afterAll(async () => {
    await cluster?.stop();
    target?.engine.remove();
    console.log(
      outcomes
        .map(
          (o) =>
            `✓ ${o.stack} ${o.name}: saw "${o.saw}"; left ${o.left}; recovered by ${o.recovery.join(", then ")}: ${o.recovered} in ${o.seconds.toFixed(1)} s; data kept ${o.kept}`,
        )
        .join("\n"),
    );
  });

  test("an up from empty whose CLI is killed (kill -9 of its pid) after 40 creates: the lock's error as troubleshooting.md shows it, recovered by the page's commands as written (its plugins given the page's time, cancel, up, refresh --clear-pending-creates)", async () => {
    const outcome = await interruptedUp(
      target,
      "up from empty, the CLI killed after 40 changes",
      { signal: "SIGKILL", afterChanges: 40, cliOnly: true },
      undefined,
      "by hand",
    );
    outcomes.push(outcome);
    expect(outcome.left).toContain("the stack's lock");
    expect(outcome.kept).toContain("0 pending operations");
  });

  test("drift: preview --refresh --diff names each change behind Pulumi's back, up --refresh puts back what the program owns, a deleted claim comes back empty", async () => {
    await deployed();
    outcomes.push(await drift(target));
  });

  test("a Deployment and a StatefulSet whose images the registry lacks fail the up within cluster.rolloutTimeoutMinutes, each named; the config put back, the next up completes", async () => {
    const outcome = await neverReady(target, NEVER_READY.kind);
    outcomes.push(outcome);
    expect(outcome.saw).toMatch(/^after \d+ s: /);
    for (const { name } of NEVER_READY.kind) {
      expect(outcome.saw).toContain(
        `"observability/${name}" failed to fully initialize or become live: timed out`,
      );
    }
    // The bound (1 minute) and the program's own run before the steps.
    expect(outcome.failedWithin).toBeLessThan(150);
  });
});
