import { ConfigError } from "../../../config";
import {
  DEPLOYED_VOLUMES_OUTPUT,
  DeployedVolumes,
  volumeChangeProblems,
} from "../../../config/deployedVolumes";
import { dataClaimName } from "../../../components/common/statefulSet";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { STACKS, StackName } from "../../kit/stacks";
import { Json } from "../../kit/json";

/** Renders a committed stack file with some top-level keys edited, as an update after `previous`. */
async function renderEdited(
  stack: StackName,
  edits: Record<string, Json>,
  previous: Record<string, unknown> = {},
) {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const edited = { ...config };
  for (const [key, value] of Object.entries(edits)) {
    const current = config[`observability:${key}`];
    edited[`observability:${key}`] = JSON.stringify({
      ...(current === undefined ? {} : (JSON.parse(current) as Json)),
      ...value,
    });
  }
  return renderWithConfig(stack, edited, secretKeys, previous);
}

describe("a fresh cluster: every object lands in a namespace the stack creates or checks", () => {
  test.each(STACKS)("%s", async (stack) => {
    const { objects, patches, reads } = await rendered(stack);
    const created = objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    const checked = reads.filter((r) => r.kind === "Namespace").map((r) => r.name);
    const used = new Set([...objects, ...patches].flatMap((o) => o.metadata.namespace ?? []));
    expect([...used].filter((ns) => !created.includes(ns) && !checked.includes(ns))).toEqual([]);
    expect(used).toContain("tiketi-spring");
  });

  test("kind creates the app namespaces, enforcing Pod Security baseline and warning at restricted", async () => {
    const { objects, reads } = await rendered("kind");
    const app = objects.find((o) => o.kind === "Namespace" && o.metadata.name === "tiketi-spring");
    expect(app?.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
    expect(reads).toEqual([]);
  });

  test("prod reads the app namespaces its teams own, so a missing one fails the preview by name", async () => {
    const { objects, reads } = await rendered("prod");
    expect(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)).toEqual([
      "observability",
      "observability-node",
    ]);
    expect(reads).toEqual([{ kind: "Namespace", name: "tiketi-spring" }]);
  });
});

describe("volumes grow in place", () => {
  test.each(STACKS)(
    "%s: every StatefulSet keeps its claim templates; each replica's claim is patched to the size",
    async (stack) => {
      const { registrations, patches } = await rendered(stack);
      const statefulSets = registrations.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
      expect(statefulSets.length).toBeGreaterThan(3);
      const expected: string[] = [];
      for (const sts of statefulSets) {
        expect(sts.ignoreChanges).toEqual(["spec.volumeClaimTemplates"]);
        const spec = sts.inputs.spec as Json;
        const name = (sts.inputs.metadata as Json).name as string;
        const size = spec.volumeClaimTemplates[0].spec.resources.requests.storage as string;
        for (let i = 0; i < (spec.replicas as number); i++) {
          expected.push(`${name}/${dataClaimName(name, i)}=${size}`);
        }
      }
      const patched = patches.map(
        (p: KubeObject) =>
          `${p.metadata.name.replace(/^data-(.*)-\d+$/, "$1")}/${p.metadata.name}=${(p.spec as Json).resources.requests.storage as string}`,
      );
      expect(patched.sort()).toEqual(expected.sort());
      for (const patch of patches) {
        // Forced (the StatefulSet controller owns the field), and not awaited: the provider would
        // wait for a bound claim of a WaitForFirstConsumer class to be Pending, and time out.
        expect(patch.metadata.annotations).toEqual({
          "pulumi.com/patchForce": "true",
          "pulumi.com/skipAwait": "true",
        });
      }
    },
  );

  test("a larger metrics.storageSize changes the claim patches; the StatefulSet differs only where changes are ignored", async () => {
    const before = await rendered("prod");
    const after = await renderEdited("prod", { metrics: { storageSize: "80Gi" } }, before.outputs);
    const sizes = (r: typeof before) =>
      r.patches
        .filter((p) => p.metadata.name.startsWith("data-prometheus-"))
        .map((p) => (p.spec as Json).resources.requests.storage as string);
    expect(sizes(before)).toEqual(["50Gi", "50Gi"]);
    expect(sizes(after)).toEqual(["80Gi", "80Gi"]);
    const asDeployed = (r: typeof before) => {
      const sts = r.objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "prometheus");
      return { ...sts, spec: { ...(sts?.spec as Json), volumeClaimTemplates: "ignored" } };
    };
    expect(asDeployed(after)).toEqual(asDeployed(before));
    expect((after.outputs[DEPLOYED_VOLUMES_OUTPUT] as DeployedVolumes).sizes["metrics.storageSize"]).toBe(
      "80Gi",
    );
  });

  test("an update with the same volumes is accepted (the stack's own output read back)", async () => {
    for (const stack of STACKS) {
      const first = await rendered(stack);
      const again = await renderEdited(stack, {}, first.outputs);
      expect(again.objects).toEqual(first.objects);
    }
  });

  test("a smaller size is a config error naming the key, before anything is registered", async () => {
    const first = await rendered("prod");
    const attempt = renderEdited("prod", { logs: { storageSize: "10Gi" } }, first.outputs);
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      "observability:logs.storageSize cannot shrink a volume: it is 20Gi in the running stack, got 10Gi",
    );
  });

  test("on kind's local-path class a larger size is a config error naming storage.allowVolumeExpansion", async () => {
    const first = await rendered("kind");
    await expect(renderEdited("kind", { tracing: { storageSize: "8Gi" } }, first.outputs)).rejects.toThrow(
      /observability:tracing\.storageSize cannot grow from 5Gi to 8Gi: StorageClass standard does not allow volume expansion \(observability:storage\.allowVolumeExpansion is false/,
    );
    const expandable = await renderEdited(
      "kind",
      { tracing: { storageSize: "8Gi" }, storage: { className: "standard", allowVolumeExpansion: true } },
      first.outputs,
    );
    expect(expandable.patches.find((p) => p.metadata.name === "data-tempo-0")?.spec).toEqual({
      resources: { requests: { storage: "8Gi" } },
    });
  });

  test("volumeChangeProblems: units compare by value, a first deployment has nothing to compare, a class change is refused", () => {
    const config = stackConfig("prod");
    const previous: DeployedVolumes = {
      storageClassName: "gp2",
      sizes: { "metrics.storageSize": "51200Mi", "logs.storageSize": "30Gi", "tracing.storageSize": "10Gi" },
    };
    expect(volumeChangeProblems(config, undefined)).toEqual([]);
    expect(volumeChangeProblems(config, previous)).toEqual([
      "observability:storage.className cannot change for existing volumes: they are gp2, got gp3 (a claim's StorageClass is immutable; migrate the data to new claims instead)",
      "observability:logs.storageSize cannot shrink a volume: it is 30Gi in the running stack, got 20Gi (Kubernetes only grows claims)",
    ]);
  });
});
