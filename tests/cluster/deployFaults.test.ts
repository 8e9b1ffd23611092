import * as k8s from "@kubernetes/client-node";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { KIND_SHAPE, TestCluster, startCluster, withImmediateBinding } from "../../testkit/cluster";
import { dataObjectUids } from "../../testkit/engine/dataObjects";
import {
  FaultOutcome,
  FaultTarget,
  drift,
  interruptedUp,
  neverReady,
} from "../../testkit/engine/deployFaults";
import { EngineStack, engineErrors } from "../../testkit/engine/engineStack";
import { addAppService } from "../../testkit/userEdits";

/** An image reference the test cluster's registry does not have (ClusterOptions.missingImages). */
const MISSING_IMAGE = "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0-not-mirrored";

/**
 * When a deploy of the kind stack goes wrong, through the real engine on the test control plane,
 * each recovered as docs/troubleshooting.md says (testkit/engine/deployFaults.ts): an up from empty
 * cut by Ctrl-C, an update killed part-way, drift, a workload that never becomes ready, and an up
 * from empty killed. Each ends with a completed up, a clean `preview --expect-no-changes` and
 * every claim and data StatefulSet kept. The cases share one cluster and stack, in order; the
 * rest run in `npm run bench:engine-faults`.
 */
describe("kind: when a deploy goes wrong", () => {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const outcomes: FaultOutcome[] = [];
  let cluster: TestCluster;
  let target: FaultTarget;

  beforeAll(async () => {
    cluster = await startCluster({ ...withImmediateBinding(KIND_SHAPE), missingImages: [MISSING_IMAGE] });
    const engine = new EngineStack("kind", cluster);
    await engine.init({ config, secretKeys });
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

  test("an up from empty cut by Ctrl-C: the engine finishes what it started and unlocks; the next up completes it", async () => {
    const outcome = await interruptedUp(target, "up from empty, Ctrl-C (SIGINT) after 20 changes", {
      signal: "SIGINT",
      afterChanges: 20,
    });
    expect(outcome.left).toContain("no pending operations");
    // The graceful cancel released the lock: no step of the recovery removes one.
    expect(outcome.recovery.filter((command) => command.includes("pulumi cancel"))).toEqual([]);
    expect(outcome.recovery.at(-1)).toBe("pulumi up --stack kind");
    outcomes.push(outcome);
  });

  test("an update killed (SIGKILL to the CLI and its plugins) part-way: the lock is left, npm run up clears it, the next up completes the edit", async () => {
    const outcome = await interruptedUp(
      target,
      "update (add an app service) killed after 1 change",
      { signal: "SIGKILL", afterChanges: 1 },
      addAppService(config),
    );
    expect(outcome.saw).toContain("the stack is currently locked");
    expect(outcome.left).toContain("the stack's lock");
    outcomes.push(outcome);
    await target.engine.edit({ config, secretKeys });
    await target.engine.up();
  });

  test("drift: preview --refresh --diff names each change behind Pulumi's back, up --refresh puts back what the program owns, a deleted claim comes back empty", async () => {
    outcomes.push(await drift(target));
  });

  test("a Deployment whose image the registry lacks fails the up within cluster.rolloutTimeoutMinutes, naming it and ImagePullBackOff; the config put back, the next up completes", async () => {
    const outcome = await neverReady(
      target,
      "kubeStateMetrics",
      { kind: "Deployment", name: "kube-state-metrics" },
      MISSING_IMAGE,
    );
    expect(outcome.saw).toContain("kube-state-metrics");
    // The bound (1 minute) and the program's own run before the step.
    expect(outcome.failedWithin).toBeLessThan(150);
    outcomes.push(outcome);
  });

  test("an up from empty killed part-way: the lock and pending creates are left, and npm run up then pulumi up recover", async () => {
    const destroyed = await target.engine.destroy();
    expect(`${destroyed.status} ${engineErrors(destroyed)}`).toBe("0 ");
    // kind's data is not retained: the stack starts from empty, its claims gone with it.
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.deleteCollectionNamespacedPersistentVolumeClaim("observability").catch(() => undefined);
    expect((await dataObjectUids(cluster.kubeConfig, "observability")).size).toBe(0);
    const outcome = await interruptedUp(target, "up from empty killed (SIGKILL) after 20 changes", {
      signal: "SIGKILL",
      afterChanges: 20,
    });
    expect(outcome.saw).toContain("the stack is currently locked");
    outcomes.push(outcome);
  });
});
