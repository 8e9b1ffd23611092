import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { ROTATION_ANNOTATION } from "../../../components/grafana/grafanaWorkload";
import { TRACE_ID_REGEX } from "../../../components/logs/logPatterns";
import { RuleFile } from "../../../components/common/prometheusTypes";
import { USE_DASHBOARDS } from "../../../components/common/grafanaUids";
import { KubeObject, toManifest } from "../../../render/manifest";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { StackName } from "../../kit/stacks";
import { Server, freePort, startServer } from "../../kit/processes";
import { configMapData, objectNamed } from "../../kit/rendered";
import { dashboardExprs, dashboards } from "../../support/dashboards";
import { renderHub } from "../../support/hubProd";
import { tools } from "../../kit/tools";
import { Json } from "../../kit/json";

/** Grafana reads `$$` in provisioning files as a literal `$`. */
const datasources = (objects: readonly KubeObject[]): Json[] =>
  (
    yaml.load(
      configMapData(objects, "grafana-provisioning")["datasources.yaml"].replaceAll("$$", "$"),
    ) as Json
  ).datasources;

// The hub's TLS material only reaches its Thanos Query: PEM-shaped text will do for the dashboards.
const PEM_SHAPED_TLS = {
  ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  key: "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n",
};
const promExprs = (objects: readonly KubeObject[]): string[] => dashboardExprs(objects, "prometheus");

describe("dashboards", () => {
  test("seventeen dashboards with unique UIDs, each loading as JSON, refreshing every 30 s", async () => {
    const boards = dashboards((await rendered("kind")).objects);
    expect(boards.map((b) => b.title).sort()).toEqual(
      [
        "Landing",
        "Service Overview",
        "Service Detail",
        "SLOs",
        "JVM / Spring",
        "Node.js runtime",
        "Kubernetes / Cluster",
        "Kubernetes / Namespace",
        "Kubernetes / Workload",
        "Kubernetes / Pod",
        "Kubernetes / Node",
        "Kubernetes / Volumes",
        "Infrastructure (moved)",
        "Logs",
        "Tracing",
        "Alerts",
        "Stack health",
      ].sort(),
    );
    expect(new Set(boards.map((b) => b.uid)).size).toBe(boards.length);
    for (const board of boards.filter((b) => b.uid !== "obs-infrastructure")) {
      expect(board.refresh).toBe("30s");
      expect(board.panels.length).toBeGreaterThan(2);
    }
  });

  test("every link between dashboards leads to a provisioned one, with variables it declares", async () => {
    const boards = dashboards((await rendered("kind")).objects);
    const variables = new Map(
      boards.map((b) => [b.uid as string, b.templating.list.map((v: Json) => v.name)]),
    );
    const links = boards.flatMap((b) => [
      ...(b.links as Json[]).map((l) => ({ from: b.title as string, url: l.url as string })),
      ...(b.panels as Json[]).flatMap((p) =>
        [
          ...((p.fieldConfig.defaults.links as Json[] | undefined) ?? []).map((l) => l.url as string),
          ...[...((p.options.content as string | undefined) ?? "").matchAll(/\]\((\/d\/[^)]+)\)/g)].map(
            (m) => m[1],
          ),
        ].map((url) => ({ from: `${b.title as string} / ${p.title as string}`, url })),
      ),
    ]);
    const broken = links.flatMap(({ from, url }) => {
      const [, uid, query] = /^\/d\/([^?]+)(?:\?(.*))?$/.exec(url) ?? [];
      const declared = variables.get(uid);
      if (declared === undefined) return [`${from}: ${url} leads to no dashboard`];
      const passed = [...(query ?? "").matchAll(/var-([^=&]+)=/g)].map((m) => m[1]);
      return passed
        .filter((v) => !declared.includes(v))
        .map((v) => `${from}: ${url} sets ${v}, not a variable there`);
    });
    expect(links.filter((l) => l.url.includes("?")).length).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });

  test("the Kubernetes dashboards take the variables platform alerts link them with, at their UIDs", async () => {
    const boards = dashboards((await rendered("kind")).objects);
    const variablesOf = (uid: string) =>
      boards.find((b) => b.uid === uid)?.templating.list.map((v: Json) => v.name as string);
    const linked = Object.entries(USE_DASHBOARDS);
    expect(linked.map(([, d]) => d.uid).sort()).toEqual(
      boards
        .filter((b) => (b.uid as string).startsWith("obs-k8s-"))
        .map((b) => b.uid)
        .sort(),
    );
    expect(linked.map(([, d]) => [d.uid, variablesOf(d.uid)])).toEqual(
      linked.map(([, d]) => [d.uid, [...d.variables]]),
    );
    expect(linked).toHaveLength(6);
  });

  test.each<StackName>(["kind", "prod"])(
    "%s: every panel, target and variable uses a provisioned datasource UID",
    async (stack) => {
      const { objects } = await rendered(stack);
      const provisioned = new Set(datasources(objects).map((d) => d.uid));
      for (const board of dashboards(objects)) {
        for (const p of board.panels) {
          if (p.datasource !== undefined) expect(provisioned).toContain(p.datasource.uid);
          for (const t of p.targets) expect(provisioned).toContain(t.datasource.uid);
        }
        for (const v of board.templating.list) expect(provisioned).toContain(v.datasource.uid);
      }
    },
  );

  test("every recording rule a panel reads exists in the Metrics component's rules", async () => {
    const { objects } = await rendered("kind");
    const recorded = new Set(
      Object.values(configMapData(objects, "prometheus-rules"))
        .flatMap((text) => (yaml.load(text) as RuleFile).groups.flatMap((g) => g.rules))
        .flatMap((r) => ("record" in r ? [r.record] : [])),
    );
    const variables = dashboards(objects).flatMap((b) =>
      b.templating.list.map((v: Json) => v.query.query as string),
    );
    const used = [...promExprs(objects), ...variables].flatMap(
      (e) => e.match(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g) ?? [],
    );
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used)].filter((name) => !recorded.has(name))).toEqual([]);
  });

  test("dashboards are provisioned into the configured folder, UI edits on kind only", async () => {
    const provider = (objects: readonly KubeObject[]) =>
      (yaml.load(configMapData(objects, "grafana-provisioning")["dashboards.yaml"]) as Json).providers[0];
    expect(provider((await rendered("kind")).objects)).toMatchObject({
      folder: "Tiketi",
      allowUiUpdates: true,
      updateIntervalSeconds: 30,
    });
    expect(provider((await rendered("prod")).objects)).toMatchObject({
      folder: "Tiketi",
      allowUiUpdates: false,
    });
  });
});

describe("every PromQL expression of every dashboard parses in a real Prometheus", () => {
  let prometheus: Server | undefined;
  let dir: string;
  let base: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "promql-"));
    fs.writeFileSync(path.join(dir, "prometheus.yml"), yaml.dump({ global: { scrape_interval: "15s" } }));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = await startServer(
      tools.prometheus(),
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `${base}/-/ready`,
    );
  });
  afterAll(async () => {
    await prometheus?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each<StackName>(["kind", "prod"])("%s", async (stack) => {
    const { objects } = await rendered(stack);
    const exprs = [...new Set(promExprs(objects))];
    expect(exprs.length).toBeGreaterThan(40);
    // Grafana substitutes these before the query reaches Prometheus.
    const substituted = (expr: string) =>
      expr.replaceAll("$__rate_interval", "5m").replaceAll("$service", "ticket-service");
    const failures: string[] = [];
    for (const expr of exprs) {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(substituted(expr))}`);
      const body = (await response.json()) as Json;
      if (body.status !== "success")
        failures.push(`${expr}: ${body.errorType as string} ${body.error as string}`);
    }
    expect(failures).toEqual([]);
  });

  test("the hub: every selector of every Prometheus query and variable keeps the picked cluster, as Prometheus parses it", async () => {
    const { objects } = await renderHub(PEM_SHAPED_TLS);
    const boards = dashboards(objects);
    const variableSelectors = boards
      .flatMap((b) => b.templating.list as Json[])
      .filter((v) => v.name !== "cluster")
      .map(
        (v) => /^(?:label_values|query_result)\((.+?)(?:, [a-z_]+)?\)$/s.exec(v.query.query as string)?.[1],
      );
    const exprs = [...new Set([...promExprs(objects), ...variableSelectors])];
    expect(variableSelectors).not.toContain(undefined);
    const substituted = (expr: string) =>
      expr
        .replaceAll("$__rate_interval", "5m")
        .replaceAll("$__auto", "1m")
        .replaceAll("$service", "ticket-service");
    const unpicked: string[] = [];
    const selectors = (node: Json): Json[] =>
      node === null || typeof node !== "object"
        ? []
        : [
            ...(["vectorSelector", "matrixSelector"].includes(node.type as string) ? [node] : []),
            ...Object.values(node).flatMap((child) => selectors(child as Json)),
          ];
    for (const expr of exprs as string[]) {
      const response = await fetch(
        `${base}/api/v1/parse_query?query=${encodeURIComponent(substituted(expr))}`,
      );
      const body = (await response.json()) as Json;
      expect(`${expr}: ${body.status as string}`).toBe(`${expr}: success`);
      for (const selector of selectors(body.data as Json)) {
        const matchers = (selector.matchers as Json[]).map(
          (m) => `${m.name as string}${m.type as string}${m.value as string}`,
        );
        if (!matchers.includes("cluster=$cluster"))
          unpicked.push(`${expr}: ${JSON.stringify(selector.name)}`);
      }
    }
    expect(exprs.length).toBeGreaterThan(40);
    expect(unpicked).toEqual([]);
  });
});

describe("datasources", () => {
  test("fixed UIDs, wired both ways between metrics, logs and traces", async () => {
    const byUid = Object.fromEntries(datasources((await rendered("kind")).objects).map((d) => [d.uid, d]));
    expect(Object.keys(byUid)).toEqual(["prometheus", "loki", "tempo", "alertmanager"]);
    expect(byUid.prometheus).toMatchObject({
      isDefault: true,
      url: "http://prometheus.observability.svc:9090",
      jsonData: { exemplarTraceIdDestinations: [{ name: "trace_id", datasourceUid: "tempo" }] },
    });
    expect(byUid.loki.jsonData.derivedFields).toEqual([
      {
        name: "TraceID",
        matcherRegex: TRACE_ID_REGEX,
        url: "${__value.raw}",
        datasourceUid: "tempo",
        urlDisplayLabel: "View trace",
      },
    ]);
    expect(byUid.tempo.jsonData).toMatchObject({
      tracesToLogsV2: { datasourceUid: "loki", filterByTraceID: true },
      tracesToMetrics: { datasourceUid: "prometheus" },
      serviceMap: { datasourceUid: "prometheus" },
      nodeGraph: { enabled: true },
      lokiSearch: { datasourceUid: "loki" },
    });
    expect(byUid.tempo.jsonData.tracesToMetrics.queries[0].query).toContain("{$__tags}");
    expect(byUid.alertmanager).toMatchObject({
      type: "alertmanager",
      jsonData: { implementation: "prometheus" },
    });
    expect(byUid.loki.jsonData.httpHeaderName1).toBeUndefined();
  });

  test("template dollars are escaped for Grafana's provisioning, not expanded from its environment", async () => {
    const text = configMapData((await rendered("kind")).objects, "grafana-provisioning")["datasources.yaml"];
    expect(text).toContain("url: $${__value.raw}");
    expect(text).toContain("{$$__tags}");
    expect(text.replaceAll("$$", "")).not.toContain("$");
  });

  test("prod: Loki's tenant header names the tenant Alloy writes to", async () => {
    const { objects } = await rendered("prod");
    const lokiSource = datasources(objects).find((d) => d.uid === "loki");
    expect(lokiSource).toMatchObject({
      jsonData: { httpHeaderName1: "X-Scope-OrgID" },
      secureJsonData: { httpHeaderValue1: "platform" },
    });
    expect(configMapData(objects, "alloy-config")["config.alloy"]).toContain('tenant_id = "platform"');
  });

  test("extra Elasticsearch and Jaeger datasources from config", async () => {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    const grafana = {
      ...(JSON.parse(config["observability:grafana"]) as Json),
      extraDatasources: [
        {
          type: "elasticsearch",
          name: "ELK",
          url: "http://elasticsearch.logging.svc:9200",
          index: "logs-*",
          timeField: "@timestamp",
        },
        { type: "jaeger", name: "Jaeger", url: "http://jaeger-query.tracing.svc:16686" },
      ],
    };
    const { objects } = await renderWithConfig(
      "kind-extra",
      { ...config, "observability:grafana": JSON.stringify(grafana) },
      secretKeys,
    );
    const extra = datasources(objects).slice(4);
    expect(extra).toEqual([
      expect.objectContaining({
        uid: "extra-elasticsearch-elk",
        type: "elasticsearch",
        jsonData: { index: "logs-*", timeField: "@timestamp" },
      }),
      expect.objectContaining({
        uid: "extra-jaeger-jaeger",
        type: "jaeger",
        url: "http://jaeger-query.tracing.svc:16686",
      }),
    ]);
    const egress = objectNamed(objects, "NetworkPolicy", "grafana").spec.egress;
    expect(egress).toContainEqual({
      to: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
      ports: [9200, 16686].map((port) => ({ protocol: "TCP", port })),
    });
  });
});

describe("Grafana", () => {
  test("kind: the reference port and NodePort 30006, sign-up and anonymous access off, credentials only as files", async () => {
    const { objects } = await rendered("kind");
    const service = objectNamed(objects, "Service", "grafana");
    expect(service.spec).toMatchObject({ type: "NodePort", ports: [{ port: 3006, nodePort: 30006 }] });
    const container = objectNamed(objects, "StatefulSet", "grafana").spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
    expect(env).toMatchObject({
      GF_SERVER_HTTP_PORT: "3006",
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_SECURITY_COOKIE_SECURE: "false",
      GF_SECURITY_ADMIN_PASSWORD__FILE: "/etc/grafana/secrets/admin-password",
      GF_SECURITY_SECRET_KEY__FILE: "/etc/grafana/secrets/secret-key",
    });
    expect(Object.keys(env).filter((name) => /PASSWORD$|SECRET_KEY$/.test(name))).toEqual([]);
    // Readiness and the start follow the database (/api/health); liveness the web server alone.
    expect(
      [container.livenessProbe, container.readinessProbe, container.startupProbe].map(
        (p: Json) => p.httpGet.path,
      ),
    ).toEqual(["/healthz", "/api/health", "/api/health"]);
    expect(objects.some((o) => o.kind === "Ingress")).toBe(false);
  });

  test("prod: an Ingress from config, no NodePort, secure cookies", async () => {
    const { objects } = await rendered("prod");
    expect(objectNamed(objects, "Service", "grafana").spec.type).toBe("ClusterIP");
    const ingress = objectNamed(objects, "Ingress", "grafana");
    // The ALB terminates TLS with the ACM certificate; spec.tls would be ignored.
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec).toMatchObject({
      ingressClassName: "alb",
      rules: [
        {
          host: "grafana.tiketi.example.com",
          http: { paths: [{ backend: { service: { name: "grafana", port: { name: "http" } } } }] },
        },
      ],
    });
    const env = objectNamed(objects, "Deployment", "grafana").spec.template.spec.containers[0].env as Json[];
    expect(env).toContainEqual({ name: "GF_SECURITY_COOKIE_SECURE", value: "true" });
    expect(env).toContainEqual({ name: "GF_SERVER_ROOT_URL", value: "https://grafana.tiketi.example.com" });
  });

  test("prod: two replicas over PostgreSQL, without a volume, spread, with a budget and alerting gossip", async () => {
    const { objects } = await rendered("prod");
    const deployment = objectNamed(objects, "Deployment", "grafana");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(objects.filter((o) => o.kind === "StatefulSet" && o.metadata.name === "grafana")).toEqual([]);
    const pod = deployment.spec.template.spec;
    expect(pod.volumes.filter((v: Json) => v.persistentVolumeClaim !== undefined)).toEqual([]);
    const env = Object.fromEntries(
      (pod.containers[0].env as Json[]).map((e) => [e.name, e.value ?? e.valueFrom]),
    );
    expect(env).toMatchObject({
      GF_DATABASE_TYPE: "postgres",
      GF_DATABASE_HOST: "tiketi-prod-grafana.cluster-abcdefghijkl.ap-northeast-2.rds.amazonaws.com:5432",
      GF_DATABASE_NAME: "grafana",
      GF_DATABASE_USER: "grafana",
      GF_DATABASE_PASSWORD__FILE: "/etc/grafana/secrets/database-password",
      GF_DATABASE_SSL_MODE: "require",
      POD_IP: { fieldRef: { fieldPath: "status.podIP" } },
      GF_UNIFIED_ALERTING_HA_PEERS: "grafana-peers.observability.svc.cluster.local:9094",
      GF_UNIFIED_ALERTING_HA_ADVERTISE_ADDRESS: "$(POD_IP):9094",
    });
    expect(env).not.toHaveProperty("GF_DATABASE_PASSWORD");
    // POD_IP comes before the variable that refers to it, or Kubernetes would not expand it.
    const names = (pod.containers[0].env as Json[]).map((e) => e.name);
    expect(names.indexOf("POD_IP")).toBeLessThan(names.indexOf("GF_UNIFIED_ALERTING_HA_ADVERTISE_ADDRESS"));
    // The password stays a secret, in the credentials Secret the pod mounts.
    const secret = objectNamed(objects, "Secret", "grafana-credentials");
    expect(Object.keys(secret.stringData as Json).sort()).toEqual([
      "admin-password",
      "database-password",
      "secret-key",
    ]);
    const peers = objectNamed(objects, "Service", "grafana-peers");
    expect(peers.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
    expect(peers.spec.ports.map((p: Json) => `${p.protocol ?? "TCP"}/${p.port}`)).toEqual([
      "TCP/9094",
      "UDP/9094",
    ]);
    expect(objectNamed(objects, "PodDisruptionBudget", "grafana").spec.minAvailable).toBe(1);
    // With a shared database the init container resets the password on every start, fresh database or not.
    expect(pod.initContainers[0].args[0]).toBe(
      "grafana cli --homepath /usr/share/grafana admin reset-admin-password " +
        '--password-from-stdin < "/etc/grafana/secrets/admin-password"',
    );
  });

  test("an init container applies the mounted password to an existing database", async () => {
    const init = objectNamed((await rendered("kind")).objects, "StatefulSet", "grafana").spec.template.spec
      .initContainers[0];
    expect(init.args[0]).toBe(
      'if [ -f "/var/lib/grafana/grafana.db" ]; then grafana cli --homepath /usr/share/grafana admin reset-admin-password ' +
        '--password-from-stdin < "/etc/grafana/secrets/admin-password"; fi',
    );
    expect(init.volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/grafana" });
  });

  test("outputs: the URL, the admin user, and the password as a secret that never reaches the manifest", async () => {
    const { outputs, objects, registrations } = await rendered("kind");
    expect(outputs).toMatchObject({ grafanaUrl: "http://localhost:30006", grafanaAdminUser: "admin" });
    const passwords = registrations
      .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
      .map((r) => `mock-password-${r.name}`);
    expect(passwords).toHaveLength(2);
    expect(String(outputs.grafanaAdminPassword)).toMatch(/^mock-password-grafana-admin-password-/);
    const manifest = toManifest(objects);
    for (const prefix of passwords) expect(manifest).not.toContain(prefix);
  });
});

describe("rotation", () => {
  async function renderWithRotation(rotation: string): Promise<RenderedStack> {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const grafana = {
      ...(JSON.parse(config["observability:grafana"]) as Json),
      credentialsRotation: rotation,
    };
    return renderWithConfig(
      "prod",
      { ...config, "observability:grafana": JSON.stringify(grafana) },
      secretKeys,
    );
  }

  test("changing only the rotation key changes only the password, its Secret and Grafana's rotation annotation", async () => {
    const before = await rendered("prod");
    const after = await renderWithRotation("2");
    const key = (type: string, name: string) => `${type}::${name}`;
    const beforeByKey = new Map(before.registrations.map((r) => [key(r.type, r.name), r]));
    const changed = after.registrations.filter(
      (r) => !isDeepStrictEqual(r.inputs, beforeByKey.get(key(r.type, r.name))?.inputs),
    );
    expect(changed.map((r) => key(r.type, r.name)).sort()).toEqual([
      "kubernetes:apps/v1:Deployment::grafana-grafana",
      "kubernetes:core/v1:Secret::grafana-credentials",
      "random:index/randomPassword:RandomPassword::grafana-admin-password",
    ]);

    const secret = (r: RenderedStack) =>
      objectNamed(r.objects, "Secret", "grafana-credentials").stringData as Json;
    expect(secret(after)["admin-password"]).not.toBe(secret(before)["admin-password"]);
    expect(secret(after)["secret-key"]).toBe(secret(before)["secret-key"]);

    const template = (r: RenderedStack) =>
      structuredClone(objectNamed(r.objects, "Deployment", "grafana").spec.template);
    expect(template(after).metadata.annotations[ROTATION_ANNOTATION]).toBe("2");
    const withoutRotation = (r: RenderedStack) => {
      const t = template(r);
      delete t.metadata.annotations[ROTATION_ANNOTATION];
      return t;
    };
    expect(withoutRotation(after)).toEqual(withoutRotation(before));
  });
});
