import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { KIND_SHAPE, TestCluster, startCluster, withImmediateBinding } from "../../testkit/cluster";
import { FaultOutcome, FaultTarget, NEVER_READY, drift, neverReady } from "../../testkit/engine/deployFaults";
import { EngineStack } from "../../testkit/engine/engineStack";

/**
 * When a deploy of the kind stack goes wrong, through the real engine on the test control plane,
 * each recovered as docs/troubleshooting.md says (testkit/engine/deployFaults.ts): drift, and a
 * workload that never becomes ready. Each ends with a completed up, a clean `preview
 * --expect-no-changes` and every claim and data StatefulSet kept. The interrupted ups run in
 * `npm run bench:engine-faults` only: what they leave depends on which operations are in flight at
 * the kill (a lock, an unreadable state, an unrecorded Service), so each run meets a different
 * recovery, and a test that can fail by chance has no place in CI.
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
    await engine.up();
    target = { stack: "kind", cluster, engine, config, secretKeys };
  });

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

  test("drift: preview --refresh --diff names each change behind Pulumi's back, up --refresh puts back what the program owns, a deleted claim comes back empty", async () => {
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
