import { KubeObject } from "../../../render/manifest";
import { renderedPods } from "../../../checks/podSpecs";
import { selectorMatches } from "../../../checks/networkPolicyCoverage";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { Json } from "../../kit/json";

/** Workloads with data volumes in prod. Grafana keeps its state in the external database there. */
// The collectors' volumes hold acknowledged spans Tempo does not have yet.
const DATA_WORKLOADS = [
  "alertmanager",
  "loki",
  "otel-collector",
  "otel-collector-aggregator",
  "prometheus",
  "tempo",
];

/**
 * The claim patches are retained on delete everywhere (a claim cannot give its size back, so the
 * provider could not release the field); they hold no data. Everything else that is guarded is.
 */
function claimPatches({ registrations }: RenderedStack) {
  return registrations.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaimPatch");
}

function guardedWorkloads(stack: RenderedStack): string[] {
  for (const patch of claimPatches(stack)) {
    expect(patch).toMatchObject({ protect: false, retainOnDelete: true });
  }
  const guarded = stack.registrations.filter(
    (r) => (r.protect || r.retainOnDelete) && !claimPatches(stack).includes(r),
  );
  for (const r of guarded) {
    expect(r).toMatchObject({ protect: true, retainOnDelete: true });
  }
  return guarded.map((r) => `${r.type}::${(r.inputs.metadata as Json).name as string}`).sort();
}

describe("data protection", () => {
  test("prod: every component answers to the type it was deployed under, so the protected namespace keeps its URN", async () => {
    const components = (await rendered("prod")).registrations.filter((r) =>
      r.type.startsWith("observability:index:"),
    );
    expect(components.map((r) => `${r.type} ${r.aliases.join(",")}`).sort()).toEqual([
      "observability:index:GrafanaStack observability:index:Grafana",
      "observability:index:LogsStack observability:index:Logs",
      "observability:index:MetricsStack observability:index:Metrics",
      "observability:index:StackNamespaces observability:index:Namespaces",
      "observability:index:TracingStack observability:index:Tracing",
    ]);
  });

  test("prod: every workload holding history on a volume is protected and retained on delete, and nothing else", async () => {
    // The namespace too: deleting it would delete every claim in it.
    expect(guardedWorkloads(await rendered("prod"))).toEqual([
      ...DATA_WORKLOADS.map((name) => `kubernetes:apps/v1:StatefulSet::${name}`),
      "kubernetes:core/v1:Namespace::observability",
    ]);
  });

  test("prod without a Grafana database: Grafana's volume is protected too", async () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const grafana = JSON.parse(config["observability:grafana"]) as Json;
    delete grafana.database;
    const single = await renderWithConfig(
      "prod",
      { ...config, "observability:grafana": JSON.stringify({ ...grafana, replicas: 1 }) },
      secretKeys.filter((key) => key !== "observability:grafana"),
    );
    expect(guardedWorkloads(single)).toContain("kubernetes:apps/v1:StatefulSet::grafana");
    expect(guardedWorkloads(single)).toHaveLength(DATA_WORKLOADS.length + 2);
  });

  test("kind: nothing is protected, the stack can be destroyed freely", async () => {
    expect(guardedWorkloads(await rendered("kind"))).toEqual([]);
  });

  test("every volume belongs to exactly one pod: claims come from StatefulSet templates, ReadWriteOnce, kept on delete but for the Thanos caches", async () => {
    for (const stack of ["kind", "prod"] as const) {
      const { objects } = await rendered(stack);
      for (const pod of renderedPods(objects)) {
        expect((pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim !== undefined)).toEqual([]);
      }
      for (const statefulSet of objects.filter((o) => o.kind === "StatefulSet")) {
        const spec = statefulSet.spec as Json;
        expect(spec.updateStrategy).toEqual({ type: "RollingUpdate" });
        // The store gateways' index headers and the compactor's scratch are rebuilt from the bucket.
        const cache = ["thanos-store", "thanos-compactor"].includes(statefulSet.metadata.name);
        expect(spec.persistentVolumeClaimRetentionPolicy).toEqual(
          cache
            ? { whenDeleted: "Delete", whenScaled: "Delete" }
            : { whenDeleted: "Retain", whenScaled: "Retain" },
        );
        for (const claim of spec.volumeClaimTemplates as Json[]) {
          expect(claim.spec.accessModes).toEqual(["ReadWriteOnce"]);
        }
      }
    }
  });
});

/**
 * Prod high availability: Alertmanager clustered on 3, Prometheus on 2 (each scrapes everything),
 * Grafana on 2 over a shared database, the collector's gateway and aggregator tiers on 2 each, and
 * Thanos Query, the query path over the Prometheus replicas, on 2, with the store gateways over the
 * bucket on 2 and its one compactor (Thanos' rule), Loki on 3 in one ring (each line
 * on a majority of them). Tempo stays a single binary on one volume (docs/operations.md explains),
 * kube-state-metrics is one replica by design (two would double every series), and so is Loki's
 * canary (a second one would only prove the same path twice; a lost canary pod loses no one's data).
 */
const PROD_REPLICAS: Record<string, number> = {
  alertmanager: 3,
  prometheus: 2,
  grafana: 2,
  "otel-collector": 2,
  "otel-collector-aggregator": 2,
  "thanos-query": 2,
  "thanos-store": 2,
  // Two rulers evaluate the long windows; Alertmanager and Query take one of each pair.
  "thanos-ruler": 2,
  // One compactor per stream of blocks, as Thanos requires.
  "thanos-compactor": 1,
  loki: 3,
  tempo: 1,
  "kube-state-metrics": 1,
  "loki-canary": 1,
  // One reader of the cluster's events: a second would ship each of them twice.
  "event-collector": 1,
};

describe("replicated workloads", () => {
  const workloads = (objects: readonly KubeObject[]) =>
    objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind)) as (KubeObject & Json)[];

  test("prod: the replica table", async () => {
    const { objects } = await rendered("prod");
    expect(Object.fromEntries(workloads(objects).map((w) => [w.metadata.name, w.spec.replicas]))).toEqual(
      PROD_REPLICAS,
    );
  });

  test("prod: a PodDisruptionBudget per replicated workload that keeps all but one up and never blocks a drain", async () => {
    const { objects } = await rendered("prod");
    const replicated = workloads(objects).filter((w) => w.spec.replicas > 1);
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(replicated.map((w) => w.metadata.name).sort());
    for (const budget of budgets) {
      const workload = replicated.find((w) => w.metadata.name === budget.metadata.name) as Json;
      const spec = budget.spec as Json;
      expect(spec.minAvailable).toBe(workload.spec.replicas - 1);
      expect(spec.minAvailable).toBeLessThan(workload.spec.replicas);
      expect(spec.unhealthyPodEvictionPolicy).toBe("AlwaysAllow");
      expect(selectorMatches(spec.selector, workload.spec.template.metadata.labels)).toBe(true);
    }
  });

  test("prod: replicas spread across nodes and zones without refusing to schedule on fewer", async () => {
    const { objects } = await rendered("prod");
    const replicated = workloads(objects).filter((w) => w.spec.replicas > 1);
    expect(replicated.length).toBeGreaterThanOrEqual(4);
    for (const workload of replicated) {
      const spread = workload.spec.template.spec.topologySpreadConstraints as Json[];
      expect(spread.map((c) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
        ["kubernetes.io/hostname", "ScheduleAnyway", 1],
        ["topology.kubernetes.io/zone", "ScheduleAnyway", 1],
      ]);
      expect(spread[0].labelSelector.matchLabels).toEqual(workload.spec.selector.matchLabels);
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
