import * as fs from "fs";
import { PATCH_FORCE } from "../../../components/common/fieldOwnership";
import * as yaml from "js-yaml";
import * as path from "path";
import { parseStackConfig } from "../../../config/load";
import { knownText } from "../../../config/fields";
import { jobNameProblems, metricsScrapeJobs } from "../../../components/metricsStack";
import { LogsStack } from "../../../components/logsStack";
import { prometheusFiles } from "../../../components/metrics/prometheusWorkload";
import { httpRecordingRules } from "../../../components/metrics/alertRules";
import { LATENCY_SOURCES, TRAFFIC_SOURCES, leLabel, leMatcher } from "../../../components/common/httpSources";
import { springMetricsEnv } from "../../../components/tracing/appTracingEnv";
import { sloRules } from "../../../components/metrics/sloRules";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { networkPolicyProblems } from "../../../checks/networkPolicyCoverage";
import { podSecurityProblems } from "../../../checks/podSecurity";
import { renderedMesh } from "../../support/meshStack";
import { renderedPods } from "../../../checks/podSpecs";
import { openApiProblems } from "../../../checks/kubernetesSchema";
import { rendered } from "../../support/renderedStacks";
import { strictDecodeProblems } from "../../../testing/strictDecode";
import { configMapData, objectNamed, prometheusYml } from "../../kit/rendered";
import { Json } from "../../kit/json";
import { ScrapeConfig } from "../../../components/common/prometheusTypes";

const container = (objects: readonly KubeObject[], kind: string, name: string, containerName = name): Json =>
  objectNamed(objects, kind, name).spec.template.spec.containers.find((c: Json) => c.name === containerName);

describe("Prometheus", () => {
  test("kind: reference resources, 7d retention, its own config reload, exemplars, remote-write receiver, NodePort 30090", async () => {
    const { objects } = await rendered("kind");
    const prometheus = container(objects, "StatefulSet", "prometheus");
    expect(prometheus.args).toEqual(
      expect.arrayContaining([
        "--storage.tsdb.retention.time=7d",
        "--storage.tsdb.retention.size=4GB",
        "--storage.tsdb.path=/prometheus",
        "--web.enable-remote-write-receiver",
        "--enable-feature=exemplar-storage,extra-scrape-metrics,auto-reload-config",
        "--config.auto-reload-interval=30s",
      ]),
    );
    expect(prometheus.resources).toEqual({
      requests: { cpu: "100m", memory: "192Mi", "ephemeral-storage": "32Mi" },
      limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "128Mi" },
    });
    expect(prometheus.livenessProbe.httpGet.path).toBe("/-/healthy");
    expect(prometheus.readinessProbe.httpGet.path).toBe("/-/ready");
    const statefulSet = objectNamed(objects, "StatefulSet", "prometheus");
    expect(statefulSet.spec.replicas).toBe(1);
    expect(statefulSet.spec.volumeClaimTemplates[0].spec).toMatchObject({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "standard",
      resources: { requests: { storage: "5Gi" } },
    });
    expect(prometheus.volumeMounts).toContainEqual({ name: "data", mountPath: "/prometheus" });
    const service = objectNamed(objects, "Service", "prometheus");
    expect(service.spec).toMatchObject({ type: "NodePort", ports: [{ port: 9090, nodePort: 30090 }] });
  });

  test("prod: two replicas on gp3, ClusterIP only", async () => {
    const { objects } = await rendered("prod");
    expect(objectNamed(objects, "StatefulSet", "prometheus").spec).toMatchObject({
      replicas: 2,
      volumeClaimTemplates: [{ spec: { storageClassName: "gp3" } }],
    });
    const service = objectNamed(objects, "Service", "prometheus");
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.ports[0].nodePort).toBeUndefined();
  });

  test("Prometheus reloads its config and rules itself: no reloader sidecar, no lifecycle API", async () => {
    const { objects } = await rendered("kind");
    const statefulSet = objectNamed(objects, "StatefulSet", "prometheus");
    expect(statefulSet.spec.template.spec.containers.map((c: Json) => c.name)).toEqual(["prometheus"]);
    const args: string[] = container(objects, "StatefulSet", "prometheus", "prometheus").args;
    expect(args).not.toContain("--web.enable-lifecycle");
    expect(JSON.parse(statefulSet.metadata.annotations?.["observability.io/reads-live"] ?? "{}")).toEqual({
      config: "Prometheus reloads it itself within 30s, no restart",
      rules: "Prometheus reloads it itself within 30s, no restart",
    });
    expect(statefulSet.spec.template.metadata.annotations).toBeUndefined();
  });

  test("discovery RBAC is read-only and has no secrets, configmaps or proxy", async () => {
    const { objects } = await rendered("kind");
    const role = objectNamed(objects, "ClusterRole", "observability-prometheus");
    const verbs = new Set(role.rules.flatMap((r: Json) => r.verbs));
    expect([...verbs].sort()).toEqual(["get", "list", "watch"]);
    const resources = role.rules.flatMap((r: Json) => r.resources);
    expect(resources).toEqual(
      expect.arrayContaining(["pods", "services", "endpointslices", "nodes/metrics"]),
    );
    for (const forbidden of ["secrets", "configmaps", "nodes/proxy"]) {
      expect(resources).not.toContain(forbidden);
    }
  });

  test("prometheus.yml: external labels, every configured service, every Alertmanager pod", async () => {
    const kind = prometheusYml((await rendered("kind")).objects);
    expect(kind.global.external_labels).toEqual({ cluster: "observability", env: "dev", region: "local" });
    const apps = kind.scrape_configs.find((j: Json) => j.job_name === "services-actuator-prometheus-10s");
    expect(apps).toMatchObject({ scrape_interval: "10s", metrics_path: "/actuator/prometheus" });
    for (const [name, port] of [
      ["auth-service", 3005],
      ["catalog-service", 3009],
    ] as const) {
      expect(apps.relabel_configs[0].regex).toContain(`tiketi-spring;${name};${port}`);
    }
    expect(kind.scrape_configs.map((j: Json) => j.job_name)).toEqual([
      "loki",
      "alloy",
      "loki-canary",
      "event-collector",
      "otel-collector",
      "tempo",
      "grafana",
      "prometheus",
      "alertmanager",
      "kube-state-metrics",
      "node-exporter",
      "kubelet",
      "cadvisor",
      "apiserver",
      "coredns",
      "services-actuator-prometheus-10s",
      "annotated-pods",
    ]);
    const prod = prometheusYml((await rendered("prod")).objects);
    expect(prod.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      "alertmanager-0.alertmanager-peers.observability.svc:9093",
      "alertmanager-1.alertmanager-peers.observability.svc:9093",
      "alertmanager-2.alertmanager-peers.observability.svc:9093",
    ]);
    expect(prod.global.external_labels).toEqual({
      cluster: "tiketi-prod",
      env: "prod",
      region: "ap-northeast-2",
      prometheus_replica: "${POD_NAME}",
    });
  });

  test("remote write to Amazon Managed Prometheus signs with SigV4 as the IRSA role", async () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const metrics = {
      remoteWrite: {
        url: "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
        region: "ap-northeast-2",
        roleArn: "arn:aws:iam::111111111111:role/amp-writer",
        queryRoleArn: "arn:aws:iam::111111111111:role/amp-reader",
      },
    };
    const { objects } = await renderWithConfig(
      "prod-amp",
      { ...config, "observability:metrics": JSON.stringify(metrics) },
      secretKeys,
    );
    expect(prometheusYml(objects).remote_write).toEqual([
      expect.objectContaining({ url: metrics.remoteWrite.url, sigv4: { region: "ap-northeast-2" } }),
    ]);
    expect(objectNamed(objects, "ServiceAccount", "prometheus").metadata.annotations).toEqual({
      [PATCH_FORCE]: "true",
      "eks.amazonaws.com/role-arn": metrics.remoteWrite.roleArn,
    });
    expect(prometheusYml((await rendered("prod")).objects).remote_write).toBeUndefined();
  });
});

describe("Alertmanager", () => {
  test("prod: three replicas gossiping through the headless peers Service", async () => {
    const { objects } = await rendered("prod");
    const statefulSet = objectNamed(objects, "StatefulSet", "alertmanager");
    expect(statefulSet.spec).toMatchObject({ replicas: 3, serviceName: "alertmanager-peers" });
    const args = container(objects, "StatefulSet", "alertmanager").args as string[];
    expect(args.filter((a) => a.startsWith("--cluster.peer="))).toEqual(
      [0, 1, 2].map((i) => `--cluster.peer=alertmanager-${i}.alertmanager-peers.observability.svc:9094`),
    );
    expect(objectNamed(objects, "Service", "alertmanager-peers").spec).toMatchObject({
      clusterIP: "None",
      publishNotReadyAddresses: true,
    });
  });

  test("kind: one replica, clustering off", async () => {
    const { objects } = await rendered("kind");
    expect(objectNamed(objects, "StatefulSet", "alertmanager").spec.replicas).toBe(1);
    expect(container(objects, "StatefulSet", "alertmanager").args).toContain("--cluster.listen-address=");
  });

  test("receiver credentials reach only the Secret, as files the config points at", async () => {
    const sentinel = "https://hooks.slack.com/services/T000/B000/sentinel-credential";
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const alerting = {
      slack: { webhookUrl: sentinel, channel: "#tiketi-alerts" },
      email: {
        to: ["oncall@example.com"],
        from: "alertmanager@example.com",
        smarthost: "smtp.example.com:587",
        username: "am",
        password: "sentinel-password",
      },
    };
    const { objects } = await renderWithConfig(
      "prod-receivers",
      { ...config, "observability:alerting": JSON.stringify(alerting) },
      [...secretKeys, "observability:alerting"],
    );
    const secret = objectNamed(objects, "Secret", "alertmanager-receivers");
    expect(secret.stringData).toEqual({
      "slack-webhook-url": sentinel,
      "email-password": "sentinel-password",
    });
    const everythingElse = JSON.stringify(objects.filter((o) => o.kind !== "Secret"));
    expect(everythingElse).not.toContain("sentinel");
    const am = yaml.load(configMapData(objects, "alertmanager-config")["alertmanager.yml"]) as Json;
    const critical = am.receivers.find((r: Json) => r.name === "critical");
    expect(critical.slack_configs[0]).toMatchObject({
      api_url_file: "/etc/alertmanager/secrets/slack-webhook-url",
      channel: "#tiketi-alerts",
    });
    expect(critical.email_configs[0]).toMatchObject({
      auth_password_file: "/etc/alertmanager/secrets/email-password",
      to: "oncall@example.com",
    });
    const warning = am.receivers.find((r: Json) => r.name === "warning");
    expect(warning.email_configs).toBeUndefined();
    expect(am.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"', 'service=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ["service"],
      },
      {
        source_matchers: ['alertname="NodeNotReady"'],
        target_matchers: ['node=~".+"', 'alertname!="NodeNotReady"'],
        equal: ["node"],
      },
      ...[
        ["SLOAvailabilityBurnFast", "SLOAvailabilityBurnSlow"],
        ["SLOLatencyBurnFast", "SLOLatencyBurnSlow"],
        ["SLOBurnFast", "SLOBurnSlow"],
      ].map(([page, ticket]) => ({
        source_matchers: [`alertname="${page}"`],
        target_matchers: [`alertname="${ticket}"`],
        equal: ["service", "slo"],
      })),
      {
        source_matchers: ['severity="critical"', 'pod=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ["namespace", "pod"],
      },
      {
        source_matchers: ['severity="critical"', 'persistentvolumeclaim=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ["namespace", "persistentvolumeclaim"],
      },
      {
        source_matchers: ['severity="critical"', 'mountpoint=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ["node", "mountpoint"],
      },
    ]);
    expect(am.route.group_by).toEqual(["alertname", "service"]);
  });
});

describe("exporters", () => {
  test("kube-state-metrics lists and watches only the kinds it exports", async () => {
    const { objects } = await rendered("kind");
    const role = objectNamed(objects, "ClusterRole", "observability-kube-state-metrics");
    for (const rule of role.rules) {
      expect(rule.verbs).toEqual(["list", "watch"]);
      expect(rule.resources).not.toContain("secrets");
      expect(rule.resources).not.toContain("configmaps");
    }
    const flag = (container(objects, "Deployment", "kube-state-metrics").args as string[]).find((a) =>
      a.startsWith("--resources="),
    );
    const exported = flag?.slice("--resources=".length).split(",").sort();
    expect(exported).toEqual(role.rules.flatMap((r: Json) => r.resources).sort());
  });

  test("node-exporter runs in the node namespace with its allowlisted host access, read-only", async () => {
    const { objects } = await rendered("kind");
    const daemonSet = objectNamed(objects, "DaemonSet", "node-exporter");
    expect(daemonSet.metadata.namespace).toBe("observability-node");
    const spec = daemonSet.spec.template.spec;
    expect(spec).toMatchObject({ hostNetwork: true, hostPID: true, tolerations: [{ operator: "Exists" }] });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(spec.volumes.filter((v: Json) => v.hostPath).map((v: Json) => v.hostPath.path)).toEqual([
      "/proc",
      "/sys",
      "/",
    ]);
  });
});

describe("scrape jobs", () => {
  const config = parseStackConfig(
    { apps: { namespaces: ["shop"], services: [{ name: "cart", port: 8080 }] } },
    new Set(),
  );
  const settings = { ...config, wiring: [] };

  test("another stack's jobs land in prometheus.yml beside the metrics jobs", () => {
    const jobs = [...LogsStack.scrapeJobs(config), ...metricsScrapeJobs(settings)];
    const prometheus = yaml.load(
      knownText(prometheusFiles(settings, jobs).config["prometheus.yml"], "prometheus.yml"),
    ) as Json;
    expect(prometheus.scrape_configs.map((j: Json) => j.job_name)).toContain("loki");
    expect(
      prometheus.scrape_configs.find((j: Json) => j.job_name === "services-metrics-15s").metrics_path,
    ).toBe("/metrics");
  });

  test("a job name listed twice is found", () => {
    expect(jobNameProblems(metricsScrapeJobs(settings), [])).toEqual([]);
    expect(jobNameProblems([...metricsScrapeJobs(settings), { job_name: "prometheus" }], [])).toEqual([
      "scrape job prometheus is listed twice among the stack's own jobs",
    ]);
  });

  test("services with their own interval or path get a job of their own", () => {
    const mixed = parseStackConfig(
      {
        apps: {
          namespaces: ["shop"],
          services: [
            { name: "cart", port: 8080 },
            { name: "go-api", port: 9000, metricsPath: "/metrics", scrapeInterval: "30s" },
          ],
        },
      },
      new Set(),
    );
    const names = metricsScrapeJobs(mixed).map((j) => j.job_name);
    expect(names).toEqual(expect.arrayContaining(["services-metrics-15s", "services-metrics-30s"]));
  });
});

describe("scrape limits", () => {
  test.each(["kind", "prod"] as const)(
    "%s: every job Prometheus runs has a sample and a label limit; the cluster-wide targets the larger one",
    async (stack) => {
      const jobs = prometheusYml((await rendered(stack)).objects).scrape_configs as ScrapeConfig[];
      expect(jobs.filter((j) => j.sample_limit === undefined || j.label_limit === undefined)).toEqual([]);
      const limitOf = (name: string) => jobs.find((j) => j.job_name === name)?.sample_limit;
      expect([limitOf("kube-state-metrics"), limitOf("apiserver")]).toEqual([200000, 200000]);
      expect([limitOf("prometheus"), limitOf("cadvisor"), limitOf("loki")]).toEqual([20000, 20000, 20000]);
      expect(new Set(jobs.map((j) => j.label_limit))).toEqual(new Set([64]));
    },
  );

  test("an app's own limits give it a job of its own, named by them; a team's job keeps its own; the rest take metrics.scrapeLimits", () => {
    const config = parseStackConfig(
      {
        apps: {
          namespaces: ["shop"],
          services: [
            { name: "cart", port: 8080 },
            { name: "search", port: 8081, sampleLimit: 50000 },
            { name: "ledger", port: 8082, sampleLimit: "50000", labelLimit: "80" },
          ],
        },
        metrics: {
          scrapeLimits: { sampleLimit: 10000, clusterWideSampleLimit: 300000, labelLimit: 40 },
          extraScrapeConfigs: [
            {
              job_name: "kafka",
              static_configs: [{ targets: ["kafka.kafka.svc:9308"] }],
              sample_limit: 90000,
            },
          ],
        },
      },
      new Set(),
    );
    const settings = { ...config, wiring: [] };
    const prometheus = yaml.load(
      knownText(
        prometheusFiles(settings, metricsScrapeJobs(settings)).config["prometheus.yml"],
        "prometheus.yml",
      ),
    ) as Json;
    const limits = Object.fromEntries(
      (prometheus.scrape_configs as Json[])
        .filter((j) => /^services-|^kafka$|^kube-state-metrics$/.test(j.job_name))
        .map((j) => [j.job_name, [j.sample_limit, j.label_limit, j.relabel_configs[0].regex ?? ""]]),
    );
    expect(limits).toEqual({
      "kube-state-metrics": [300000, 40, expect.any(String)],
      "services-metrics-15s": [10000, 40, "(shop;cart;8080)"],
      "services-metrics-15s-samples-50000": [50000, 40, "(shop;search;8081)"],
      "services-metrics-15s-samples-50000-labels-80": [50000, 80, "(shop;ledger;8082)"],
      kafka: [90000, 40, ""],
    });
  });
});

describe("SLO rules", () => {
  const config = parseStackConfig(
    {
      apps: {
        namespaces: ["shop"],
        services: [
          { name: "cart", port: 8080 },
          { name: "checkout", port: 8080, slo: { availability: 0.999, latencyThresholdSeconds: 1 } },
        ],
      },
    },
    new Set(),
  );
  const [sli] = sloRules(config.apps.services, config.metrics.slo, config.metrics.runbookBaseUrl);
  const exprs = sli.rules.map((r) => r.expr);

  test("per-service objectives override the default for that service only", () => {
    expect(exprs).toContain('0 * service:http_requests:rate5m{service!~"checkout"} + 0.995');
    expect(exprs).toContain('0 * service:http_requests:rate5m{service=~"checkout"} + 0.999');
  });

  test("the latency SLI reads span metrics of the service's own threshold where its histogram has no such bucket", () => {
    const slow = exprs.find((e) => e.includes("traces_spanmetrics")) ?? "";
    expect(slow).toContain('service_name=~"checkout"');
    expect(slow).toContain('le=~"1(\\\\.0)?", service_name=~"checkout"');
  });

  test("coverage: every scraped app service has each SLI with its source, or 0 and the reason", () => {
    const coverage = sli.rules.find((r) => "record" in r && r.record === "service:slo_sli:present");
    expect(coverage?.expr).toContain('0 * group by (service) (up{tier="app"})');
    expect(coverage?.expr).toContain(
      "group by (service, sli_source) (service:http_requests_slow:ratio_rate5m)",
    );
  });

  test("latency SLIs read the bucket of each service's threshold, as Prometheus 3 labels it", () => {
    expect(exprs.some((e) => e.includes('le="0.5", service!~"checkout"'))).toBe(true);
    expect(exprs.some((e) => e.includes('le="1.0", service=~"checkout"'))).toBe(true);
    expect([leLabel(0.25), leLabel(2), leLabel(10)]).toEqual(["0.25", "2.0", "10.0"]);
  });
});

describe("per-service HTTP signals", () => {
  const http = httpRecordingRules().rules;
  const expr = (record: string) => http.find((r) => "record" in r && r.record === record)?.expr ?? "";

  test("each signal takes, per service, the first source the service has, and names it", () => {
    const requests = expr("service:http_requests:rate5m");
    const alternatives = requests.split(" or on (service) ");
    expect(alternatives).toHaveLength(TRAFFIC_SOURCES.length);
    TRAFFIC_SOURCES.forEach((source, i) =>
      expect(alternatives[i]).toContain(`"sli_source", "${source.name}"`),
    );
    // No plain `or` between sources: one service's metric never hides another service's absence.
    expect(requests).not.toMatch(/\) or (?!on \(service\))/);
    expect(requests).toContain("rate(http_request_duration_seconds_count[5m])");
    expect(requests).toContain(
      'label_replace(rate(traces_spanmetrics_duration_seconds_count{span_kind="SPAN_KIND_SERVER"}[5m]), "service", "$1", "service_name", "(.*)")',
    );
  });

  test("a service with a source but no 5xx series has an error rate of 0 from that source", () => {
    expect(expr("service:http_errors:rate5m")).toContain(
      '(sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) or sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) or 0 * sum by (service) (rate(http_requests_total[5m])))',
    );
  });

  test("latency figures: quantiles from histograms, averages from any duration metric, Micrometer's max", () => {
    expect(expr("service:http_request_duration_seconds:p99_rate5m").split(" or on (service) ")).toHaveLength(
      LATENCY_SOURCES.length,
    );
    expect(expr("service:http_request_duration_seconds:avg_rate5m")).toContain(
      "sum by (service) (rate(http_server_requests_seconds_sum[5m])) / sum by (service) (rate(http_server_requests_seconds_count[5m]))",
    );
    expect(expr("service:http_request_duration_seconds:max")).toBe(
      'label_replace(max by (service) (http_server_requests_seconds_max), "sli_source", "micrometer", "", "")',
    );
  });

  test("span-metric buckets arrive by remote write unnormalised: 1 s is le=1 there, le=1.0 when scraped", () => {
    const spans = LATENCY_SOURCES.find((s) => s.name === "span_metrics")!;
    expect(leMatcher(spans, 1)).toBe('le=~"1(\\\\.0)?"');
    expect(leMatcher(spans, 0.5)).toBe('le="0.5"');
    expect(leMatcher(LATENCY_SOURCES[0], 1)).toBe('le="1.0"');
  });

  test("Spring apps get a histogram with a bucket at every configured latency threshold", () => {
    const config = parseStackConfig(
      {
        apps: {
          namespaces: ["shop"],
          services: [
            { name: "cart", port: 8080 },
            { name: "checkout", port: 8080, slo: { latencyThresholdSeconds: 1 } },
            { name: "search", port: 8080, slo: { latencyThresholdSeconds: 0.25 } },
          ],
        },
      },
      new Set(),
    );
    expect(springMetricsEnv({ ...config, slo: config.metrics.slo })).toEqual({
      MANAGEMENT_METRICS_DISTRIBUTION_PERCENTILESHISTOGRAM_HTTP_SERVER_REQUESTS: "true",
      MANAGEMENT_METRICS_DISTRIBUTION_SLO_HTTP_SERVER_REQUESTS: "250ms,500ms,1000ms",
    });
  });
});

test.each(["kind", "prod"] as const)(
  "%s: every alert has a runbook section at the anchor its runbook_url names, the mesh's too",
  async (stack) => {
    const runbooks = fs.readFileSync(path.join(PROJECT_ROOT, "docs/runbooks.md"), "utf8");
    const anchors = new Set([...runbooks.matchAll(/^## (\w+)$/gm)].map((m) => m[1].toLowerCase()));
    const rules = configMapData((await renderedMesh(stack)).objects, "prometheus-rules");
    const alerts = Object.values(rules)
      .flatMap((content) => (yaml.load(content) as Json).groups)
      .flatMap((g: Json) => g.rules)
      .filter((r: Json) => r.alert !== undefined);
    expect(alerts.length).toBeGreaterThan(20);
    expect(alerts.map((r: Json) => r.alert)).toContain("IstioConfigRejected");
    for (const rule of alerts) {
      expect(rule.annotations.runbook_url).toBe(
        `https://runbooks.example.com/observability#${rule.alert.toLowerCase()}`,
      );
      expect(anchors).toContain(rule.alert.toLowerCase());
      expect(rule.annotations.summary).not.toBe("");
      expect(rule.annotations.description).not.toBe("");
    }
  },
);

describe("datastore exporters", () => {
  const exporters = {
    exporters: {
      postgres: [
        {
          name: "tickets",
          dsn: "postgresql://app:sentinel-pg@tickets-db.tiketi-spring.svc:5432/tickets?sslmode=disable",
        },
      ],
      redis: [{ name: "queue", address: "queue-redis.tiketi-spring.svc:6379", password: "sentinel-redis" }],
    },
  };
  const render = async () => {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    return renderWithConfig(
      "kind-exporters",
      { ...config, "observability:metrics": JSON.stringify(exporters) },
      [...secretKeys, "observability:metrics"],
    );
  };

  test("one exporter per datastore, credentials only in its Secret and read through secretKeyRef", async () => {
    const { objects } = await render();
    const postgres = container(objects, "Deployment", "postgres-exporter-tickets", "exporter");
    expect(postgres.env).toEqual([
      {
        name: "DATA_SOURCE_NAME",
        valueFrom: { secretKeyRef: { name: "postgres-exporter-tickets", key: "dsn" } },
      },
      // Both exporters are Go programs with a 64Mi limit.
      { name: "GOMEMLIMIT", value: "51MiB" },
    ]);
    const redis = container(objects, "Deployment", "redis-exporter-queue", "exporter");
    expect(redis.env).toEqual([
      { name: "REDIS_ADDR", value: "redis://queue-redis.tiketi-spring.svc:6379" },
      {
        name: "REDIS_PASSWORD",
        valueFrom: { secretKeyRef: { name: "redis-exporter-queue", key: "password" } },
      },
      { name: "GOMEMLIMIT", value: "51MiB" },
    ]);
    expect(objectNamed(objects, "Secret", "postgres-exporter-tickets").stringData.dsn).toContain(
      "sentinel-pg",
    );
    expect(JSON.stringify(objects.filter((o) => o.kind !== "Secret"))).not.toMatch(/sentinel/);
    const egress = objectNamed(objects, "NetworkPolicy", "redis-exporter-queue").spec.egress;
    expect(egress).toEqual([
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 6379 }] },
    ]);
    const jobs = prometheusYml(objects).scrape_configs.map((j: Json) => j.job_name);
    expect(jobs).toEqual(expect.arrayContaining(["postgres-exporter-tickets", "redis-exporter-queue"]));
  });

  test("their objects pass the same schema, Pod Security and NetworkPolicy checks as the stacks", async () => {
    const { objects } = await render();
    const pods = renderedPods(objects).filter((p) => p.owner.includes("-exporter-"));
    expect(pods).toHaveLength(2);
    expect(pods.flatMap((pod) => podSecurityProblems(pod, { nodeNamespace: "observability-node" }))).toEqual(
      [],
    );
    expect(networkPolicyProblems(pods, objects)).toEqual([]);
    expect(objects.flatMap(openApiProblems)).toEqual([]);
    expect(strictDecodeProblems(objects)).toEqual([]);
  });
});
