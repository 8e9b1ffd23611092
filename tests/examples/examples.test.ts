// Each program of examples/ as a user runs it: installed from the packed tarball and the registry
// into a directory of its own (programs asking for the same dependencies get npm's one install of
// them, hard-linked), type-checked by its own TypeScript, rendered under mocks with its
// own Pulumi.yaml, stack file and project root, against the cluster and the other stacks it reads.
// Each render passes the main stacks' checks (strict decoding, Pod Security, the policy pack,
// NetworkPolicy reachability against its components' flows) and does what its README says.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import { createRequire } from "module";
import * as path from "path";
import { connectionAllowed } from "../../checks/networkReachability";
import { renderedPods } from "../../checks/podSpecs";
import { KubeObject } from "../../render/manifest";
import {
  ConsumerInstalls,
  PACKAGE_NAME,
  installConsumerProgram,
  typeCheckConsumerProgram,
} from "../kit/consumerProgram";
import { Json } from "../kit/json";
import { blockedConnections, networkParties, networkPolicies, partyNamed } from "../../testing/network";
import { CheckReport, PASSED, checkRender } from "../../testing/renderChecks";
import { configMapData, objectNamed, prometheusYml } from "../kit/rendered";
import type * as Testing from "../../testing";
import type { ProgramCheckReport, ProgramRender } from "../../testing";
import { tierPackage } from "./packedPackage";

const EXAMPLES_DIR = path.resolve(__dirname, "../../examples");

/** What the testing module cannot run here: promtool, unless the tier found Prometheus built (globalSetup). */
const TIER_SKIPS =
  process.env.PROMETHEUS_DIR === undefined
    ? ["promtool check rules: no promtool: set PROMETHEUS_DIR to a directory holding it, or put it on PATH"]
    : [];

/** What a program finds when it runs: the cluster's objects, the outputs of the stacks it references. */
interface World {
  readonly cluster?: readonly KubeObject[];
  readonly stackReferenceOutputs?: Record<string, unknown>;
}

/** An example, the world it runs in, and where its checks look. */
interface Example {
  /** Its folder under examples/. */
  readonly name: string;
  readonly stack: string;
  readonly world: World;
  /** Where its node agents run: Pod Security privileged there. */
  readonly nodeNamespace: string;
  /** The namespaces whose pods only its flows may reach or leave. */
  readonly closedNamespaces: readonly string[];
  /** Namespaces of pods of others: the apps, the user's own Prometheus. */
  readonly appNamespaces: readonly string[];
}

interface Rendered extends ProgramRender {
  readonly report: CheckReport;
  /** What the installed package's `checkProgram` says of it, as the program's own tests would. */
  readonly programReport: ProgramCheckReport;
}

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
});

const STACK_NAMESPACES = ["observability", "observability-node"];

/** The infrastructure stack the EKS example references: its cluster, workspace, roles and database. */
const CHECKOUT_INFRA = {
  kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
  ampRemoteWriteUrl:
    "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/api/v1/remote_write",
  prometheusRoleArn: "arn:aws:iam::123456789012:role/checkout-prometheus-amp-write",
  grafanaRoleArn: "arn:aws:iam::123456789012:role/checkout-grafana-amp-query",
  grafanaDatabaseEndpoint: "checkout-grafana.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com:5432",
  grafanaDatabasePassword: "db-password-from-the-infra-stack",
};

/** The namespaces a platform team made for the payments team, labelled for Pod Security. */
const PAYMENTS_NAMESPACES = [
  namespace("payments-monitoring", { "pod-security.kubernetes.io/enforce": "restricted" }),
  namespace("payments-monitoring-node", { "pod-security.kubernetes.io/enforce": "privileged" }),
];

const EXAMPLES: readonly Example[] = [
  {
    name: "quickstart",
    stack: "dev",
    world: {},
    nodeNamespace: "observability-node",
    closedNamespaces: STACK_NAMESPACES,
    appNamespaces: [],
  },
  {
    name: "kind",
    stack: "dev",
    world: {},
    nodeNamespace: "observability-node",
    closedNamespaces: [...STACK_NAMESPACES, "observability-demo"],
    appNamespaces: ["shop", "observability-demo"],
  },
  {
    name: "eks-amp",
    stack: "prod",
    world: { cluster: [namespace("checkout")], stackReferenceOutputs: CHECKOUT_INFRA },
    nodeNamespace: "observability-node",
    closedNamespaces: STACK_NAMESPACES,
    appNamespaces: ["checkout"],
  },
  {
    name: "metrics-existing-namespace",
    stack: "prod",
    world: { cluster: PAYMENTS_NAMESPACES },
    nodeNamespace: "payments-monitoring-node",
    // No default deny there: each of its pods is closed by its own NetworkPolicy.
    closedNamespaces: ["payments-monitoring", "payments-monitoring-node"],
    appNamespaces: ["payments"],
  },
  {
    name: "beside-prometheus",
    stack: "dev",
    world: { cluster: [namespace("monitoring")] },
    nodeNamespace: "observability-node",
    closedNamespaces: STACK_NAMESPACES,
    appNamespaces: ["shop", "monitoring"],
  },
  {
    name: "platform-team",
    stack: "prod",
    world: {},
    nodeNamespace: "observability-node",
    closedNamespaces: STACK_NAMESPACES,
    appNamespaces: ["shop"],
  },
  {
    name: "team-files",
    stack: "dev",
    world: {},
    nodeNamespace: "observability-node",
    closedNamespaces: STACK_NAMESPACES,
    appNamespaces: ["checkout"],
  },
];

/** Seconds each phase took, per example, for the summary, and whose install it got. */
const timings = new Map<
  string,
  { install: number; installedBy: string; typeCheck: number; render: number }
>();
/** npm's installs so far: the examples asking for the same dependencies share one tree. */
const installs: ConsumerInstalls = new Map();
const renders = new Map<string, Rendered>();

const seconds = (since: number) => (Date.now() - since) / 1000;

/** The package's testing module as the example installed it: what the program's own tests import. */
function installedTesting(dir: string): typeof Testing {
  return createRequire(path.join(dir, "package.json"))(`${PACKAGE_NAME}/testing`) as typeof Testing;
}

function checked(example: Example, render: ProgramRender): CheckReport {
  return checkRender({
    ...render,
    nodeNamespace: example.nodeNamespace,
    closedNamespaces: example.closedNamespaces,
    appNamespaces: example.appNamespaces,
  });
}

/** Installs, type-checks and renders the example once; every test of it reads the same render. */
function rendered(name: string): Rendered {
  const render = renders.get(name);
  if (render === undefined) {
    throw new Error(`examples/${name} was not rendered (its beforeAll failed)`);
  }
  return render;
}

async function installAndRender(example: Example): Promise<void> {
  const dir = path.join(tierPackage().scratch, "examples", example.name);
  let start = Date.now();
  const installedBy = path.basename(
    installConsumerProgram(path.join(EXAMPLES_DIR, example.name), dir, tierPackage().tarball, installs),
  );
  const install = seconds(start);
  start = Date.now();
  typeCheckConsumerProgram(dir);
  const typeCheck = seconds(start);
  start = Date.now();
  const testing = installedTesting(dir);
  const render = await testing.renderProgram({ dir, stack: example.stack, ...example.world });
  timings.set(example.name, { install, installedBy, typeCheck, render: seconds(start) });
  const programReport = await testing.checkProgram(render, example);
  renders.set(example.name, { ...render, report: checked(example, render), programReport });
}

/**
 * The examples in other languages, through the package's provider and its generated SDKs: not
 * TypeScript programs, so the cluster tier runs them through the engine
 * (tests/cluster/languages.test.ts); sdks.test.ts holds the SDKs and the wheel they install.
 */
const OTHER_LANGUAGE_EXAMPLES = ["go", "python", "yaml"];

test("every folder of examples/ is a program this tier runs, or one in another language", () => {
  const folders = fs
    .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const missing = (folder: string, files: readonly string[]) =>
    files
      .filter((file) => !fs.existsSync(path.join(EXAMPLES_DIR, folder, file)))
      .map((f) => `${folder}/${f}`);
  const typeScript = folders.filter((f) => !OTHER_LANGUAGE_EXAMPLES.includes(f));
  expect(typeScript).toEqual(EXAMPLES.map((e) => e.name).sort());
  expect(folders).toEqual(expect.arrayContaining(OTHER_LANGUAGE_EXAMPLES));
  expect(
    typeScript.flatMap((f) =>
      missing(f, ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "README.md"]),
    ),
  ).toEqual([]);
  expect(
    OTHER_LANGUAGE_EXAMPLES.flatMap((f) => missing(f, ["Pulumi.yaml", "Pulumi.dev.yaml", "README.md"])),
  ).toEqual([]);
});

describe.each(EXAMPLES)("examples/$name", (example) => {
  beforeAll(() => installAndRender(example));

  test("installs from the tarball, type-checks, renders and passes the main stacks' checks", () => {
    const { report, objects } = rendered(example.name);
    expect(objects.length).toBeGreaterThan(0);
    expect(report.problems).toEqual(PASSED);
    expect(report.connectionsChecked).toBeGreaterThan(0);
  });

  test("the package's own testing module says the same of it, skipping nothing the tier has built", () => {
    const { programReport, report } = rendered(example.name);
    expect(programReport.problems).toEqual([]);
    expect(programReport.skipped).toEqual(TIER_SKIPS);
    expect(programReport.checked.connections).toBe(report.connectionsChecked);
  });
});

test("an example given another's installed tree asks for exactly its dependencies, each installed at the version it asks for", () => {
  const manifest = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
  const packageVersion = manifest(path.resolve(__dirname, "../..")).version;
  const asked = (name: string) => {
    const { dependencies, devDependencies } = manifest(path.join(EXAMPLES_DIR, name));
    return { dependencies, devDependencies };
  };
  const shared = EXAMPLES.filter((e) => timings.get(e.name)?.installedBy !== e.name);
  for (const example of shared) {
    const by = timings.get(example.name)?.installedBy ?? "";
    expect([example.name, asked(example.name)]).toEqual([example.name, asked(by)]);
    const dir = path.join(tierPackage().scratch, "examples", example.name);
    expect(fs.lstatSync(path.join(dir, "node_modules")).isDirectory()).toBe(true);
    const { dependencies, devDependencies } = asked(example.name);
    for (const [name, version] of Object.entries({ ...dependencies, ...devDependencies })) {
      const installed = manifest(path.join(dir, "node_modules", name));
      expect(`${name}@${installed.version}`).toBe(
        `${name}@${name === PACKAGE_NAME ? packageVersion : version}`,
      );
    }
  }
  expect(shared.length).toBeGreaterThan(0);
});

/** The design card's four components, by their type tokens, in the order a program wires them. */
const CARD_COMPONENTS = [
  "observability:index:MetricsStack",
  "observability:index:LogsStack",
  "observability:index:TracingStack",
  "observability:index:GrafanaStack",
];

const components = (render: Rendered) => [
  ...new Set(render.registrations.filter((r) => r.type.startsWith("observability:")).map((r) => r.type)),
];

/** The `namespace;service;port` targets each app job keeps, by the metrics path it scrapes. */
function appTargets(render: Rendered): Record<string, string[]> {
  const targets: Record<string, string[]> = {};
  for (const job of prometheusYml(render.objects).scrape_configs as Json[]) {
    // The services' jobs, labelled tier=app, keep their namespace;service;port out of what discovery finds.
    const relabels = (job.relabel_configs ?? []) as Json[];
    const keep = relabels.find(
      (r) =>
        r.action === "keep" && (r.source_labels as string[]).includes("__meta_kubernetes_endpointslice_port"),
    );
    if (keep === undefined || !relabels.some((r) => r.target_label === "tier" && r.replacement === "app")) {
      continue;
    }
    const metricsPath = job.metrics_path as string;
    targets[metricsPath] = [
      ...(targets[metricsPath] ?? []),
      ...(keep.regex as string).slice(1, -1).split("|"),
    ].sort();
  }
  return targets;
}

describe("what each example does", () => {
  test("quickstart: the four components by the card's names, with their defaults and one peer", () => {
    const render = rendered("quickstart");
    expect(components(render)).toEqual(["observability:index:StackNamespaces", ...CARD_COMPONENTS]);
    // Given Prometheus alone, Grafana provisions it, and no datasource pointing at nothing.
    const datasources = yaml.load(
      configMapData(render.objects, "grafana-provisioning")["datasources.yaml"],
    ) as Json;
    expect((datasources.datasources as Json[]).map((d) => d.type)).toEqual(["prometheus"]);
  });

  test("kind: the whole stack from the stack file, scraping the shop's services on their paths", () => {
    const render = rendered("kind");
    expect(components(render)).toEqual([
      "observability:index:StackNamespaces",
      ...CARD_COMPONENTS,
      "observability:index:DemoStack",
    ]);
    expect(appTargets(render)).toEqual({
      "/metrics": ["shop;cart;8080", "shop;orders;8080"],
      "/actuator/prometheus": [
        "observability-demo;demo-checkout;8080",
        "observability-demo;demo-frontend;8080",
        "observability-demo;demo-payments;8080",
        "shop;payments;8081",
      ],
    });
    expect(render.outputs.grafanaUrl).toBe("http://localhost:30006");
  });

  test("eks-amp: Prometheus writes to the workspace and Grafana queries it, each with its role from the infra stack", () => {
    const render = rendered("eks-amp");
    const { objects } = render;
    expect(prometheusYml(objects).remote_write).toEqual([
      expect.objectContaining({ url: CHECKOUT_INFRA.ampRemoteWriteUrl, sigv4: { region: "eu-west-1" } }),
    ]);
    const roleOf = (account: string) =>
      objectNamed(objects, "ServiceAccount", account).metadata.annotations?.["eks.amazonaws.com/role-arn"];
    expect(roleOf("prometheus")).toBe(CHECKOUT_INFRA.prometheusRoleArn);
    expect(roleOf("grafana")).toBe(CHECKOUT_INFRA.grafanaRoleArn);
    const datasources = yaml.load(configMapData(objects, "grafana-provisioning")["datasources.yaml"]) as Json;
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        uid: "prometheus",
        url: CHECKOUT_INFRA.ampRemoteWriteUrl.replace(/\/api\/v1\/remote_write$/, ""),
        jsonData: expect.objectContaining({ sigV4Auth: true, sigV4Region: "eu-west-1" }),
      }),
    ]);
    // The database password, an Output of the infra stack, ends in Grafana's Secret and nowhere else.
    expect(objectNamed(objects, "Secret", "grafana-credentials").stringData["database-password"]).toBe(
      CHECKOUT_INFRA.grafanaDatabasePassword,
    );
    const holders = objects.filter((o) => JSON.stringify(o).includes(CHECKOUT_INFRA.grafanaDatabasePassword));
    expect(holders.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Secret/grafana-credentials"]);
    expect(render.outputs.prometheusQueryUrl).toBe(
      CHECKOUT_INFRA.ampRemoteWriteUrl.replace(/\/api\/v1\/remote_write$/, ""),
    );
  });

  test("metrics-existing-namespace: MetricsStack alone, in the namespaces it reads and writes nothing else into", () => {
    const render = rendered("metrics-existing-namespace");
    expect(components(render)).toEqual(["observability:index:MetricsStack"]);
    expect(render.objects.filter((o) => o.kind === "Namespace")).toEqual([]);
    expect(render.registrations.filter((r) => r.read).map((r) => r.live?.metadata.name)).toEqual([
      "payments-monitoring",
      "payments-monitoring-node",
    ]);
    const namespaces = new Set(render.objects.map((o) => o.metadata.namespace ?? "(cluster)"));
    expect([...namespaces].sort()).toEqual(["(cluster)", "payments-monitoring", "payments-monitoring-node"]);
    expect(
      renderedPods(render.objects)
        .filter((pod) => pod.spec.hostNetwork === true)
        .map((pod) => pod.namespace),
    ).toEqual(["payments-monitoring-node"]);
  });

  test("metrics-existing-namespace: with the node namespace not privileged, the policy pack refuses node-exporter's host access", async () => {
    const restricted = PAYMENTS_NAMESPACES.map((ns) =>
      namespace(ns.metadata.name, { "pod-security.kubernetes.io/enforce": "restricted" }),
    );
    const example = EXAMPLES.find((e) => e.name === "metrics-existing-namespace") as Example;
    const dir = path.join(tierPackage().scratch, "examples", example.name);
    const testing = installedTesting(dir);
    const render = await testing.renderProgram({ dir, stack: example.stack, cluster: restricted });
    expect((await testing.checkProgram(render, example)).problems).toContain(
      "policy pack: host-access-allowlisted: DaemonSet/payments-monitoring-node/node-exporter: uses hostNetwork without an allowlist grant",
    );
  });

  test("beside-prometheus: log alerts and span metrics go to the team's own Alertmanager and Prometheus, which may scrape every pod its job finds", () => {
    const { objects } = rendered("beside-prometheus");
    const loki = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
    expect(loki.ruler.alertmanager_url).toBe("http://kps-alertmanager.monitoring.svc:9093");
    const collector = yaml.load(configMapData(objects, "otel-collector-config")["config.yaml"]) as Json;
    expect(
      Object.values(collector.exporters as Json)
        .map((e) => (e as Json).endpoint)
        .filter((endpoint) => typeof endpoint === "string" && endpoint.includes("monitoring")),
    ).toEqual(["http://kps-prometheus.monitoring.svc:9090/api/v1/write"]);

    // The job the team's Prometheus reads from the Secret: each pod of the stack is a target on
    // the one port of its that the job keeps, and the stack's policies let the monitoring namespace in.
    const secret = objectNamed(objects, "Secret", "observability-scrape-configs");
    const [job] = yaml.load(secret.stringData["scrape-configs.yaml"]) as Json[];
    const keep = new RegExp(`^(?:${(job.relabel_configs as Json[])[0].regex})$`);
    const parties = networkParties(objects, ["monitoring"]);
    const prometheus = partyNamed(parties, "monitoring/an-app");
    const pods = renderedPods(objects).filter((pod) => pod.namespace === "observability");
    const targets = pods.map((pod) => {
      const ports = pod.spec.containers
        .flatMap((c) => c.ports ?? [])
        .filter((p) => keep.test(`${pod.labels["app.kubernetes.io/part-of"]};${p.name}`));
      expect(ports).toHaveLength(1);
      const target = partyNamed(parties, `observability/${pod.labels["app.kubernetes.io/name"]}`);
      const reachable = connectionAllowed(networkPolicies(objects), prometheus.party, target.party, {
        protocol: "TCP",
        port: ports[0].containerPort,
      });
      return `${pod.labels["app.kubernetes.io/name"]}:${ports[0].containerPort} ${reachable ? "reachable" : "blocked"}`;
    });
    expect(targets.sort()).toEqual([
      "alloy:12345 reachable",
      "event-collector:12345 reachable",
      "loki-canary:3500 reachable",
      "loki:3100 reachable",
      "otel-collector:8888 reachable",
      "tempo:3200 reachable",
    ]);
  });

  test("platform-team: its buckets and roles, Outputs of the same program, are in the components' objects, and the four reach each other without clients", () => {
    const { objects, registrations } = rendered("platform-team");
    const made = (type: string, name: string) => {
      const found = registrations.find((r) => r.type === type && r.name === name);
      if (found === undefined) throw new Error(`no ${type} ${name}`);
      return found;
    };
    const role = objectNamed(objects, "ServiceAccount", "loki").metadata.annotations?.[
      "eks.amazonaws.com/role-arn"
    ];
    expect(role).toBe("arn:aws:iam::123456789012:role/loki-irsa");
    const trust = JSON.parse(String(made("aws:iam/role:Role", "loki-irsa").inputs.assumeRolePolicy)) as Json;
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain(
      "system:serviceaccount:observability:loki",
    );
    const loki = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
    expect(loki.common.storage.s3.bucketnames).toMatch(/^loki-[0-9a-f]{12}$/);
    expect(
      blockedConnections(
        objects,
        ["shop"],
        [
          ["observability/grafana", "observability/loki", 3100],
          ["observability/grafana", "observability/alertmanager", 9093],
          ["observability/grafana", "observability/thanos-query", 10902],
          ["observability/grafana", "observability/tempo", 3200],
          ["observability/loki", "observability/alertmanager", 9093],
          ["observability/otel-collector-aggregator", "observability/prometheus", 9090],
        ],
      ),
    ).toEqual([]);
  });

  test("platform-team: its own jest test renders it with the package's testing module and passes", () => {
    const dir = path.join(tierPackage().scratch, "examples", "platform-team");
    const run = spawnSync(path.join(dir, "node_modules", ".bin", "jest"), ["--ci"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(run.stderr).toContain("Tests:       1 passed, 1 total");
    expect(run.status).toBe(0);
  });

  test("platform-team: a role ARN the program makes wrong fails the render once known, naming the arg", async () => {
    const installed = path.join(tierPackage().scratch, "examples", "platform-team");
    const dir = path.join(tierPackage().scratch, "examples", "platform-team-wrong-arn");
    fs.mkdirSync(dir, { recursive: true });
    for (const file of ["package.json", "Pulumi.prod.yaml"]) {
      fs.copyFileSync(path.join(installed, file), path.join(dir, file));
    }
    fs.symlinkSync(path.join(installed, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: platform-observability\nruntime: nodejs\nmain: wrong.ts\n",
    );
    fs.writeFileSync(
      path.join(dir, "wrong.ts"),
      [
        'import * as pulumi from "@pulumi/pulumi";',
        `import { LogsStack } from "${PACKAGE_NAME}";`,
        "// An ARN read from the wrong output of another resource: a role's name, not its ARN.",
        'const s3 = { bucket: "acme-loki", region: "eu-west-1", roleArn: pulumi.output("loki-irsa") };',
        'const tempo = { bucket: "acme-tempo", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/tempo" };',
        'new LogsStack("logs", { profile: "eks", storage: { s3: { loki: s3, tempo } } });',
      ].join("\n"),
    );
    await expect(installedTesting(installed).renderProgram({ dir, stack: "prod" })).rejects.toThrow(
      "args.storage.s3.loki.roleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/name; it was an Output, checked once known",
    );
  });

  test("team-files: the team's rule file, SLOs and dashboards, read from its own project root", () => {
    const { objects } = rendered("team-files");
    const team = path.join(EXAMPLES_DIR, "team-files");
    const rules = configMapData(objects, "prometheus-rules");
    expect(yaml.load(rules["checkout.rules.yml"])).toEqual(
      yaml.load(fs.readFileSync(path.join(team, "rules", "checkout.rules.yml"), "utf8")),
    );
    const sloNames = [...new Set(rules["slo.yaml"].match(/slo="[a-z0-9-]+"/g))];
    expect(sloNames).toEqual(
      expect.arrayContaining(['slo="checkout-order-failures"', 'slo="cart-p95-latency"']),
    );
    const dashboards = configMapData(objects, "grafana-dashboards-checkout");
    const board = JSON.parse(dashboards["checkout-overview.json"]) as Json;
    const exported = JSON.parse(
      fs.readFileSync(path.join(team, "dashboards", "checkout", "checkout-overview.json"), "utf8"),
    ) as Json;
    expect(board.title).toBe(exported.title);
    expect(board.panels.map((p: Json) => p.datasource.uid)).toEqual(exported.panels.map(() => "prometheus"));
    const providers = yaml.load(configMapData(objects, "grafana-provisioning")["dashboards.yaml"]) as Json;
    expect(providers.providers.map((p: Json) => p.folder)).toEqual(["Platform", "Checkout"]);
  });
});

afterAll(() => {
  const rows = EXAMPLES.filter((e) => renders.has(e.name)).map((e) => {
    const { objects, report } = rendered(e.name);
    const time = timings.get(e.name);
    const { strictDecode, podSecurity, policyPack } = report.problems;
    const count = (problems: readonly string[], what: string) =>
      problems.length === 0 ? "pass" : `${problems.length} ${what}`;
    const pack = count(policyPack, "violations");
    const schema = `${count(strictDecode, "decode errors")}, ${count(podSecurity, "Pod Security problems")}`;
    const reach =
      report.problems.reachability.length === 0
        ? `pass (${report.connectionsChecked} connections)`
        : `${report.problems.reachability.length} mismatches of ${report.connectionsChecked}`;
    return `| examples/${e.name} | ${objects.length} | ${schema} | ${pack} | ${reach} | ${time?.install.toFixed(1)}${time?.installedBy === e.name ? "" : ` (${time?.installedBy}'s tree, linked)`} | ${time?.typeCheck.toFixed(1)} | ${time?.render.toFixed(1)} |`;
  });
  console.log(
    [
      "| example | objects | strict decode, Pod Security | policy pack | reachability | install s | type-check s | render s |",
      "|---|--:|---|---|---|--:|--:|--:|",
      ...rows,
    ].join("\n"),
  );
});
