import * as yaml from "js-yaml";
import { Container, RenderedPod, renderedPods } from "../../../checks/podSpecs";
import { WORKLOADS, WorkloadName } from "../../../config/components";
import { parseQuantity } from "../../../config/quantity";
import { hardenedPodSpec } from "../../../components/common/podSpec";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { exampleContainer, examplePlatform } from "../../support/fixtures";
import { rendered } from "../../support/renderedStacks";
import { STACKS, StackName } from "../../kit/stacks";
import { withPlacementEverywhere, workloadOfPod } from "../../support/placement";
import { configMapData } from "../../kit/rendered";
import { configSetPath } from "../../kit/userEdits";
import { Json } from "../../kit/json";

const MIB = 2 ** 20;

/** The demo's pods run Node.js, the one runtime of the render that is not Go. */
const isDemo = (pod: RenderedPod): boolean => pod.labels["app.kubernetes.io/component"] === "demo";

/** Loki's zone reader (prod) is a shell script around curl: no Go runtime to tell. */
const NOT_GO = ["zone-reader"];

/**
 * Every container of every rendered pod of the stack (the demo's and the zone reader aside), init containers too, with
 * the `resources` key it is sized by.
 */
function containers(
  objects: readonly KubeObject[],
): { pod: RenderedPod; container: Container; workload: WorkloadName }[] {
  return renderedPods(objects)
    .filter((pod) => !isDemo(pod))
    .flatMap((pod) =>
      [...(pod.spec.initContainers ?? []), ...pod.spec.containers]
        .filter((container) => !NOT_GO.includes(container.name))
        .map((container) => ({
          pod,
          container,
          workload:
            container.name === "config-reloader"
              ? "configReloader"
              : container.name === "thanos-sidecar"
                ? "thanosSidecar"
                : container.name === "kube-rbac-proxy"
                  ? "kubeRbacProxy"
                  : workloadOfPod(pod.labels["app.kubernetes.io/name"]),
        })),
    );
}

/** GOMEMLIMIT as the container is given it, in bytes (the runtime's suffixes: only MiB is rendered). */
function goMemLimitBytes(container: Container): number {
  const entries = (container.env ?? []).filter((e) => e.name === "GOMEMLIMIT");
  expect(entries).toHaveLength(1);
  const match = /^([0-9]+)MiB$/.exec(entries[0].value ?? "");
  if (match === null) {
    throw new Error(`${container.name}: GOMEMLIMIT=${entries[0].value}`);
  }
  return Number(match[1]) * MIB;
}

const memoryLimiter = (objects: readonly KubeObject[], configMap: string): Json =>
  (yaml.load(configMapData(objects, configMap)["config.yaml"]) as Json).processors.memory_limiter as Json;

describe.each(STACKS)("stack %s: the Go runtimes know their memory limit", (stack: StackName) => {
  let objects: readonly KubeObject[];
  beforeAll(async () => {
    objects = (await rendered(stack)).objects;
  });

  test("every container has GOMEMLIMIT at 80 % of its memory limit, rounded down to a whole MiB", () => {
    const all = containers(objects);
    expect(all.length).toBeGreaterThan(8);
    for (const { pod, container } of all) {
      const limit = parseQuantity(String(container.resources?.limits?.memory));
      const soft = goMemLimitBytes(container);
      expect([pod.owner, container.name, soft]).toEqual([
        pod.owner,
        container.name,
        Math.floor((limit * 0.8) / MIB) * MIB,
      ]);
      expect(soft).toBeLessThan(limit);
    }
  });

  test("Loki's zone reader (prod) gets no GOMEMLIMIT", () => {
    const readers = renderedPods(objects).flatMap((pod) =>
      (pod.spec.initContainers ?? []).filter((c) => NOT_GO.includes(c.name)),
    );
    expect(readers).toHaveLength(stack === "prod" ? 1 : 0);
    readers.forEach((c) => expect(c.env?.map((e) => e.name)).not.toContain("GOMEMLIMIT"));
  });

  test("the demo's Node.js containers (kind) get no GOMEMLIMIT", () => {
    const demo = renderedPods(objects).filter(isDemo);
    expect(demo).toHaveLength(stack === "kind" ? 3 : 0);
    for (const pod of demo) {
      expect(pod.spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.name))).not.toContain(
        "GOMEMLIMIT",
      );
    }
  });

  test("the values for the profile's own limits, as `kubectl describe` shows them", () => {
    const byContainer = Object.fromEntries(
      containers(objects).map(({ pod, container }) => [
        `${pod.owner.split("/")[2]}/${container.name}`,
        (container.env ?? []).find((e) => e.name === "GOMEMLIMIT")?.value,
      ]),
    );
    expect(byContainer).toMatchObject(
      stack === "kind"
        ? // 512Mi, 128Mi, 384Mi, 32Mi
          {
            "prometheus/prometheus": "409MiB",
            "alertmanager/alertmanager": "102MiB",
            "otel-collector/otel-collector": "307MiB",
            "alertmanager/config-reloader": "25MiB",
          }
        : // 4Gi, 2Gi, 256Mi, 1Gi
          {
            "prometheus/prometheus": "3276MiB",
            "loki/loki": "1638MiB",
            "otel-collector/otel-collector": "204MiB",
            "otel-collector-aggregator/otel-collector": "819MiB",
          },
    );
  });

  test("every collector tier's memory_limiter has GOMEMLIMIT as its hard limit and refuses data 20 % below it", () => {
    const tiers = stack === "kind" ? ["otel-collector"] : ["otel-collector", "otel-collector-aggregator"];
    for (const tier of tiers) {
      const container = containers(objects).find(
        (c) => c.pod.owner.endsWith(`/${tier}`) && c.container.name === "otel-collector",
      ) as { container: Container };
      const limitMiB = goMemLimitBytes(container.container) / MIB;
      expect(memoryLimiter(objects, `${tier}-config`)).toEqual({
        check_interval: "1s",
        limit_mib: limitMiB,
        spike_limit_mib: Math.floor(limitMiB * 0.2),
      });
    }
  });
});

describe.each(STACKS)("stack %s with every workload's memory limit edited", (stack: StackName) => {
  // Distinct and above every default request, so that a limit read from the wrong workload shows.
  const edited = (workload: WorkloadName) => `${3000 + 10 * WORKLOADS.indexOf(workload)}Mi`;
  let objects: readonly KubeObject[];
  beforeAll(async () => {
    const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    // Every workload the program can run is rendered: the exporters and the monitor scraper too.
    const everywhere = withPlacementEverywhere(config);
    const resized = WORKLOADS.reduce(
      (c, w) => configSetPath(c, `resources.${w}.limits.memory`, edited(w)),
      everywhere.config,
    );
    objects = (await renderWithConfig(`${stack}-resized`, resized, [...secretKeys, ...everywhere.secretKeys]))
      .objects;
  });

  test("the edit moves each container's limit and its GOMEMLIMIT together", () => {
    const all = containers(objects);
    // kind runs one collector tier (no aggregators) and one Prometheus (no Thanos).
    const onlyProd: readonly WorkloadName[] = [
      "otelCollectorAggregator",
      "thanosQuery",
      "thanosSidecar",
      "thanosStore",
      "thanosCompactor",
      "thanosRuler",
    ];
    const running = WORKLOADS.filter((w) => stack === "prod" || !onlyProd.includes(w));
    expect(new Set(all.map((c) => c.workload))).toEqual(new Set(running));
    for (const { container, workload } of all) {
      expect([container.name, container.resources?.limits?.memory, goMemLimitBytes(container) / MIB]).toEqual(
        [container.name, edited(workload), Math.floor((parseQuantity(edited(workload)) * 0.8) / MIB)],
      );
    }
  });

  test("and each collector tier's memory_limiter with them", () => {
    const tiers: [string, WorkloadName][] =
      stack === "kind"
        ? [["otel-collector", "otelCollector"]]
        : [
            ["otel-collector", "otelCollector"],
            ["otel-collector-aggregator", "otelCollectorAggregator"],
          ];
    for (const [tier, workload] of tiers) {
      const limitMiB = Math.floor((parseQuantity(edited(workload)) * 0.8) / MIB);
      expect(memoryLimiter(objects, `${tier}-config`)).toMatchObject({
        limit_mib: limitMiB,
        spike_limit_mib: Math.floor(limitMiB * 0.2),
      });
    }
  });
});

describe("a container that is not a Go program", () => {
  const build = (spec: Partial<typeof exampleContainer>) =>
    (
      hardenedPodSpec({ platform: examplePlatform, containers: [{ ...exampleContainer, ...spec }] })
        .containers as Json[]
    )[0];

  test("gets no GOMEMLIMIT, and no env at all when it declares none", () => {
    expect(build({ goRuntime: false })).not.toHaveProperty("env");
    expect(build({ goRuntime: false, env: [{ name: "TZ", value: "UTC" }] }).env).toEqual([
      { name: "TZ", value: "UTC" },
    ]);
  });

  test("while a Go one gets it after its own variables", () => {
    expect(build({ env: [{ name: "TZ", value: "UTC" }] }).env).toEqual([
      { name: "TZ", value: "UTC" },
      { name: "GOMEMLIMIT", value: "409MiB" },
    ]);
  });
});
