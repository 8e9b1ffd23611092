// Probes and pod settings that let a recovering server recover, on both renders: the policy pack
// holds the rules for every workload (tests/unit/safety/policy.test.ts); these name what each rule
// gives the stack's own workloads.
import { governingServiceProblems } from "../../../checks/governingServices";
import { renderedPods } from "../../../checks/podSpecs";
import { rendered } from "../../support/renderedStacks";
import { StackName } from "../../kit/stacks";
import { Json } from "../../kit/json";

const STACKS: readonly StackName[] = ["kind", "prod"];

/**
 * Where a start can legitimately take long: WAL replay, migrations, a large pipeline config, state on
 * a volume (the store gateways' index headers; the compactor's bucket cache).
 */
const SLOW_STARTS: Record<StackName, readonly string[]> = {
  kind: [
    "alertmanager",
    "alloy",
    "event-collector",
    "grafana",
    "loki",
    "otel-collector",
    "prometheus",
    "tempo",
  ],
  prod: [
    "alertmanager",
    "alloy",
    "event-collector",
    "grafana",
    "loki",
    "otel-collector",
    "otel-collector-aggregator",
    "prometheus",
    "tempo",
    "thanos-compactor",
    "thanos-store",
  ],
};

describe.each(STACKS)("the %s render", (stack) => {
  test("a startup probe exactly where the start is slow", async () => {
    const pods = renderedPods((await rendered(stack)).objects);
    const withStartup = pods
      .filter((p) => p.spec.containers.some((c) => c.startupProbe !== undefined))
      .map((p) => p.labels["app.kubernetes.io/name"])
      .sort();
    expect(withStartup).toEqual(SLOW_STARTS[stack]);
  });

  test("no liveness probe restarts a process for not being ready", async () => {
    for (const pod of renderedPods((await rendered(stack)).objects)) {
      for (const c of pod.spec.containers) {
        const budget = (p: Json) => (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);
        const [liveness, readiness] = [c.livenessProbe as Json, c.readinessProbe as Json];
        const sameHandler =
          JSON.stringify(liveness.httpGet ?? liveness.tcpSocket) ===
          JSON.stringify(readiness.httpGet ?? readiness.tcpSocket);
        expect(
          `${pod.owner}/${c.name}: ${sameHandler ? budget(liveness) > budget(readiness) : "differs"}`,
        ).toMatch(/: (differs|true)$/);
      }
    }
  });

  test("every StatefulSet is governed by a headless Service selecting its pods", async () => {
    const { objects } = await rendered(stack);
    expect(governingServiceProblems(objects)).toEqual([]);
    const governing = objects
      .filter((o) => o.kind === "StatefulSet")
      .map((o) => `${o.metadata.name} ← ${(o.spec as Json).serviceName}`)
      .sort();
    expect(governing).toEqual(
      stack === "kind"
        ? [
            "alertmanager ← alertmanager-peers",
            "alloy ← alloy",
            "grafana ← grafana-peers",
            "loki ← loki",
            "otel-collector ← otel-collector-pods",
            "prometheus ← prometheus-peers",
            "tempo ← tempo",
          ]
        : [
            "alertmanager ← alertmanager-peers",
            "loki ← loki",
            "otel-collector ← otel-collector-pods",
            "otel-collector-aggregator ← otel-collector-aggregator",
            "prometheus ← prometheus-peers",
            "tempo ← tempo",
            "thanos-compactor ← thanos-compactor",
            "thanos-store ← thanos-store",
          ],
    );
  });

  test("every emptyDir is bounded by the ephemeral-storage limit of the container writing to it", async () => {
    for (const pod of renderedPods((await rendered(stack)).objects)) {
      const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
      for (const volume of (pod.spec.volumes ?? []).filter((v) => v.emptyDir !== undefined)) {
        const writer = containers.find((c) => (c.volumeMounts ?? []).some((m) => m.name === volume.name));
        expect(`${pod.owner} ${volume.name}: ${String(volume.emptyDir?.sizeLimit)}`).toBe(
          `${pod.owner} ${volume.name}: ${String(writer?.resources?.limits?.["ephemeral-storage"])}`,
        );
      }
      for (const c of containers) {
        expect(Object.keys(c.resources?.requests ?? {})).toContain("ephemeral-storage");
      }
    }
  });
});
