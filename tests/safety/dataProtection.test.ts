import { renderedPods } from "../../checks/podSpecs";
import { selectorMatches } from "../../checks/networkPolicyCoverage";
import { rendered } from "../renderedStacks";
import { objectNamed } from "../support/rendered";

type Json = Record<string, any>;

const DATA_WORKLOADS = ["alertmanager", "grafana", "loki", "prometheus", "tempo"];

describe("data protection", () => {
  test("prod: every workload holding history is protected and retained on delete, and nothing else", async () => {
    const { registrations } = await rendered("prod");
    const guarded = registrations.filter((r) => r.protect || r.retainOnDelete);
    expect(guarded.map((r) => `${r.type}::${(r.inputs.metadata as Json).name as string}`).sort()).toEqual(
      DATA_WORKLOADS.map((name) => `kubernetes:apps/v1:StatefulSet::${name}`),
    );
    for (const r of guarded) {
      expect(r).toMatchObject({ protect: true, retainOnDelete: true });
    }
  });

  test("kind: nothing is protected, the stack can be destroyed freely", async () => {
    const { registrations } = await rendered("kind");
    expect(registrations.filter((r) => r.protect || r.retainOnDelete)).toEqual([]);
  });

  test("every volume belongs to exactly one pod: claims come from StatefulSet templates, ReadWriteOnce, kept on delete", async () => {
    for (const stack of ["kind", "prod"] as const) {
      const { objects } = await rendered(stack);
      for (const pod of renderedPods(objects)) {
        expect((pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim !== undefined)).toEqual([]);
      }
      for (const statefulSet of objects.filter((o) => o.kind === "StatefulSet")) {
        const spec = statefulSet.spec as Json;
        expect(spec.updateStrategy).toEqual({ type: "RollingUpdate" });
        expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({
          whenDeleted: "Retain",
          whenScaled: "Retain",
        });
        for (const claim of spec.volumeClaimTemplates as Json[]) {
          expect(claim.spec.accessModes).toEqual(["ReadWriteOnce"]);
        }
      }
    }
  });
});

describe("replicated workloads", () => {
  test("prod: a PodDisruptionBudget per replicated workload that keeps all but one up and never blocks a drain", async () => {
    const { objects } = await rendered("prod");
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(["alertmanager", "prometheus"]);
    for (const budget of budgets) {
      const workload = objectNamed(objects, "StatefulSet", budget.metadata.name);
      const spec = budget.spec as Json;
      expect(spec.minAvailable).toBe(workload.spec.replicas - 1);
      expect(spec.minAvailable).toBeLessThan(workload.spec.replicas);
      expect(spec.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
      expect(selectorMatches(spec.selector, workload.spec.template.metadata.labels)).toBe(true);
    }
  });

  test("prod: replicas spread across nodes and zones without refusing to schedule on fewer", async () => {
    const { objects } = await rendered("prod");
    for (const name of ["alertmanager", "prometheus"]) {
      const spread = objectNamed(objects, "StatefulSet", name).spec.template.spec
        .topologySpreadConstraints as Json[];
      expect(spread.map((c) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
        ["kubernetes.io/hostname", "ScheduleAnyway", 1],
        ["topology.kubernetes.io/zone", "ScheduleAnyway", 1],
      ]);
      expect(spread[0].labelSelector.matchLabels).toEqual(
        objectNamed(objects, "StatefulSet", name).spec.selector.matchLabels,
      );
    }
  });

  test("kind: single replicas, no budgets and no spread", async () => {
    const { objects } = await rendered("kind");
    expect(objects.filter((o) => o.kind === "PodDisruptionBudget")).toEqual([]);
    for (const workload of objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind))) {
      expect((workload.spec as Json).replicas).toBe(1);
      expect((workload.spec as Json).template.spec.topologySpreadConstraints).toBeUndefined();
    }
  });
});
