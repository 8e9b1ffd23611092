import { CANARY_LINE_FILTER } from "../../../components/logs/canaryWorkload";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { configMapData, objectNamed, prometheusYml } from "../../kit/rendered";
import { Json } from "../../kit/json";
import { sectionProblems } from "../../support/configProblems";

const alloyConfig = async (stack: "kind" | "prod") =>
  configMapData((await rendered(stack)).objects, "alloy-config")["config.alloy"];

describe("Loki's canary", () => {
  test("the canary image is the release of the Loki image it checks", () => {
    const { images } = stackConfig("kind");
    const tag = (image: string) => image.slice(image.lastIndexOf(":") + 1);
    expect(images.lokiCanary).toMatch(/\/grafana\/loki-canary:/);
    expect(tag(images.lokiCanary)).toBe(tag(images.loki));
  });

  test.each([
    ["kind", []],
    ["prod", ["-tenant-id=platform"]],
  ] as const)(
    "%s: one replica writing to stdout and reading its own pod's lines back through the loki Service",
    async (stack, tenant) => {
      const { objects } = await rendered(stack);
      const config = stackConfig(stack);
      const canary = objectNamed(objects, "Deployment", "loki-canary");
      expect(canary.metadata.namespace).toBe("observability");
      expect(canary.spec.replicas).toBe(1);
      const container = canary.spec.template.spec.containers[0];
      expect(container.image).toBe(config.images.lokiCanary);
      expect(container.args).toEqual([
        "-addr=loki.observability.svc:3100",
        "-port=3500",
        "-labelname=pod",
        "-labelvalue=$(POD_NAME)",
        "-streamname=container",
        "-streamvalue=loki-canary",
        `-query-append=${CANARY_LINE_FILTER}`,
        "-max-wait=10m",
        ...tenant,
      ]);
      expect(container.env).toContainEqual({
        name: "POD_NAME",
        valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
      });
      expect(container.resources.limits.memory).toBe(config.resources.lokiCanary.limits.memory);
      expect(container.readinessProbe.httpGet).toEqual({ path: "/metrics", port: "http" });
      expect(objectNamed(objects, "Service", "loki-canary").spec.ports).toEqual([
        expect.objectContaining({ name: "http", port: 3500 }),
      ]);
    },
  );

  test("the line filter keeps the canary's lines and none of what it logs on stderr", () => {
    const filter = new RegExp(/^\|~ "(.*)"$/.exec(CANARY_LINE_FILTER)?.[1] ?? "$^");
    expect(filter.test(`1764041234567890123 ${"p".repeat(78)}`)).toBe(true);
    for (const stderr of [
      'caller=comparator.go:309 level=info msg="received invalid entry: 1764041234567890123 ppp"',
      "Querying loki for logs with query: http://loki:3100/loki/api/v1/query_range?start=1",
      "Connecting to loki at ws://loki:3100/loki/api/v1/tail?query=x, querying for label 'pod'",
      "error querying loki: query_range request failed",
    ]) {
      expect(filter.test(stderr)).toBe(false);
    }
  });

  test.each([
    ["kind", ""],
    ["prod", '\n    field = "spec.nodeName=" + sys.env("NODE_NAME")'],
  ] as const)(
    "%s: the log agent collects the canary's pod, beside the apps' pods",
    async (stack, onThisNode) => {
      const config = await alloyConfig(stack);
      expect(config).toContain(
        `discovery.kubernetes "canary" {\n  role = "pod"\n  namespaces {\n    names = ["observability"]\n  }\n  selectors {\n    role = "pod"\n    label = "app.kubernetes.io/name=loki-canary"${onThisNode}\n  }\n}`,
      );
      expect(config).toContain(
        "targets = array.concat(discovery.kubernetes.pods.targets, discovery.kubernetes.canary.targets)",
      );
    },
  );

  test.each([
    ["kind", "observability-alloy"],
    ["prod", "observability-node-alloy"],
  ] as const)("%s: the agent may read pods in the stack's namespace too", async (stack, role) => {
    const { objects } = await rendered(stack);
    const roles = objects.filter((o) => o.kind === "Role" && o.metadata.name === role);
    expect(roles.map((o) => o.metadata.namespace)).toContain("observability");
  });

  test.each(["kind", "prod"] as const)(
    "%s: Prometheus scrapes it; it may reach Loki, and Prometheus it",
    async (stack) => {
      const { objects } = await rendered(stack);
      const job = (prometheusYml(objects).scrape_configs as Json[]).find((j) => j.job_name === "loki-canary");
      expect(job?.relabel_configs[0]).toEqual({
        source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
        regex: "loki-canary;http",
        action: "keep",
      });
      const policy = objectNamed(objects, "NetworkPolicy", "loki-canary");
      expect(JSON.stringify(policy.spec.egress)).toContain('"port":3100');
      expect(JSON.stringify(policy.spec.ingress)).toContain('"port":3500');
    },
  );

  test("its image is validated like the others", () => {
    expect(sectionProblems({ images: { lokiCanary: "grafana/loki-canary:latest" } })).toContainEqual(
      expect.stringMatching(/^observability:images\.lokiCanary must not use the floating tag 'latest'/),
    );
  });
});
