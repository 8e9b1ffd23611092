// Each component alone, as a program that installs the package constructs it: from `{}` (a
// kind-sized stack), from the prod stack file's sections, and with peers of the user's own. Each
// render passes the checks the main stacks pass, and points at nothing it was not given.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config";
import { GrafanaStack, KialiStack, LogsStack, MetricsStack, StackNamespaces, TracingStack } from "../../lib";
import type { ServiceAccountName } from "../../lib";
import { Flow } from "../../components/common/flow";
import { KubeObject, kubeObjects } from "../../render/manifest";
import { Registration } from "../../render/mocks";
import { PROJECT_ROOT, recordDeployment } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { ownKeys } from "../../config/validate";
import { waitForRegistrations } from "../../runtime/pulumiSdk";
import { Json } from "../kit/json";
import { connectionAllowed } from "../../checks/networkReachability";
import {
  NamedConnection,
  blockedConnections,
  networkParties,
  networkPolicies,
  partyNamed,
} from "../../testing/network";
import { PASSED, checkRender } from "../../testing/renderChecks";
import { configMapData, objectNamed } from "../kit/rendered";
import { sleep } from "../kit/sleep";

interface Built {
  readonly registrations: readonly Registration[];
  readonly objects: readonly KubeObject[];
  readonly flows: readonly Flow[];
}

/**
 * Registers what `build` constructs, with nothing but the namespaces it deploys into (StackNamespaces
 * of the same `sections`, whose labels tell the policy pack the profile and the node agents'
 * namespace), in a fresh mock deployment whose project root is `root`.
 */
async function alone(
  build: () => { readonly flows: readonly Flow[] },
  sections: Record<string, unknown> = {},
  root = process.cwd(),
): Promise<Built> {
  const mocks = await recordDeployment("alone", {}, [], {}, root);
  new StackNamespaces("namespaces", sections);
  const { flows } = build();
  await waitForRegistrations();
  return { registrations: mocks.registrations, objects: kubeObjects(mocks.registrations), flows };
}

/** The error `build` throws, and what it registered first (nothing, for a config error). */
async function refused(
  build: () => unknown,
): Promise<{ error: unknown; registrations: readonly Registration[] }> {
  const mocks = await recordDeployment("alone", {});
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  await sleep(50);
  return { error, registrations: mocks.registrations };
}

const controllers = (built: Built) =>
  built.objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();

const components = (built: Built) =>
  built.registrations
    .filter((r) => r.type.startsWith("observability:index:") && !r.type.endsWith(":StackNamespaces"))
    .map((r) => r.type);

/** The checks of the main stacks, with the component's namespaces closed by its own policies. */
const checks = (built: Built, appNamespaces: readonly string[] = []) =>
  checkRender({
    ...built,
    nodeNamespace: "observability-node",
    closedNamespaces: ["observability", "observability-node"],
    appNamespaces,
  }).problems;

/** The workloads a component's flows name that are not among its own pods. */
const foreignWorkloads = (built: Built) => {
  const own = new Set(
    built.objects
      .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
  );
  return built.flows
    .flatMap((f) => [f.from, f.to])
    .flatMap((e) => (e.kind === "workload" ? [`${e.namespace}/${e.name}`] : []))
    .filter((w) => !own.has(w));
};

/** The prod stack file's `observability:` sections, as a program would pass them. */
function prodSections(): Record<string, unknown> {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  return { ...ownKeys(config, secretKeys).raw };
}

describe("each component alone, from {}", () => {
  test("MetricsStack: Prometheus, Alertmanager and the exporters, passing every check, with no link to a Grafana it was not given", async () => {
    const built = await alone(() => new MetricsStack("m", {}));
    expect(components(built)).toEqual(["observability:index:MetricsStack"]);
    expect(controllers(built)).toEqual([
      "DaemonSet/node-exporter",
      "Deployment/kube-state-metrics",
      "StatefulSet/alertmanager",
      "StatefulSet/prometheus",
    ]);
    expect(checks(built)).toEqual(PASSED);
    expect(foreignWorkloads(built)).toEqual([]);
    const rules = Object.values(configMapData(built.objects, "prometheus-rules")).join("\n");
    expect(rules).not.toContain("dashboard_url");
    const templates = Object.values(configMapData(built.objects, "alertmanager-config")).join("\n");
    expect(templates).not.toContain("/explore?");
  });

  test("LogsStack: Loki, Alloy, the canary and the event collector, passing every check; its ruler sends to no Alertmanager", async () => {
    const built = await alone(() => new LogsStack("l", {}));
    expect(components(built)).toEqual(["observability:index:LogsStack"]);
    expect(controllers(built)).toEqual([
      "Deployment/event-collector",
      "Deployment/loki-canary",
      "StatefulSet/alloy",
      "StatefulSet/loki",
    ]);
    expect(checks(built)).toEqual(PASSED);
    expect(foreignWorkloads(built)).toEqual([]);
    const loki = yaml.load(configMapData(built.objects, "loki-config")["loki.yaml"]) as Json;
    expect(loki.ruler.alertmanager_url).toBeUndefined();
  });

  test.each([
    ["no app namespace: the canary's alone", {}, ["observability"]],
    [
      "app namespaces: theirs and the canary's",
      { apps: { namespaces: ["shop", "orders"] } },
      ["observability", "orders", "shop"],
    ],
  ] as const)(
    "LogsStack with %s: Alloy discovers pods only where its Roles let it read them",
    async (_, args, expected) => {
      const built = await alone(() => new LogsStack("l", args), args);
      const alloy = configMapData(built.objects, "alloy-config")["config.alloy"];
      const discovered = [...alloy.matchAll(/names\s*=\s*\[([^\]]*)\]/g)].map((m) =>
        m[1]
          .split(",")
          .map((name) => name.trim().replace(/"/g, ""))
          .filter((name) => name !== ""),
      );
      expect(discovered.every((names) => names.length > 0)).toBe(true);
      const readable = built.objects
        .filter((o) => o.kind === "Role" && o.metadata.labels?.["app.kubernetes.io/name"] === "alloy")
        .map((o) => o.metadata.namespace)
        .sort();
      expect([...new Set(discovered.flat())].sort()).toEqual(expected);
      expect(readable).toEqual(expected);
    },
  );

  test("TracingStack: the collector and Tempo, passing every check; no span metrics without a Prometheus to write them to", async () => {
    const built = await alone(() => new TracingStack("t", {}));
    expect(components(built)).toEqual(["observability:index:TracingStack"]);
    expect(controllers(built)).toEqual(["StatefulSet/otel-collector", "StatefulSet/tempo"]);
    expect(checks(built)).toEqual(PASSED);
    expect(foreignWorkloads(built)).toEqual([]);
    const collector = yaml.load(configMapData(built.objects, "otel-collector-config")["config.yaml"]) as Json;
    expect(Object.keys(collector.exporters)).toEqual(["otlp/tempo"]);
    expect(Object.keys(collector.connectors)).toEqual(["forward"]);
    expect(Object.keys(collector.service.pipelines)).toEqual(["traces", "traces/sampled"]);
  });

  test("GrafanaStack: Grafana with no datasource and no dashboard, passing every check", async () => {
    const built = await alone(() => new GrafanaStack("g", {}));
    expect(components(built)).toEqual(["observability:index:GrafanaStack"]);
    expect(controllers(built)).toEqual(["StatefulSet/grafana"]);
    expect(checks(built)).toEqual(PASSED);
    expect(foreignWorkloads(built)).toEqual([]);
    const provisioning = configMapData(built.objects, "grafana-provisioning");
    expect((yaml.load(provisioning["datasources.yaml"]) as Json).datasources).toEqual([]);
    expect(configMapData(built.objects, "grafana-dashboards")).toEqual({});
  });
});

describe("each component alone, from the prod stack file's sections", () => {
  const sections = prodSections();

  test.each([
    ["MetricsStack", () => new MetricsStack("m", sections)],
    ["LogsStack", () => new LogsStack("l", sections)],
    ["TracingStack", () => new TracingStack("t", sections)],
    ["GrafanaStack", () => new GrafanaStack("g", sections)],
  ])("%s passes every check and names no workload but its own", async (_, build) => {
    const built = await alone(build, sections);
    expect(checks(built, (sections.apps as { namespaces: string[] }).namespaces)).toEqual(PASSED);
    expect(foreignWorkloads(built)).toEqual([]);
  });
});

describe("peers of the user's own", () => {
  test("LogsStack beside the user's Alertmanager: its ruler sends there, and Loki may reach that namespace on that port only", async () => {
    const url = "http://alertmanager.monitoring.svc:9093";
    const built = await alone(() => new LogsStack("l", { alertmanager: { url } }));
    const loki = yaml.load(configMapData(built.objects, "loki-config")["loki.yaml"]) as Json;
    expect(loki.ruler.alertmanager_url).toBe(url);
    expect(checks(built, ["monitoring"])).toEqual(PASSED);
    const parties = networkParties(built.objects, ["monitoring"]);
    const policies = networkPolicies(built.objects);
    const [from, to] = [partyNamed(parties, "observability/loki"), partyNamed(parties, "monitoring/an-app")];
    expect(connectionAllowed(policies, from.party, to.party, { protocol: "TCP", port: 9093 })).toBe(true);
    expect(connectionAllowed(policies, from.party, to.party, { protocol: "TCP", port: 9094 })).toBe(false);
  });

  test("TracingStack beside the user's Prometheus: span metrics are written to it, scraped by it", async () => {
    const prometheus = { kind: "namespace", namespace: "monitoring" } as const;
    const url = "http://prometheus-server.monitoring.svc:9090/api/v1/write";
    const built = await alone(
      () => new TracingStack("t", { prometheusWrites: [{ url }], clients: { scraper: prometheus } }),
    );
    const collector = yaml.load(configMapData(built.objects, "otel-collector-config")["config.yaml"]) as Json;
    expect(collector.exporters["prometheusremotewrite/prometheus-0"].endpoint).toBe(url);
    expect(checks(built, ["monitoring"])).toEqual(PASSED);
  });

  test("KialiStack beside the user's Prometheus and Grafana: its config names them, and it may reach each on its port only", async () => {
    const mesh = { istio: { enabled: true, namespaces: ["shop"] } };
    const prometheus = "http://prometheus-server.monitoring.svc:9090";
    const built = await alone(
      () =>
        new KialiStack("k", {
          mesh,
          prometheus: { url: prometheus },
          grafana: { url: "http://grafana.monitoring.svc:3000", publicUrl: "https://grafana.example.com" },
        }),
    );
    expect(components(built)).toEqual(["observability:index:KialiStack"]);
    expect(controllers(built)).toEqual(["Deployment/kiali"]);
    expect(checks(built, ["monitoring", "shop", "istio-system"])).toEqual(PASSED);
    expect(foreignWorkloads(built)).toEqual([]);
    const kiali = yaml.load(configMapData(built.objects, "kiali-config")["config.yaml"]) as Json;
    expect(kiali.external_services.prometheus.url).toBe(prometheus);
    // No Tempo given: no traces, and no trace links.
    expect(kiali.external_services.tracing).toEqual({ enabled: false });
    const parties = networkParties(built.objects, ["monitoring"]);
    const policies = networkPolicies(built.objects);
    const [from, to] = [partyNamed(parties, "observability/kiali"), partyNamed(parties, "monitoring/an-app")];
    expect(
      [9090, 3000, 9091].map((port) =>
        connectionAllowed(policies, from.party, to.party, { protocol: "TCP", port }),
      ),
    ).toEqual([true, true, false]);
  });

  test("KialiStack shows an Istio mesh: without one it refuses, naming the arg, and registers nothing", async () => {
    const { error, registrations } = await refused(
      () => new KialiStack("k", { prometheus: { url: "http://prometheus-server.monitoring.svc:9090" } }),
    );
    expect((error as ConfigError).problems).toEqual([
      "args.mesh.istio must be enabled, with kiali true: Kiali shows an Istio mesh",
    ]);
    expect(registrations).toEqual([]);
  });

  test("a peer's URL from another resource (an Output) needs its endpoint, and is written once known", async () => {
    const { error, registrations } = await refused(
      () => new LogsStack("l", { alertmanager: { url: pulumi.output("http://am.monitoring.svc:9093") } }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('Invalid LogsStack "l" args');
    expect((error as ConfigError).problems).toEqual([
      "args.alertmanager.endpoint is required when args.alertmanager.url is an Output: it names the pods the component may reach",
    ]);
    expect(registrations).toEqual([]);

    const endpoint = { kind: "namespace", namespace: "monitoring" } as const;
    const built = await alone(
      () =>
        new LogsStack("l", {
          alertmanager: { url: pulumi.output("http://am.monitoring.svc:9093"), endpoint },
        }),
    );
    const loki = yaml.load(configMapData(built.objects, "loki-config")["loki.yaml"]) as Json;
    expect(loki.ruler.alertmanager_url).toBe("http://am.monitoring.svc:9093");
  });
});

describe("components given each other's peers, without clients", () => {
  const CONNECTIONS: readonly NamedConnection[] = [
    ["observability/grafana", "observability/prometheus", 9090],
    ["observability/grafana", "observability/alertmanager", 9093],
    ["observability/grafana", "observability/loki", 3100],
    ["observability/grafana", "observability/tempo", 3200],
    ["observability/loki", "observability/alertmanager", 9093],
    ["observability/otel-collector", "observability/prometheus", 9090],
  ];

  test("the four reach each other: the component that connects admits itself into its peer's pods", async () => {
    const built = await alone(() => {
      const metrics = new MetricsStack("m", {});
      const logs = new LogsStack("l", { alertmanager: metrics.alertmanager });
      const tracing = new TracingStack("t", { prometheusWrites: metrics.prometheusWrites });
      const grafana = new GrafanaStack("g", {
        prometheus: metrics.prometheusQuery,
        alertmanager: metrics.alertmanager,
        loki: logs.loki,
        tempo: tracing.tempo,
      });
      return { flows: [metrics, logs, tracing, grafana].flatMap((c) => c.flows) };
    });
    expect(checks(built)).toEqual(PASSED);
    expect(blockedConnections(built.objects, [], CONNECTIONS)).toEqual([]);
    const admissions = built.objects
      .filter((o) => o.kind === "NetworkPolicy" && o.metadata.name.includes("-from-"))
      .map((o) => o.metadata.name);
    expect(admissions.sort()).toEqual([
      "alertmanager-from-observability-grafana",
      "alertmanager-from-observability-loki",
      "loki-from-observability-grafana",
      "prometheus-from-observability-grafana",
      "prometheus-from-observability-otel-collector",
      "tempo-from-observability-grafana",
    ]);
  });

  test("given the peers' clients, the components add no admission of their own", async () => {
    const grafana = { kind: "workload", namespace: "observability", name: "grafana" } as const;
    const built = await alone(() => {
      const metrics = new MetricsStack("m", { clients: { querier: grafana } });
      const logs = new LogsStack("l", { clients: { querier: grafana } });
      const g = new GrafanaStack("g", {
        prometheus: metrics.prometheusQuery,
        alertmanager: metrics.alertmanager,
        loki: logs.loki,
      });
      return { flows: [metrics, logs, g].flatMap((c) => c.flows) };
    });
    expect(checks(built)).toEqual(PASSED);
    expect(
      built.objects.filter((o) => o.kind === "NetworkPolicy" && o.metadata.name.includes("-from-")),
    ).toEqual([]);
  });

  test("a peer made by hand into the stack's namespace gets a warning naming the clients entry its component needs", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const built = await alone(() => {
        const logs = new LogsStack("l", {});
        const g = new GrafanaStack("g", { loki: { url: logs.lokiUrl } });
        return { flows: [...logs.flows, ...g.flows] };
      });
      const grafanaToLoki: NamedConnection = ["observability/grafana", "observability/loki", 3100];
      expect(blockedConnections(built.objects, [], [grafanaToLoki])).toEqual([grafanaToLoki]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringContaining(
          "args.loki points into observability, whose pods admit only what their component's flows name: give that component's own peer",
        ),
      ]);
      expect(String(warn.mock.calls[0][0])).toContain("or its clients.querier");
    } finally {
      warn.mockRestore();
    }
  });
});

describe("the ServiceAccounts each component creates", () => {
  const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
  const amp = {
    profile: "eks",
    storage: {
      s3: {
        loki: { bucket: "acme-loki", region: "eu-west-1", roleArn: role("loki") },
        tempo: { bucket: "acme-tempo", region: "eu-west-1", roleArn: role("tempo") },
      },
    },
    exposure: {
      mode: "ingress",
      ingress: { host: "grafana.example.com", className: "nginx", annotations: {} },
    },
    metrics: {
      remoteWrite: {
        url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
        region: "eu-west-1",
        roleArn: role("prometheus"),
        queryRoleArn: role("grafana"),
      },
    },
    grafana: {
      database: { host: "db.example.com:5432", name: "g", user: "g", password: "p", sslMode: "require" },
    },
  };
  const monitors = { metrics: { prometheusOperatorMonitors: { enabled: true, namespaces: ["shop"] } } };

  test.each([
    ["kind's defaults", {}],
    ["the prod stack file's sections", prodSections()],
    ["Amazon Managed Prometheus", amp],
    ["the monitor scraper", monitors],
  ] as [string, Record<string, unknown>][])(
    "%s: each lists the ServiceAccounts it renders, by the names its static serviceAccounts gives first",
    async (_, sections) => {
      const before = [
        MetricsStack.serviceAccounts(sections),
        LogsStack.serviceAccounts(sections),
        TracingStack.serviceAccounts(sections),
        GrafanaStack.serviceAccounts(sections),
      ];
      const made: Readonly<Record<string, ServiceAccountName | undefined>>[] = [];
      const built = await alone(() => {
        const stacks = [
          new MetricsStack("m", sections),
          new LogsStack("l", sections),
          new TracingStack("t", sections),
          new GrafanaStack("g", sections),
        ];
        made.push(...stacks.map((stack) => Object.fromEntries(Object.entries(stack.serviceAccounts))));
        return { flows: stacks.flatMap((stack) => stack.flows) };
      }, sections);
      const listed = made.flatMap((accounts) => Object.values(accounts));
      expect(listed.map((a) => `${a?.namespace}/${a?.name}`).sort()).toEqual(
        built.objects
          .filter((o) => o.kind === "ServiceAccount")
          .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
          .sort(),
      );
      made.forEach((accounts, i) =>
        Object.entries(accounts).forEach(([key, account]) =>
          expect((before[i] as Record<string, ServiceAccountName>)[key]).toEqual(account),
        ),
      );
      expect(listed.filter((a) => a?.subject !== `system:serviceaccount:${a?.namespace}:${a?.name}`)).toEqual(
        [],
      );
    },
  );
});

describe("values the program makes beside the components, given as Outputs", () => {
  const AMP = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/api/v1/remote_write";
  const role = (name: string) => pulumi.output(`arn:aws:iam::123456789012:role/${name}`);
  const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f";
  const eks = {
    profile: "eks",
    storage: {
      s3: {
        loki: { bucket: pulumi.output("acme-loki"), region: "eu-west-1", roleArn: role("loki") },
        tempo: { bucket: pulumi.output("acme-tempo"), region: "eu-west-1", roleArn: role("tempo") },
      },
    },
    exposure: {
      mode: "ingress",
      ingress: {
        host: "grafana.example.com",
        className: "alb",
        annotations: {},
        certificateArn: pulumi.output(certificateArn),
        loadBalancerCidrs: ["10.1.0.0/20", "10.1.16.0/20"],
      },
    },
  } as const;
  const remoteWrite = {
    url: pulumi.output(AMP),
    region: "eu-west-1",
    roleArn: role("prometheus-amp"),
    queryRoleArn: role("grafana-amp"),
  };
  const database = {
    host: pulumi.output("grafana.c1a2b3.eu-west-1.rds.amazonaws.com:5432"),
    name: "grafana",
    user: "grafana",
    password: pulumi.secret("from-the-database-resource"),
    sslMode: "verify-full",
  } as const;

  test("ARNs, buckets, the workspace, the certificate and the database host land where their text would", async () => {
    const built = await alone(() => {
      const metrics = new MetricsStack("m", { ...eks, metrics: { remoteWrite } });
      const logs = new LogsStack("l", eks);
      const tracing = new TracingStack("t", eks);
      const grafana = new GrafanaStack("g", {
        ...eks,
        metrics: { remoteWrite },
        grafana: { replicas: 2, database: { ...database, port: 5432 } },
        prometheus: metrics.prometheusQuery,
      });
      return { flows: [metrics, logs, tracing, grafana].flatMap((c) => c.flows) };
    }, eks);
    expect(checks(built)).toEqual(PASSED);
    const roleOf = (account: string) =>
      objectNamed(built.objects, "ServiceAccount", account).metadata.annotations?.[
        "eks.amazonaws.com/role-arn"
      ];
    expect(["loki", "tempo", "prometheus", "grafana"].map(roleOf)).toEqual(
      ["loki", "tempo", "prometheus-amp", "grafana-amp"].map(
        (name) => `arn:aws:iam::123456789012:role/${name}`,
      ),
    );
    const loki = yaml.load(configMapData(built.objects, "loki-config")["loki.yaml"]) as Json;
    expect(loki.common.storage.s3.bucketnames).toBe("acme-loki");
    const tempo = yaml.load(configMapData(built.objects, "tempo-config")["tempo.yaml"]) as Json;
    expect(tempo.storage.trace.s3.bucket).toBe("acme-tempo");
    const prometheus = yaml.load(configMapData(built.objects, "prometheus-config")["prometheus.yml"]) as Json;
    expect(prometheus.remote_write.map((w: Json) => w.url)).toEqual([AMP]);
    const datasources = yaml.load(
      configMapData(built.objects, "grafana-provisioning")["datasources.yaml"],
    ) as Json;
    expect(datasources.datasources[0].url).toBe(AMP.replace(/\/api\/v1\/remote_write$/, ""));
    const grafana = objectNamed(built.objects, "Deployment", "grafana").spec.template.spec.containers[0];
    expect(grafana.env.find((e: Json) => e.name === "GF_DATABASE_HOST").value).toBe(
      "grafana.c1a2b3.eu-west-1.rds.amazonaws.com:5432",
    );
    const ingress = objectNamed(built.objects, "Ingress", "grafana");
    expect(ingress.metadata.annotations?.["alb.ingress.kubernetes.io/certificate-arn"]).toBe(certificateArn);
  });

  test("a Cognito user pool made beside the stack authenticates Prometheus' Ingress", async () => {
    const userPoolArn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf";
    const exposure = {
      ...eks.exposure,
      ingress: {
        ...eks.exposure.ingress,
        prometheus: { host: "prometheus.example.com" },
        auth: {
          type: "cognito",
          userPoolArn: pulumi.output(userPoolArn),
          userPoolClientId: pulumi.output("1example23456789"),
          userPoolDomain: pulumi.output("acme"),
        },
      },
    } as const;
    const built = await alone(() => new MetricsStack("m", { ...eks, exposure }), eks);
    const ingress = objectNamed(built.objects, "Ingress", "prometheus");
    expect(
      JSON.parse(ingress.metadata.annotations?.["alb.ingress.kubernetes.io/auth-idp-cognito"] ?? ""),
    ).toEqual({
      userPoolARN: userPoolArn,
      userPoolClientID: "1example23456789",
      userPoolDomain: "acme",
    });
  });

  test("a database host given as an Output needs its port, which Grafana's NetworkPolicy opens", async () => {
    const { error, registrations } = await refused(
      () => new GrafanaStack("g", { ...eks, grafana: { replicas: 2, database } }),
    );
    expect((error as ConfigError).problems).toEqual([
      "args.grafana.database.port is required when grafana.database.host is an Output: it is the port Grafana's NetworkPolicy opens to the database",
    ]);
    expect(registrations).toEqual([]);
  });
});

describe("args are checked as the stack config is", () => {
  test("every problem at once, each named by its arg path, and nothing registered", async () => {
    const { error, registrations } = await refused(
      () => new MetricsStack("m", { metrics: { retentionTime: "a week", replicas: 0 }, profile: "eks" }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'args.metrics.retentionTime must be a duration such as 30s, 5m, 24h or 7d (got "a week")',
      "args.metrics.replicas must be a whole number between 1 and 3 (got 0)",
      "args.exposure.ingress is required when exposure.mode is ingress (host, className, annotations)",
    ]);
    expect(registrations).toEqual([]);
  });
});

describe("files belong to the consumer", () => {
  const rule = (alert: string) =>
    yaml.dump({ groups: [{ name: alert, rules: [{ alert, expr: "vector(1) == 0", for: "5m" }] }] });
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
    fs.mkdirSync(path.join(root, "rules"));
    fs.writeFileSync(path.join(root, "rules", "orders.rules.yml"), rule("OrdersStuck"));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test("a rule file's path is read from the consumer's project root, and a program may pass a file's content", async () => {
    const built = await alone(
      () =>
        new MetricsStack("m", {
          metrics: {
            extraRuleFiles: [
              "rules/orders.rules.yml",
              { name: "refunds.rules.yml", content: rule("RefundsStuck") },
            ],
          },
        }),
      {},
      root,
    );
    const rules = configMapData(built.objects, "prometheus-rules");
    expect(yaml.load(rules["orders.rules.yml"])).toEqual(yaml.load(rule("OrdersStuck")));
    expect(yaml.load(rules["refunds.rules.yml"])).toEqual(yaml.load(rule("RefundsStuck")));
  });
});

test("StackNamespaces alone: the stack's two namespaces, each closed but for name resolution, and the app namespaces", async () => {
  const built = await alone(() => ({ flows: [] }), { apps: { namespaces: ["shop"] } });
  expect(built.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)).toEqual([
    "observability",
    "observability-node",
    "shop",
  ]);
  expect(
    built.objects
      .filter((o) => o.kind === "NetworkPolicy")
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
  ).toEqual([
    "observability/allow-dns-egress",
    "observability/default-deny",
    "observability-node/allow-dns-egress",
    "observability-node/default-deny",
  ]);
});
