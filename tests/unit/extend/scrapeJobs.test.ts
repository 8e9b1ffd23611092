// Teams' scrape jobs and widened annotation discovery, rendered from
// tests/unit/extend/Pulumi.extended.yaml (kind) and from Pulumi.prod.yaml with the same metrics block,
// then checked by the real promtool.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { PROMETHEUS_PATHS, SERVICE_ACCOUNT_TOKEN } from "../../../components/metrics/names";
import { READS_LIVE_ANNOTATION } from "../../../components/common/readsLive";
import { VOLUMES_HOLD_ANNOTATION } from "../../../components/common/statefulSet";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, RenderedStack, renderStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { configMapData, objectNamed, prometheusYml } from "../../kit/rendered";
import { tools } from "../../kit/tools";
import { EXTEND_DIR, EXTENDED_STACK, extendedMetricsBlock } from "../../support/extendedStack";
import { Json } from "../../kit/json";

const run = promisify(execFile);

/** Pulumi.prod.yaml with the scrape stack's metrics block: the same team jobs on the eks profile. */
function renderProdWithScrapeJobs(): Promise<RenderedStack> {
  const prod = readStackFile("prod", PROJECT_ROOT);
  // The extended stack's metrics keys over prod's, which keep its metrics bucket.
  const metrics = JSON.stringify({
    ...(JSON.parse(prod.config["observability:metrics"]) as object),
    ...(JSON.parse(extendedMetricsBlock()) as object),
  });
  return renderWithConfig("prod-scrape", { ...prod.config, "observability:metrics": metrics }, [
    ...prod.secretKeys,
    "observability:metrics",
  ]);
}

const RENDERS: readonly [string, () => Promise<RenderedStack>, () => Promise<RenderedStack>][] = [
  ["kind", () => renderStack(EXTENDED_STACK, EXTEND_DIR), () => rendered("kind")],
  ["prod", renderProdWithScrapeJobs, () => rendered("prod")],
];

const job = (objects: readonly KubeObject[], name: string): Json =>
  prometheusYml(objects).scrape_configs.find((j: Json) => j.job_name === name);
const prometheusEgress = (objects: readonly KubeObject[]): Json[] =>
  objectNamed(objects, "NetworkPolicy", "prometheus").spec.egress;
const namespacePeer = (namespace: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
});

describe.each(RENDERS)("stack %s with extra scrape jobs", (stack, renderExtended, renderPlain) => {
  let objects: readonly KubeObject[];
  let plain: readonly KubeObject[];
  beforeAll(async () => {
    objects = (await renderExtended()).objects;
    plain = (await renderPlain()).objects;
  });

  test("the three team jobs follow the stack's own, as given, each labelled tier=app last", () => {
    const names = prometheusYml(objects).scrape_configs.map((j: Json) => j.job_name);
    expect(names.slice(-3)).toEqual(["kafka", "billing-legacy", "ledger-db-host"]);
    // Plus the monitor scraper's own job (tests/unit/extend/monitorScraper.test.ts), and the annotated
    // pods' where the plain stack scrapes none by annotation (prod: metrics.annotationDiscovery.ports []).
    const plainNames = prometheusYml(plain).scrape_configs.map((j: Json) => j.job_name);
    const annotatedAdded = plainNames.includes("annotated-pods") ? 0 : 1;
    expect(names).toContain("annotated-pods");
    expect(names.length).toBe(plainNames.length + 4 + annotatedAdded);
    expect(names).toContain("monitor-scraper");
    expect(job(objects, "kafka")).toEqual({
      job_name: "kafka",
      scrape_interval: "30s",
      kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["kafka"] } }],
      relabel_configs: [
        {
          source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port"],
          regex: "kafka-metrics;9404",
          action: "keep",
        },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { target_label: "tier", replacement: "app" },
      ],
      metric_relabel_configs: [
        { source_labels: ["__name__"], regex: "kafka_server_replicafetchermanager_.*", action: "drop" },
      ],
      // It sets no limits of its own: metrics.scrapeLimits'.
      sample_limit: 20000,
      label_limit: 64,
    });
    expect(job(objects, "billing-legacy")).toMatchObject({
      metrics_path: "/internal/metrics",
      params: { format: ["prometheus"] },
      static_configs: [{ targets: ["billing-exporter.billing.svc:9187"], labels: { team: "billing" } }],
      basic_auth: {
        username: "prometheus",
        password_file: "/etc/prometheus/secrets/billing-legacy.password",
      },
      relabel_configs: [{ target_label: "tier", replacement: "app" }],
    });
    expect(job(objects, "ledger-db-host")).toMatchObject({
      scheme: "https",
      scrape_timeout: "5s",
      honor_labels: true,
      authorization: { credentials_file: "/etc/prometheus/secrets/ledger-db-host.credentials" },
      tls_config: {
        ca_file: "/etc/prometheus/secrets/ledger-db-host.ca.crt",
        server_name: "ledger-db.internal.example.com",
      },
    });
  });

  test("credentials reach Prometheus only through the scrape-credentials Secret, mounted read-only", () => {
    const secret = objectNamed(objects, "Secret", "prometheus-scrape-credentials");
    expect(Object.keys(secret.stringData).sort()).toEqual([
      "billing-legacy.password",
      "ledger-db-host.ca.crt",
      "ledger-db-host.credentials",
    ]);
    expect(secret.stringData["ledger-db-host.ca.crt"]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const pod = objectNamed(objects, "StatefulSet", "prometheus").spec.template.spec;
    const prometheus = pod.containers.find((c: Json) => c.name === "prometheus");
    expect(prometheus.volumeMounts).toContainEqual({
      name: "scrape-credentials",
      mountPath: PROMETHEUS_PATHS.secretsDir,
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "scrape-credentials",
      secret: { secretName: "prometheus-scrape-credentials", defaultMode: 0o440 },
    });
    // Without credentials there is no Secret and no mount.
    expect(
      plain.some((o) => o.kind === "Secret" && o.metadata.name === "prometheus-scrape-credentials"),
    ).toBe(false);
  });

  test("Prometheus' egress opens exactly the team jobs' namespaces and ports, and the discovery namespace", () => {
    const before = prometheusEgress(plain).map((rule) => JSON.stringify(rule));
    const added = prometheusEgress(objects).filter((rule) => !before.includes(JSON.stringify(rule)));
    const appRule = prometheusEgress(objects).find((rule) => rule.ports === undefined);
    // The annotated pods of payments-batch join the app namespaces' every-port rule.
    expect(appRule?.to).toEqual([namespacePeer("tiketi-spring"), namespacePeer("payments-batch")]);
    expect(added).toEqual(
      expect.arrayContaining([
        { ports: [{ protocol: "TCP", port: 9404 }], to: [namespacePeer("kafka")] },
        { ports: [{ protocol: "TCP", port: 9187 }], to: [namespacePeer("billing")] },
      ]),
    );
    // The external host (any address) shares the rule of its port with node-exporter's nodes, no wider.
    const rule9100 = prometheusEgress(objects).find(
      (rule) => rule.ports?.length === 1 && rule.ports[0].port === 9100,
    );
    const nodes = stackConfig(stack === "prod" ? "prod" : "kind").cluster.nodeCidrs ?? [];
    expect(rule9100?.to).toEqual([
      ...nodes.map((cidr) => ({ ipBlock: { cidr } })),
      { ipBlock: { cidr: "0.0.0.0/0" } },
    ]);
    // The widened app rule, kafka, billing, and the 12345 rule that gains the monitor scraper; on a
    // stack that names its nodes' networks, the 9100 rule the external host widens to any address.
    expect(added).toHaveLength(nodes.length > 0 ? 5 : 4);
  });

  test("annotation discovery in payments-batch grants neither Alloy nor the tracing ConfigMap there", () => {
    const annotated = job(objects, "annotated-pods");
    expect(annotated.kubernetes_sd_configs).toEqual([
      { role: "pod", namespaces: { names: ["tiketi-spring", "payments-batch"] } },
    ]);
    expect(objects.filter((o) => o.metadata.namespace === "payments-batch")).toEqual([]);
    expect(objects.filter((o) => o.kind === "Namespace" && o.metadata.name === "payments-batch")).toEqual([]);
    expect(JSON.stringify(configMapData(objects, "alloy-config"))).not.toContain("payments-batch");
    const everyNetworkPolicy = objects.filter((o) => o.kind === "NetworkPolicy");
    const mentioning = everyNetworkPolicy
      .filter((o) => JSON.stringify(o).includes("payments-batch"))
      .map((o) => o.metadata.name);
    expect(mentioning).toEqual(["prometheus"]);
  });

  test("Prometheus' ClusterRole lets it list and watch what each discovery role reads", () => {
    const clusterRole = objects.find(
      (o) => o.kind === "ClusterRole" && o.metadata.labels?.["app.kubernetes.io/name"] === "prometheus",
    ) as Json;
    const grants = (group: string, resource: string) =>
      clusterRole.rules.some(
        (r: Json) =>
          r.apiGroups.includes(group) &&
          r.resources.includes(resource) &&
          ["list", "watch"].every((v) => r.verbs.includes(v)),
      );
    // Prometheus' Kubernetes SD: endpointslice also reads the pods and services behind each slice.
    const reads: Record<string, [string, string][]> = {
      pod: [["", "pods"]],
      service: [["", "services"]],
      endpointslice: [
        ["discovery.k8s.io", "endpointslices"],
        ["", "pods"],
        ["", "services"],
      ],
    };
    const roles = prometheusYml(objects)
      .scrape_configs.slice(-3)
      .flatMap((j: Json) => (j.kubernetes_sd_configs ?? []).map((sd: Json) => sd.role as string));
    expect(roles).toEqual(["endpointslice"]);
    for (const role of roles) {
      for (const [group, resource] of reads[role]) {
        expect(`${role}: ${resource} ${grants(group, resource)}`).toBe(`${role}: ${resource} true`);
      }
    }
  });

  test("promtool check config accepts prometheus.yml with the team jobs, their credential files present", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scrape-"));
    try {
      const secrets = path.join(dir, "secrets");
      fs.mkdirSync(secrets);
      fs.mkdirSync(path.join(dir, "rules"));
      const data = objectNamed(objects, "Secret", "prometheus-scrape-credentials").stringData as Record<
        string,
        string
      >;
      for (const [key, value] of Object.entries(data)) {
        fs.writeFileSync(path.join(secrets, key), value);
      }
      for (const [file, content] of Object.entries(configMapData(objects, "prometheus-rules"))) {
        fs.writeFileSync(path.join(dir, "rules", file), content);
      }
      fs.writeFileSync(path.join(dir, "token"), "test-token");
      const file = path.join(dir, "prometheus.yml");
      fs.writeFileSync(
        file,
        configMapData(objects, "prometheus-config")
          ["prometheus.yml"].replaceAll(PROMETHEUS_PATHS.secretsDir, secrets)
          .replaceAll(PROMETHEUS_PATHS.rulesDir, path.join(dir, "rules"))
          .replaceAll(SERVICE_ACCOUNT_TOKEN, path.join(dir, "token")),
      );
      const { stdout } = await run(tools.promtool(), ["check", "config", file]);
      expect(stdout).toContain("SUCCESS");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("credentials given as Pulumi secrets appear in the Secret and nowhere else", async () => {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const metrics = {
    extraScrapeConfigs: [
      {
        job_name: "billing-legacy",
        static_configs: [{ targets: ["billing-exporter.billing.svc:9187"] }],
        basic_auth: { username: "prometheus", password: "sentinel-scrape-password" },
      },
      {
        job_name: "ledger",
        static_configs: [{ targets: ["ledger.example.com:9100"] }],
        authorization: { type: "Bearer", credentials: "sentinel-scrape-token" },
      },
    ],
  };
  const { objects } = await renderWithConfig(
    "kind-scrape-secrets",
    { ...config, "observability:metrics": JSON.stringify(metrics) },
    [...secretKeys, "observability:metrics"],
  );
  expect(objectNamed(objects, "Secret", "prometheus-scrape-credentials").stringData).toEqual({
    "billing-legacy.password": "sentinel-scrape-password",
    "ledger.credentials": "sentinel-scrape-token",
  });
  expect(JSON.stringify(objects.filter((o) => o.kind !== "Secret"))).not.toContain("sentinel");
  expect(job(objects, "ledger").authorization).toEqual({
    type: "Bearer",
    credentials_file: "/etc/prometheus/secrets/ledger.credentials",
  });
});

describe("day two: adding team jobs edits Prometheus in place", () => {
  const renderKindWith = async (metrics: Json) => {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    return (
      await renderWithConfig(
        "kind-day-two",
        { ...config, "observability:metrics": JSON.stringify({ retentionTime: "7d", ...metrics }) },
        [...secretKeys, "observability:metrics"],
      )
    ).objects;
  };
  const statefulSet = (objects: readonly KubeObject[]) => objectNamed(objects, "StatefulSet", "prometheus");

  test("a job without credentials changes only prometheus.yml, which the reloader applies", async () => {
    const before = (await rendered("kind")).objects;
    const after = await renderKindWith({
      extraScrapeConfigs: [
        { job_name: "billing-legacy", static_configs: [{ targets: ["billing-exporter.billing.svc:9187"] }] },
      ],
      annotationDiscovery: { namespaces: ["payments-batch"] },
    });
    expect(statefulSet(after)).toEqual(statefulSet(before));
    expect(configMapData(after, "prometheus-config")).not.toEqual(configMapData(before, "prometheus-config"));
  });

  test("the first credential adds a Secret volume: a rolling restart, same volumes claimed, nothing replaced", async () => {
    const before = statefulSet((await rendered("kind")).objects);
    const after = statefulSet(
      await renderKindWith({
        extraScrapeConfigs: [
          {
            job_name: "billing-legacy",
            static_configs: [{ targets: ["billing-exporter.billing.svc:9187"] }],
            basic_auth: { username: "prometheus", password: "s3cret" },
          },
        ],
      }),
    );
    // Only the live-read list gains the credentials volume: the name, labels and the volumes held
    // stay, so the StatefulSet updates in place.
    const readsLive = (metadata: Json): Json => JSON.parse(metadata.annotations[READS_LIVE_ANNOTATION]);
    expect({ ...after.metadata, annotations: {} }).toEqual({ ...before.metadata, annotations: {} });
    expect(after.metadata.annotations?.[VOLUMES_HOLD_ANNOTATION]).toBe(
      before.metadata.annotations?.[VOLUMES_HOLD_ANNOTATION],
    );
    expect(Object.keys(readsLive(after.metadata))).toEqual([
      ...Object.keys(readsLive(before.metadata)),
      "scrape-credentials",
    ]);
    expect(after.spec.volumeClaimTemplates).toEqual(before.spec.volumeClaimTemplates);
    expect(after.spec.selector).toEqual(before.spec.selector);
    expect(after.spec.serviceName).toEqual(before.spec.serviceName);
    expect(after.spec.template.spec.volumes.map((v: Json) => v.name)).toEqual([
      ...before.spec.template.spec.volumes.map((v: Json) => v.name),
      "scrape-credentials",
    ]);
  });
});
