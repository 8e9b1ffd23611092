import * as k8s from "@kubernetes/client-node";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";
import { renderUpgraded, upgradedStackFile } from "../../render/upgradeEdits";
import { withCheckout } from "../../render/revision";
import { readStackFile } from "../../render/stackFile";
import { UPGRADES_DIR, keptReleases, recordRender, recordedRender } from "../../render/upgradeRecords";
import { upgradeChanges } from "../../render/upgradeDigest";
import { EKS_SHAPE, KIND_SHAPE, TestCluster, startCluster, withImmediateBinding } from "../kit/cluster";
import { Change, Changes, counted, disagreements } from "../kit/engine/changes";
import { rollback } from "../kit/engine/deployFaults";
import { EngineStack, engineErrors } from "../kit/engine/engineStack";
import { resourceType } from "../kit/engine/urn";
import { dependencyMismatches, releaseCommit } from "../kit/releases";
import { StackName } from "../kit/stacks";

const SHAPES: Readonly<Record<StackName, typeof KIND_SHAPE>> = { kind: KIND_SHAPE, prod: EKS_SHAPE };

/**
 * The release upgraded from: the newest kept one, whose upgrade note in docs/day-two.md is the one
 * to this program, or an older one named by ENGINE_UPGRADE_FROM (by hand), whose stack files then
 * take the notes of every release since.
 */
const LATEST = process.env.ENGINE_UPGRADE_FROM ?? (keptReleases().at(-1) as string);
if (!keptReleases().includes(LATEST)) {
  throw new Error(`ENGINE_UPGRADE_FROM=${LATEST}: no such kept release (${keptReleases().join(", ")})`);
}

/**
 * Released programs patch their claims without `pulumi.com/skipAwait`, and the provider's wait for
 * a claim patch never ends on a WaitForFirstConsumer class (kind's `standard`, EKS's gp3): their
 * first up fails after 300 s on each claim, and stops before what it had not started yet.
 * ENGINE_UPGRADE_FULL=1 deploys the release on such a cluster, as its users did (about six minutes
 * a stack, by hand); in CI the cluster's class binds claims at once, where the provider's wait
 * ends when the claim is bound.
 */
const FULL = process.env.ENGINE_UPGRADE_FULL === "1";

/**
 * What the review says of the rollback. It judges the release's render by this program's policies:
 * 0.4.0's prod load balancer negotiates TLS 1.0 and admits any address to Grafana, which the edges
 * policy refuses; on both stacks Loki goes back a release on its volume.
 */
const ROLLBACK_REVIEW: Readonly<Record<StackName, { verdict: string; refusedBy: readonly string[] }>> = {
  kind: { verdict: "refused", refusedBy: ["rollouts-awaited"] },
  prod: { verdict: "refused", refusedBy: ["rollouts-awaited", "closed-ingress-edges-in-prod"] },
};
const refusingPolicy = (refusal: string) => /^policy ([a-z0-9-]+):/.exec(refusal)?.[1] ?? refusal;

const isPatch = (urn: string) => resourceType(urn) === "kubernetes:core/v1:PersistentVolumeClaimPatch";
const kubernetesOnly = (changes: Changes): Changes =>
  new Map([...changes].filter(([urn]) => resourceType(urn).startsWith("kubernetes:")));

/**
 * A team on the newest release upgrades: that release's program (its commit, on its own pinned
 * dependencies) deploys its committed stack files with the real engine; then the same stacks, the
 * files edited only as the upgrade note asks (render/upgradeEdits.ts), are updated by this program. The engine's preview, the review of the two
 * programs on the same file and the update's steps agree on every resource, and the Kubernetes
 * objects the update creates, deletes and changes are the ones the upgrade note names. Nothing
 * that holds data is put at risk.
 */
describe.each(["kind", "prod"] as const)(
  `upgrading a %s stack from release ${LATEST} with the engine`,
  (stack) => {
    let cluster: TestCluster;
    const log: string[] = [];

    beforeAll(async () => {
      cluster = await startCluster(FULL ? SHAPES[stack] : withImmediateBinding(SHAPES[stack]));
      if (stack === "prod") {
        // prod reads the teams' namespaces: they exist before its first up.
        await cluster.kubeConfig
          .makeApiClient(k8s.CoreV1Api)
          .createNamespace({ metadata: { name: "tiketi-spring" } });
      }
    });

    afterAll(async () => {
      await cluster?.stop();
      console.log(log.join("\n"));
    });

    test("only the steps the upgrade note names, as the preview and the review said; then rolled back to the release", async () => {
      const commit = releaseCommit(LATEST);
      const stackFile = readStackFile(stack, path.join(UPGRADES_DIR, LATEST));
      await withCheckout(commit, async (release) => {
        expect(dependencyMismatches(release)).toEqual([]);
        const engine = new EngineStack(stack, cluster, { projectRoot: release });
        try {
          await engine.init(stackFile);
          const deployed = await engine.attemptUp();
          const failedPatches = deployed.run.failures.filter((f) => isPatch(f.split(": ")[0]));
          if (FULL) {
            // Every claim patch failed, and nothing else did.
            expect(deployed.run.failures.length).toBe(failedPatches.length);
            expect(engineErrors(deployed.run)).toContain("Timeout occurred polling for 'data-");
          } else {
            expect(`${deployed.run.status} ${engineErrors(deployed.run)}`).toBe("0 ");
          }
          log.push(
            `✓ ${stack}: ${LATEST} (${commit.slice(0, 7)}) deployed by pulumi up, claims bound ${FULL ? "on first use" : "at once"}: ${counted(deployed.applied)}, ${failedPatches.length} claim patches failed, in ${deployed.run.seconds.toFixed(1)} s`,
          );

          // The stack file as the upgrade note asks a team to edit it first.
          engine.useProgram(PROJECT_ROOT);
          await engine.edit(upgradedStackFile(stack, LATEST));
          const upgrade = await engine.up();
          // The review compares the two programs' renders: it takes all the release registers as
          // deployed. Where the release's up failed (in full: its claim patches, which this up
          // updates, and what the failure stopped, which it creates), this up completes it.
          const leftByRelease = new Map(
            FULL
              ? [...upgrade.applied].filter(
                  ([urn, change]) =>
                    upgrade.reviewed.get(urn) !== change &&
                    ((isPatch(urn) && change === "updated") || change === "created"),
                )
              : [],
          );
          const reviewed = new Map([...upgrade.reviewed, ...leftByRelease]);
          expect(disagreements(upgrade.preview, reviewed, upgrade.applied)).toEqual([]);
          expect(upgrade.review?.atRisk).toEqual([]);

          // The note: the release's recorded render of its stack file against this program's.
          const before = recordedRender(LATEST, LATEST, stack);
          const after = await recordRender("this", stack, () => renderUpgraded(stack, LATEST));
          const noted = upgradeChanges(before?.objects ?? {}, after.objects ?? {});
          const urnOf = (key: string) => after.urns?.[key] ?? before?.urns?.[key] ?? key;
          const expected = new Map<string, Change>([
            ...noted.created.map((key) => [urnOf(key), "created"] as const),
            ...noted.deleted.map((key) => [urnOf(key), "deleted"] as const),
            ...noted.replaced.map((key) => [urnOf(key), "replaced"] as const),
            ...noted.updated.map((key) => [urnOf(key), "updated"] as const),
            ...kubernetesOnly(leftByRelease),
          ]);
          const kubernetes = kubernetesOnly(upgrade.applied);
          expect(Object.fromEntries(kubernetes)).toEqual(Object.fromEntries(expected));
          log.push(
            `✓ ${stack}: ${LATEST} → this program by pulumi up: ${counted(upgrade.applied)} in ${upgrade.run.seconds.toFixed(1)} s; its Kubernetes objects ${counted(kubernetes)}, the upgrade note's${leftByRelease.size === 0 ? "" : ` and the ${leftByRelease.size} the release's failed up left`}; review verdict ${upgrade.review?.verdict}`,
          );

          // Rolling back: the release's commit deployed again on the upgraded stack, as a user who
          // checks the release out does.
          const back = await rollback({ stack, cluster, engine, ...stackFile }, LATEST, release, stackFile);
          expect(back.verdict).toBe(ROLLBACK_REVIEW[stack].verdict);
          expect([...new Set(back.refused.map(refusingPolicy))]).toEqual(ROLLBACK_REVIEW[stack].refusedBy);
          expect(
            back.risks.some((risk) => risk.includes("goes back from docker.io/grafana/loki:3.7.8")),
          ).toBe(true);
          // On a class that binds claims at once; on WaitForFirstConsumer, 0.4.0's claim patches wait 300 s and fail (the bench).
          expect(back.completed).toBe(true);
          log.push(
            `✓ ${stack}: this program → ${LATEST} by pulumi up: ${back.recovered} in ${back.seconds.toFixed(1)} s, 0 errors; ${back.saw}; ${back.left}; data kept: ${back.kept}`,
          );
        } finally {
          engine.remove();
        }
      });
    });
  },
);
