// Bad placement and image-supply config: each problem names its key, and nothing is registered.
import main = require("../../../index");
import { ConfigError } from "../../../config";
import { parseStackConfig } from "../../../config/load";
import { PROJECT_ROOT, recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { sleep } from "../../kit/sleep";
import { sectionProblems } from "../../support/configProblems";

const kindProblems = (raw: Record<string, unknown>, secretKeys: readonly string[] = []) =>
  sectionProblems({ profile: "kind", ...raw }, secretKeys);

const nodeTerm = (expression: Record<string, unknown>) => ({
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [expression] }],
      },
    },
  },
});
const TERM =
  "observability:placement.default.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]";

describe("placement", () => {
  test.each<[string, Record<string, unknown>, string]>([
    [
      "an unknown workload, with the nearest name",
      { promethues: { priorityClassName: "high" } },
      "observability:placement.promethues is not a known key (did you mean prometheus?); allowed: default, prometheus, alertmanager,",
    ],
    [
      "the config reloader, a sidecar placed with its pod",
      { configReloader: { priorityClassName: "high" } },
      "observability:placement.configReloader is not a known key",
    ],
    [
      "an unknown field of a placement",
      { default: { nodeSelectors: { pool: "observability" } } },
      "observability:placement.default.nodeSelectors is not a known key (did you mean nodeSelector?)",
    ],
    [
      "a toleration operator Kubernetes does not have",
      { default: { tolerations: [{ key: "dedicated", operator: "In", value: "observability" }] } },
      'observability:placement.default.tolerations[0].operator must be one of "Exists", "Equal" (got "In")',
    ],
    [
      "a toleration effect Kubernetes does not have",
      { loki: { tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExec" }] } },
      'observability:placement.loki.tolerations[0].effect must be one of "NoSchedule", "PreferNoSchedule", "NoExecute" (got "NoExec")',
    ],
    [
      "tolerationSeconds without effect NoExecute",
      {
        loki: {
          tolerations: [{ key: "spot", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 60 }],
        },
      },
      "observability:placement.loki.tolerations[0].tolerationSeconds is only allowed with effect NoExecute",
    ],
    [
      "a value with operator Exists",
      { default: { tolerations: [{ key: "dedicated", operator: "Exists", value: "observability" }] } },
      "observability:placement.default.tolerations[0].value must be empty when operator is Exists",
    ],
    [
      "no key with operator Equal",
      { default: { tolerations: [{ operator: "Equal", value: "observability" }] } },
      "observability:placement.default.tolerations[0].operator must be Exists when no key is given",
    ],
    [
      "a node affinity operator Kubernetes does not have",
      {
        default: nodeTerm({ key: "topology.kubernetes.io/zone", operator: "Equals", values: ["eu-west-1a"] }),
      },
      `${TERM}.operator must be one of "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt" (got "Equals")`,
    ],
    [
      "operator In without values",
      { default: nodeTerm({ key: "topology.kubernetes.io/zone", operator: "In" }) },
      `${TERM}.values must list values for operator In`,
    ],
    [
      "operator Gt with a value that is not an integer",
      { default: nodeTerm({ key: "node.example.com/cores", operator: "Gt", values: ["four"] }) },
      `${TERM}.values must be one integer for operator Gt`,
    ],
    [
      "a pod anti-affinity weight above 100",
      {
        prometheus: {
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 150,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: { app: "loki" } },
                    topologyKey: "kubernetes.io/hostname",
                  },
                },
              ],
            },
          },
        },
      },
      "observability:placement.prometheus.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight must be a whole number between 1 and 100 (got 150)",
    ],
    [
      "a pod affinity label selector operator for nodes only",
      {
        grafana: {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchExpressions: [{ key: "app", operator: "Gt", values: ["1"] }] },
                  topologyKey: "topology.kubernetes.io/zone",
                },
              ],
            },
          },
        },
      },
      'observability:placement.grafana.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator must be one of "In", "NotIn", "Exists", "DoesNotExist" (got "Gt")',
    ],
    [
      "a priorityClassName that is not a DNS subdomain",
      { default: { priorityClassName: "Observability_Critical" } },
      "observability:placement.default.priorityClassName must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.') (got \"Observability_Critical\")",
    ],
    [
      "a node selector label value with a space",
      { alloy: { nodeSelector: { pool: "observability nodes" } } },
      "observability:placement.alloy.nodeSelector.pool must be a label value",
    ],
  ])("refuses %s, naming the key", (_what, placement, message) => {
    const problems = kindProblems({ placement });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test("a node selector that is not a map is refused with its key", () => {
    expect(kindProblems({ placement: { default: { nodeSelector: ["pool=observability"] } } })).toEqual([
      'observability:placement.default.nodeSelector must be an object (got ["pool=observability"])',
    ]);
  });
});

describe("images.registry and images.pullSecrets", () => {
  test.each<[string, unknown, string]>([
    [
      "a scheme",
      "https://registry.example.com/mirror",
      'observability:images.registry must be a registry host without a scheme, such as registry.example.com/mirror (got "https://registry.example.com/mirror")',
    ],
    [
      "a trailing slash",
      "registry.example.com/mirror/",
      "observability:images.registry must not end with '/'",
    ],
    [
      "a first segment a runtime would read as a Docker Hub path",
      "mirror/dockerhub",
      "observability:images.registry must be a registry host with a '.' or a port",
    ],
    [
      "upper-case letters",
      "Registry.Example.com",
      "observability:images.registry must be a registry host with a '.' or a port",
    ],
    ["a number", 5000, "observability:images.registry must be a string (got 5000)"],
  ])("a registry with %s is refused", (_what, registry, message) => {
    const problems = kindProblems({ images: { registry } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test("pull Secrets must be Secret names, each once", () => {
    expect(kindProblems({ images: { pullSecrets: ["mirror-pull", "Mirror_Pull", "mirror-pull"] } })).toEqual([
      "observability:images.pullSecrets[1] must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.') (got \"Mirror_Pull\")",
      'observability:images.pullSecrets[2] must be unique: mirror-pull appears more than once (got "mirror-pull")',
    ]);
    expect(kindProblems({ images: { pullSecrets: "mirror-pull" } })).toEqual([
      'observability:images.pullSecrets must be an array (got "mirror-pull")',
    ]);
  });

  test("an unknown images key is still named, with registry, registryCredentials, pullSecrets and acceptDowngrade among the allowed", () => {
    expect(kindProblems({ images: { mirror: "registry.example.com" } })[0]).toMatch(
      /^observability:images\.mirror is not a known key; allowed: prometheus, .*, redisExporter, kiali, registry, registryCredentials, pullSecrets, acceptDowngrade$/,
    );
  });

  const credentials = JSON.stringify({ auths: { "registry.example.com": { auth: "cm9ib3Q6dG9rZW4=" } } });

  test("registry credentials are a credential: refused unless set with --secret", () => {
    expect(kindProblems({ images: { registryCredentials: credentials } })).toEqual([
      "observability:images.registryCredentials holds a credential and must be set with " +
        "`pulumi config set --secret --path 'observability:images.registryCredentials' <value>`",
    ]);
  });

  test("registry credentials that are not Docker config JSON are named, the value never shown", () => {
    const problems = kindProblems({ images: { registryCredentials: "robot:cm9ib3Q6dG9rZW4=" } }, ["images"]);
    expect(problems).toEqual([
      'observability:images.registryCredentials must be Docker config JSON such as {"auths":{"registry.example.com":{"auth":"…"}}} (got a secret value)',
    ]);
    expect(kindProblems({ images: { registryCredentials: '{"auths":{}}' } }, ["images"])).toHaveLength(1);
  });

  test("a pull Secret named like the one the stack creates from the credentials clashes", () => {
    expect(
      kindProblems({ images: { registryCredentials: credentials, pullSecrets: ["registry-credentials"] } }, [
        "images",
      ]),
    ).toEqual([
      'observability:images.pullSecrets[0] must not be registry-credentials: the stack creates that Secret from images.registryCredentials (got "registry-credentials")',
    ]);
  });

  test("existing stack files that pin images.<component> keep working beside a registry", () => {
    const config = parseStackConfig(
      {
        profile: "kind",
        images: { grafana: "docker.io/grafana/grafana:12.1.1", registry: "registry.example.com/mirror" },
      },
      new Set(),
    );
    expect(config.images.grafana).toBe("docker.io/grafana/grafana:12.1.1");
    expect(config.images.registry).toBe("registry.example.com/mirror");
    expect(config.images.pullSecrets).toEqual([]);
  });
});

test("a bad placement registers nothing: the program stops before the provider or any namespace", async () => {
  const { config } = readStackFile("prod", PROJECT_ROOT);
  const mocks = await recordDeployment("prod-bad-placement", {
    ...config,
    "observability:placement": JSON.stringify({
      default: { tolerations: [{ key: "spot", effect: "NoExec" }] },
    }),
    "observability:images": JSON.stringify({ registry: "https://registry.example.com/" }),
  });
  const run = main();
  await expect(run).rejects.toThrow(ConfigError);
  await expect(run).rejects.toThrow("observability:placement.default.tolerations[0].effect");
  await expect(run).rejects.toThrow("observability:images.registry");
  await sleep(50);
  expect(mocks.registrations).toEqual([]);
});
