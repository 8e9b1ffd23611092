import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REGISTRY_CREDENTIALS_SECRET } from "../../config";
import { PLACED_WORKLOADS } from "../../config/components";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { EKS_SHAPE, TestCluster, startCluster, waitFor } from "../kit/cluster";
import { counted } from "../kit/engine/changes";
import { EngineStack } from "../kit/engine/engineStack";
import {
  MIRROR,
  POOL,
  POOL_LABEL,
  POOL_TAINT,
  PRIORITY_CLASS,
  REGISTRY_CREDENTIALS,
  withPlacementEverywhere,
  workloadLabel,
} from "../support/placement";

const MERGE_PATCH = { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } };
const PRIORITY = 1000000;

// The platform team's side of placement on an EKS-shaped cluster: a dedicated node pool (every node
// labelled and tainted for the stack) and a PriorityClass. The stack, with the mirror's credentials
// in its config, must then be admitted, scheduled onto the tainted nodes and rolled out by the real
// API server and scheduler, its pull Secret created with its namespaces.
describe("the prod render with placement and a registry mirror with credentials on an EKS-shaped cluster", () => {
  let cluster: TestCluster;
  let core: k8s.CoreV1Api;
  let engine: EngineStack;
  let placed: RenderedStack;

  beforeAll(async () => {
    cluster = await startCluster(EKS_SHAPE);
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const edited = withPlacementEverywhere(config);
    const stack = { config: edited.config, secretKeys: [...secretKeys, ...edited.secretKeys] };
    placed = await renderWithConfig("prod-placed", stack.config, stack.secretKeys);
    engine = new EngineStack("prod-placed", cluster);
    await engine.init(stack);
  });

  afterAll(async () => {
    fs.writeFileSync(path.join(os.tmpdir(), "test-cluster-placement.log"), cluster?.output() ?? "");
    await cluster?.stop();
    engine?.remove();
  });

  test("the pool's nodes are tainted: a pod without the toleration stays Pending", async () => {
    for (const node of EKS_SHAPE.nodes) {
      const labels = Object.fromEntries([
        [POOL_LABEL, POOL],
        ...PLACED_WORKLOADS.map((w) => [workloadLabel(w), "allowed"]),
      ]);
      await core.patchNode(
        node.name,
        { metadata: { labels }, spec: { taints: [POOL_TAINT] } },
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        MERGE_PATCH,
      );
    }
    const probe = await core.createNamespacedPod("default", {
      metadata: { name: "untolerated" },
      spec: { containers: [{ name: "c", image: "registry.example.com/mirror/library/busybox:1.37.0" }] },
    });
    const reason = await waitFor(async () => {
      const pod = (await core.readNamespacedPod(probe.body.metadata?.name ?? "", "default")).body;
      const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
      return scheduled?.status === "False" ? `${scheduled.reason}: ${scheduled.message}` : undefined;
    }, "the scheduler's verdict on a pod without the toleration");
    expect(reason).toMatch(/^Unschedulable: .*untolerated taint.*dedicated/);
    await core.deleteNamespacedPod("untolerated", "default", undefined, undefined, 0);
  });

  test("the first up is admitted, scheduled on the pool and rolled out", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
    await objects.create({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: PRIORITY_CLASS },
      value: PRIORITY,
      description: "The observability stack: evicted after the apps it observes",
    } as k8s.KubernetesObject);
    await core.createNamespace({ metadata: { name: "tiketi-spring" } });
    // The mesh is on (withPlacementEverywhere, for Kiali): Istio, installed first, made istiod's namespace.
    await core.createNamespace({ metadata: { name: "istio-system" } });
    const first = await engine.up();
    expect(counted(first.applied)).toMatch(/^created \d+$/);
    expect(first.applied.size).toBeGreaterThan(placed.objects.length);
    for (const namespace of ["observability", "observability-node"]) {
      const secret = (await core.readNamespacedSecret(REGISTRY_CREDENTIALS_SECRET, namespace)).body;
      expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
      expect(Buffer.from(secret.data?.[".dockerconfigjson"] ?? "", "base64").toString()).toBe(
        REGISTRY_CREDENTIALS,
      );
    }

    const pods = (
      await Promise.all(
        ["observability", "observability-node"].map(
          async (ns) => (await core.listNamespacedPod(ns)).body.items,
        ),
      )
    ).flat();
    // Every workload's pods, node agents included (one per node).
    expect(pods.length).toBeGreaterThanOrEqual(20);
    const zones = new Map(EKS_SHAPE.nodes.map((n) => [n.name, n.zone]));
    for (const pod of pods) {
      const where = pod.metadata?.name;
      expect([where, pod.status?.phase, zones.has(pod.spec?.nodeName ?? "")]).toEqual([
        where,
        "Running",
        true,
      ]);
      // The Priority admission plugin resolved the class the config names.
      expect([where, pod.spec?.priorityClassName, pod.spec?.priority]).toEqual([
        where,
        PRIORITY_CLASS,
        PRIORITY,
      ]);
      expect([where, pod.spec?.imagePullSecrets]).toEqual([where, [{ name: REGISTRY_CREDENTIALS_SECRET }]]);
      for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        expect([where, container.image?.startsWith(`${MIRROR}/`)]).toEqual([where, true]);
      }
    }
    // The stack's spread still holds under the user's affinity: replicas land in distinct zones.
    for (const app of ["prometheus", "alertmanager", "grafana"]) {
      const used = pods
        .filter((p) => p.metadata?.labels?.["app.kubernetes.io/name"] === app)
        .map((p) => zones.get(p.spec?.nodeName ?? ""));
      expect([app, new Set(used).size]).toEqual([app, used.length]);
      expect(used.length).toBeGreaterThanOrEqual(2);
    }
  });
});
