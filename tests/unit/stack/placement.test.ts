// Placement and image supply: the pure rules, and both stacks rendered with a
// stack file that places every workload, pulls through a mirror and names a pull Secret.
import { podSecurityProblems, isPinnedImage } from "../../../checks/podSecurity";
import { renderedPods } from "../../../checks/podSpecs";
import { mirroredImage, podPlatform } from "../../../components/common/placement";
import { PROFILE_DEFAULTS, REGISTRY_CREDENTIALS_SECRET } from "../../../config";
import { parseStackConfig } from "../../../config/load";
import { PLACED_WORKLOADS } from "../../../config/components";
import { DEMO_NAMESPACE } from "../../../config/demo";
import { POLICIES } from "../../../policy/rules";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { STACKS, StackName } from "../../kit/stacks";
import {
  GRAFANA_BY_DIGEST,
  MIRROR,
  POOL,
  POOL_LABEL,
  POOL_TAINT,
  PRIORITY_CLASS,
  PROMETHEUS_ANTI_AFFINITY,
  REGISTRY_CREDENTIALS,
  withPlacementEverywhere,
  workloadLabel,
  workloadOfPod,
} from "../../support/placement";
import { strictDecodeProblems } from "../../../testing/strictDecode";
import { Json } from "../../kit/json";

describe("an image pulled through a mirror", () => {
  test.each([
    ["quay.io/prometheus/prometheus:v3.5.0", `${MIRROR}/prometheus/prometheus:v3.5.0`],
    [
      "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0",
      `${MIRROR}/kube-state-metrics/kube-state-metrics:v2.16.0`,
    ],
    ["docker.io/grafana/loki:3.5.3", `${MIRROR}/grafana/loki:3.5.3`],
    // Docker Hub without its host, and its official images with their implicit library/.
    ["grafana/loki:3.5.3", `${MIRROR}/grafana/loki:3.5.3`],
    ["redis:7.4.2", `${MIRROR}/library/redis:7.4.2`],
    ["docker.io/library/redis:7.4.2", `${MIRROR}/library/redis:7.4.2`],
    ["localhost:5000/team/exporter:1.2.0", `${MIRROR}/team/exporter:1.2.0`],
    [GRAFANA_BY_DIGEST, `${MIRROR}/grafana/grafana:12.1.1@sha256:${"4f".repeat(32)}`],
  ])("%s keeps its repository path and pin", (image, expected) => {
    const mirrored = mirroredImage(image, MIRROR);
    expect(mirrored).toBe(expected);
    expect(isPinnedImage(mirrored)).toBe(true);
    // What the mirror gives is itself a reference the config accepts as pinned.
    expect(parseStackConfig({ profile: "kind", images: { loki: mirrored } }, new Set()).images.loki).toBe(
      mirrored,
    );
  });

  test("a registry with a port keeps it; no mirror leaves the image as configured", () => {
    expect(mirroredImage("quay.io/prometheus/alertmanager:v0.28.1", "harbor.corp:8443/proxy-quay")).toBe(
      "harbor.corp:8443/proxy-quay/prometheus/alertmanager:v0.28.1",
    );
    expect(mirroredImage("quay.io/prometheus/alertmanager:v0.28.1")).toBe(
      "quay.io/prometheus/alertmanager:v0.28.1",
    );
  });
});

describe("placement.<workload> over placement.default", () => {
  const toleration = { key: "dedicated", operator: "Equal", value: "observability", effect: "NoSchedule" };
  const zoneA = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a"] },
            ],
          },
        ],
      },
    },
  };
  const config = parseStackConfig(
    {
      profile: "kind",
      placement: {
        default: {
          nodeSelector: { pool: "observability", "kubernetes.io/os": "linux" },
          tolerations: [toleration],
          affinity: zoneA,
          priorityClassName: "observability-critical",
        },
        prometheus: {
          nodeSelector: { pool: "metrics", disk: "nvme" },
          tolerations: [
            { key: "metrics-only", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
          ],
          affinity: { podAntiAffinity: PROMETHEUS_ANTI_AFFINITY },
        },
        nodeExporter: { priorityClassName: "system-node-critical" },
      },
    },
    new Set(),
  );

  test("node selector labels merge, the workload's win; its tolerations replace the default's", () => {
    expect(config.placement.prometheus.nodeSelector).toEqual({
      pool: "metrics",
      disk: "nvme",
      "kubernetes.io/os": "linux",
    });
    expect(config.placement.prometheus.tolerations).toEqual([
      { key: "metrics-only", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    expect(config.placement.prometheus.priorityClassName).toBe("observability-critical");
  });

  test("affinity merges kind by kind: the default's nodeAffinity stays beside the workload's podAntiAffinity", () => {
    expect(config.placement.prometheus.affinity).toEqual({
      ...zoneA,
      podAntiAffinity: PROMETHEUS_ANTI_AFFINITY,
    });
  });

  test("a workload without its own entry gets the default; one key overrides only itself", () => {
    expect(config.placement.loki).toEqual({
      nodeSelector: { pool: "observability", "kubernetes.io/os": "linux" },
      tolerations: [toleration],
      affinity: zoneA,
      priorityClassName: "observability-critical",
    });
    expect(config.placement.nodeExporter).toEqual({
      ...config.placement.loki,
      priorityClassName: "system-node-critical",
    });
    expect(Object.keys(config.placement).sort()).toEqual([...PLACED_WORKLOADS].sort());
  });

  test("pull Secrets the team created are listed before the one made from registryCredentials", () => {
    const withSecrets = parseStackConfig(
      {
        profile: "kind",
        images: { pullSecrets: ["dockerhub-pull", "mirror-pull"], registryCredentials: REGISTRY_CREDENTIALS },
      },
      new Set(["images"]),
    );
    expect(podPlatform(withSecrets, "alloy").pullSecrets).toEqual([
      "dockerhub-pull",
      "mirror-pull",
      REGISTRY_CREDENTIALS_SECRET,
    ]);
    expect(podPlatform(config, "alloy").pullSecrets).toEqual([]);
  });

  test.each(["kind", "eks"] as const)(
    "profile %s places nothing by default and pulls from the public registries",
    (profile) => {
      expect(PROFILE_DEFAULTS[profile].placement).toEqual({ default: {} });
      expect(PROFILE_DEFAULTS[profile].images.pullSecrets).toEqual([]);
      expect(PROFILE_DEFAULTS[profile].images.registry).toBeUndefined();
    },
  );
});

function containersOf(spec: Json): Json[] {
  return [...((spec.initContainers as Json[] | undefined) ?? []), ...(spec.containers as Json[])];
}

describe.each(STACKS)(
  "stack %s with placement for every workload, a mirror and a pull Secret",
  (stack: StackName) => {
    let placed: RenderedStack;
    let baseline: RenderedStack;
    beforeAll(async () => {
      baseline = await rendered(stack);
      const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
      const edited = withPlacementEverywhere(config);
      placed = await renderWithConfig(`${stack}-placed`, edited.config, [
        ...secretKeys,
        ...edited.secretKeys,
      ]);
    });

    const pods = () => renderedPods(placed.objects);

    test("every Deployment, StatefulSet and DaemonSet carries its workload's placement over the default", () => {
      // The kind-only demo has no placement key: it runs wherever the laptop cluster schedules it.
      const placedPods = pods().filter((pod) => pod.namespace !== DEMO_NAMESPACE);
      const workloads = placedPods.map((pod) => {
        const workload = workloadOfPod(pod.labels["app.kubernetes.io/name"]);
        const spec = pod.spec as Json;
        expect([pod.owner, spec.nodeSelector]).toEqual([
          pod.owner,
          { [POOL_LABEL]: POOL, [workloadLabel(workload)]: "allowed" },
        ]);
        expect([pod.owner, spec.tolerations]).toEqual([
          pod.owner,
          expect.arrayContaining([
            { key: POOL_TAINT.key, operator: "Equal", value: POOL_TAINT.value, effect: POOL_TAINT.effect },
          ]),
        ]);
        expect(
          spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
        ).toEqual([
          { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] },
        ]);
        expect(spec.priorityClassName).toBe(PRIORITY_CLASS);
        expect(spec.imagePullSecrets).toEqual([{ name: REGISTRY_CREDENTIALS_SECRET }]);
        return workload;
      });
      // Every workload the stack runs on this profile, exporters included; kind runs one collector
      // tier and keeps its metrics on its volume.
      const expected = PLACED_WORKLOADS.filter(
        (w) =>
          stack === "prod" ||
          ![
            "otelCollectorAggregator",
            "thanosQuery",
            "thanosStore",
            "thanosCompactor",
            "thanosRuler",
          ].includes(w),
      );
      expect([...new Set(workloads)].sort()).toEqual([...expected].sort());
      expect(
        pods()
          .map((p) => p.kind)
          .sort(),
      ).toEqual(expect.arrayContaining(["DaemonSet", "Deployment", "StatefulSet"]));
    });

    test("node agents still tolerate every taint first; the user's tolerations are added", () => {
      const agents = pods().filter((p) => p.namespace === "observability-node");
      expect(agents.length).toBeGreaterThan(0);
      for (const agent of agents) {
        expect((agent.spec as Json).tolerations).toEqual([
          { operator: "Exists" },
          { key: POOL_TAINT.key, operator: "Equal", value: POOL_TAINT.value, effect: POOL_TAINT.effect },
        ]);
      }
    });

    test("the user's affinity is added beside the stack's spread of replicas, which is unchanged", () => {
      const spreads = (r: RenderedStack) =>
        Object.fromEntries(
          renderedPods(r.objects)
            .filter((p) => p.spec.topologySpreadConstraints !== undefined)
            .map((p) => [p.owner, p.spec.topologySpreadConstraints]),
        );
      expect(spreads(placed)).toEqual(spreads(baseline));
      if (stack === "prod") {
        // Two Prometheus replicas: spread over hostname and zone, and kept off Loki's nodes.
        const prometheus = pods().find((p) => p.owner === "StatefulSet/observability/prometheus")
          ?.spec as Json;
        expect(prometheus.topologySpreadConstraints.map((c: Json) => c.topologyKey)).toEqual([
          "kubernetes.io/hostname",
          "topology.kubernetes.io/zone",
        ]);
        expect(prometheus.affinity.podAntiAffinity).toEqual(PROMETHEUS_ANTI_AFFINITY);
        expect(Object.keys(spreads(placed)).length).toBeGreaterThanOrEqual(5);
      }
    });

    test("every container and init container pulls through the mirror, same path, still pinned", () => {
      const original = new Map(
        renderedPods(baseline.objects).flatMap((p) =>
          containersOf(p.spec as Json).map((c) => [`${p.owner}/${c.name}`, c.image as string] as const),
        ),
      );
      const images = pods().flatMap((p) =>
        containersOf(p.spec as Json).map((c) => [`${p.owner}/${c.name}`, c.image as string] as const),
      );
      expect(images.length).toBeGreaterThan(original.size / 2);
      let initContainers = 0;
      for (const [where, image] of images) {
        expect([where, isPinnedImage(image)]).toEqual([where, true]);
        const before =
          where.endsWith("/grafana") ||
          where.endsWith("/apply-admin-password") ||
          where.endsWith("/zone-reader")
            ? GRAFANA_BY_DIGEST
            : original.get(where);
        // The exporters, the monitor scraper and Kiali are not in the committed stack files' renders:
        // they run the default images.
        const notCommitted = where.includes("postgres")
          ? PROFILE_DEFAULTS.kind.images.postgresExporter
          : where.includes("monitor-scraper")
            ? PROFILE_DEFAULTS.kind.images.alloy
            : where.includes("kiali")
              ? PROFILE_DEFAULTS.kind.images.kiali
              : PROFILE_DEFAULTS.kind.images.redisExporter;
        const expected = (before ?? notCommitted).replace(/^[^/]+\//, `${MIRROR}/`);
        expect([where, image]).toEqual([where, expected]);
        initContainers += where.endsWith("/apply-admin-password") ? 1 : 0;
      }
      expect(initContainers).toBe(1);
    });

    test("the mirror's credentials become a dockerconfigjson Secret in both stack namespaces", () => {
      const secrets = placed.objects.filter(
        (o) => o.kind === "Secret" && o.metadata.name === REGISTRY_CREDENTIALS_SECRET,
      );
      expect(
        secrets.map((s) => [s.metadata.namespace, s.type, (s.stringData as Json)[".dockerconfigjson"]]),
      ).toEqual([
        ["observability", "kubernetes.io/dockerconfigjson", REGISTRY_CREDENTIALS],
        // kind also runs the demo, whose pods pull through the same mirror.
        ...(stack === "kind"
          ? [[DEMO_NAMESPACE, "kubernetes.io/dockerconfigjson", REGISTRY_CREDENTIALS]]
          : []),
        ["observability-node", "kubernetes.io/dockerconfigjson", REGISTRY_CREDENTIALS],
      ]);
      expect(baseline.objects.filter((o) => o.metadata.name === REGISTRY_CREDENTIALS_SECRET)).toEqual([]);
    });

    test("passes Pod Security, the strict decoder and every policy of the pack", () => {
      expect(
        pods().flatMap((pod) => podSecurityProblems(pod, { nodeNamespace: "observability-node" })),
      ).toEqual([]);
      expect(strictDecodeProblems(placed.objects)).toEqual([]);
      const resources = placed.registrations.map((r) => ({
        type: r.type,
        props: r.inputs,
        protect: r.protect,
      }));
      expect(POLICIES.map((p) => [p.name, p.check(resources)])).toEqual(POLICIES.map((p) => [p.name, []]));
    });
  },
);
