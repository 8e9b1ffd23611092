// demo.enabled: off unless a stack file turns it on, refused on eks with the key named, and
// nothing registered when it is refused.
import main = require("../../../index");
import { ConfigError, PROFILE_DEFAULTS } from "../../../config";
import { parsePulumiConfig, parseStackConfig } from "../../../config/load";
import { DEMO_NAMESPACE } from "../../../config/demo";
import { PROJECT_ROOT, recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";
import { sectionProblems } from "../../support/configProblems";

/** The prod stack file with the demo turned on, as `pulumi config set --path demo.enabled true` leaves it. */
function prodWithDemo(): { config: Record<string, string>; secretKeys: string[] } {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  return { config: { ...config, "observability:demo": JSON.stringify({ enabled: true }) }, secretKeys };
}

test.each(["kind", "eks"] as const)("profile %s leaves the demo off", (profile) => {
  expect(PROFILE_DEFAULTS[profile].demo?.enabled).toBe(false);
});

test("off, the demo adds no app namespace or service", () => {
  const config = parseStackConfig({ profile: "kind" }, new Set());
  expect(config.demo.enabled).toBe(false);
  expect(config.apps.namespaces).toEqual([]);
  expect(config.apps.services).toEqual([]);
});

test("the committed kind stack turns it on; the prod stack does not", () => {
  const kind = readStackFile("kind", PROJECT_ROOT);
  expect(parsePulumiConfig(kind.config, kind.secretKeys).demo.enabled).toBe(true);
  const prod = readStackFile("prod", PROJECT_ROOT);
  expect(parsePulumiConfig(prod.config, prod.secretKeys).demo.enabled).toBe(false);
});

test("enabled, its namespace and three services join the apps after the configured ones", () => {
  const config = parseStackConfig(
    {
      profile: "kind",
      apps: { namespaces: ["shop"], services: [{ name: "orders", port: 8080 }] },
      demo: { enabled: true },
    },
    new Set(),
  );
  expect(config.apps.namespaces).toEqual(["shop", DEMO_NAMESPACE]);
  expect(
    config.apps.services.map((s) => `${s.namespace}/${s.name}:${s.port}${s.metricsPath}@${s.scrapeInterval}`),
  ).toEqual([
    "shop/orders:8080/metrics@15s",
    `${DEMO_NAMESPACE}/demo-frontend:8080/actuator/prometheus@10s`,
    `${DEMO_NAMESPACE}/demo-checkout:8080/actuator/prometheus@10s`,
    `${DEMO_NAMESPACE}/demo-payments:8080/actuator/prometheus@10s`,
  ]);
  // Each demo service gets the SLO defaults, as any listed service does.
  expect(config.apps.services[1].slo).toEqual(config.apps.services[0].slo);
});

test.each<[string, Json, string[]]>([
  [
    "with its namespace also listed as an app namespace",
    { profile: "kind", apps: { namespaces: [DEMO_NAMESPACE] }, demo: { enabled: true } },
    [`observability:apps.namespaces must not list ${DEMO_NAMESPACE} while demo.enabled: the demo owns it`],
  ],
  ["as text", { profile: "kind", demo: { enabled: "yes" } }, ["observability:demo.enabled must be"]],
  [
    "with a floating image",
    { profile: "kind", demo: { image: "docker.io/library/node:latest" } },
    ["observability:demo.image must not use the floating tag 'latest'"],
  ],
  [
    "with a resource that is not a quantity",
    { profile: "kind", demo: { resources: { limits: { memory: "lots" } } } },
    ["observability:demo.resources.limits.memory must be a Kubernetes quantity such as 100m, 256Mi or 10Gi"],
  ],
  ["with an unknown key", { profile: "kind", demo: { enable: true } }, ["observability:demo"]],
])("refused %s, naming the key", (_, raw, expected) => {
  const problems = sectionProblems(raw);
  expect(problems).toHaveLength(expected.length);
  expected.forEach((start, i) => expect(problems[i].startsWith(start)).toBe(true));
});

test("refused on the eks profile, naming the key and saying it is for kind", () => {
  const { config, secretKeys } = prodWithDemo();
  let problems: readonly string[] = [];
  try {
    parsePulumiConfig(config, secretKeys);
  } catch (error) {
    problems = error instanceof ConfigError ? error.problems : [];
  }
  expect(problems).toEqual([
    "observability:demo.enabled is for the kind profile only: the demo generates made-up traffic for a laptop cluster; set it to false on eks (got true)",
  ]);
});

test("the demo on the prod stack registers nothing", async () => {
  const { config, secretKeys } = prodWithDemo();
  const mocks = await recordDeployment("prod-demo", config, secretKeys);
  const run = main();
  await expect(run).rejects.toThrow(ConfigError);
  await expect(run).rejects.toThrow("observability:demo.enabled is for the kind profile only");
  await sleep(50);
  expect(mocks.registrations).toEqual([]);
});

describe("the demo's business SLOs", () => {
  const sloNames = (input: Json) =>
    parseStackConfig(input, new Set()).metrics.slos.map((s) => `${s.service}/${s.name}`);

  test("join metrics.slos while the demo runs, after the stack's own, and go with it", () => {
    const own = { name: "orders-ok", service: "orders", objective: 0.99, window: "7d" };
    const stack = {
      profile: "kind",
      metrics: {
        slos: [
          {
            ...own,
            indicator: { kind: "ratio", errors: 'orders_total{outcome="failed"}', total: "orders_total" },
          },
        ],
      },
    };
    expect(sloNames({ ...stack, demo: { enabled: true } })).toEqual([
      "orders/orders-ok",
      "demo-payments/demo-payment-failures",
      "demo-checkout/demo-seat-lock-conflicts",
    ]);
    expect(sloNames({ ...stack, demo: { enabled: false } })).toEqual(["orders/orders-ok"]);
  });

  test("the committed kind stack has them from the demo alone", () => {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    expect(JSON.parse(config["observability:metrics"]) as Json).not.toHaveProperty("slos");
    const demoOff = { ...config, "observability:demo": JSON.stringify({ enabled: false }) };
    expect(parsePulumiConfig(demoOff, secretKeys).metrics.slos).toEqual([]);
  });

  test("a stack SLO of a demo SLO's name is refused while the demo runs, naming the key", () => {
    const clash = {
      name: "demo-payment-failures",
      service: "payments",
      objective: 0.99,
      window: "7d",
      indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
    };
    expect(sectionProblems({ profile: "kind", metrics: { slos: [clash] }, demo: { enabled: true } })).toEqual(
      [
        'observability:metrics.slos[0].name must not be one of the demo\'s SLO names (demo-payment-failures, demo-seat-lock-conflicts) while demo.enabled: the demo adds those SLOs (got "demo-payment-failures")',
      ],
    );
    expect(sloNames({ profile: "kind", metrics: { slos: [clash] } })).toEqual([
      "payments/demo-payment-failures",
    ]);
  });
});
