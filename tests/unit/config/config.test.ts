import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, PROFILE_DEFAULTS } from "../../../config";
import { parsePulumiConfig, parseStackConfig } from "../../../config/load";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { sectionProblems } from "../../support/configProblems";

function stackFileConfig(stack: string) {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return parsePulumiConfig(config, secretKeys);
}

const prodBase = () => {
  const { config } = readStackFile("prod", PROJECT_ROOT);
  return Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith("observability:"))
      .map(([key, value]) => [
        key.slice("observability:".length),
        value.startsWith("{") || value.startsWith("[") ? JSON.parse(value) : value,
      ]),
  ) as Record<string, any>;
};
/** The keys the prod stack file encrypts, as parseStackConfig names them. */
const prodSecretKeys = () =>
  readStackFile("prod", PROJECT_ROOT).secretKeys.map((key) => key.slice("observability:".length));

describe("the committed stack files", () => {
  test("Pulumi.kind.yaml: the ticketing platform's eight services, 7d retention, sampling 1.0, seed NodePorts", () => {
    const config = stackFileConfig("kind");
    expect(config.profile).toBe("kind");
    expect(
      config.apps.services.map(
        (s) => `${s.namespace}/${s.name}:${s.port}${s.metricsPath}@${s.scrapeInterval}`,
      ),
    ).toEqual([
      "tiketi-spring/auth-service:3005/actuator/prometheus@10s",
      "tiketi-spring/gateway-service:3001/actuator/prometheus@10s",
      "tiketi-spring/ticket-service:3002/actuator/prometheus@10s",
      "tiketi-spring/payment-service:3003/actuator/prometheus@10s",
      "tiketi-spring/stats-service:3004/actuator/prometheus@10s",
      "tiketi-spring/queue-service:3007/actuator/prometheus@10s",
      "tiketi-spring/community-service:3008/actuator/prometheus@10s",
      "tiketi-spring/catalog-service:3009/actuator/prometheus@10s",
      // The demo the stack file turns on joins the apps after them.
      "observability-demo/demo-frontend:8080/actuator/prometheus@10s",
      "observability-demo/demo-checkout:8080/actuator/prometheus@10s",
      "observability-demo/demo-payments:8080/actuator/prometheus@10s",
    ]);
    expect(config.metrics.retentionTime).toBe("7d");
    expect(config.tracing.samplingProbability).toBe(1);
    expect(config.tracing.tailSampling.enabled).toBe(false);
    expect(config.exposure).toMatchObject({
      mode: "nodePort",
      nodePorts: { grafana: 30006, prometheus: 30090, zipkin: 30411 },
    });
    expect(config.storage.className).toBe("standard");
    expect(config.grafana.dashboardsFolder).toBe("Tiketi");
  });

  test("Pulumi.prod.yaml: EKS, gp3, S3 with IRSA, 10 % sampling with tail sampling, Grafana behind an Ingress", () => {
    const config = stackFileConfig("prod");
    expect(config.profile).toBe("eks");
    expect(config.storage.className).toBe("gp3");
    expect(config.storage.s3?.loki?.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(config.storage.s3?.tempo?.bucket).toBeDefined();
    expect(config.tracing).toMatchObject({
      samplingProbability: 0.1,
      tailSampling: { enabled: true, latencyThresholdMs: 1000 },
    });
    expect(config.exposure.mode).toBe("ingress");
    expect(config.exposure.ingress?.host).toBeDefined();
    expect(config.logs.maskIpAddresses).toBe(true);
    expect(config.metrics.alertmanagerReplicas).toBeGreaterThanOrEqual(3);
  });

  test("kind/cluster.yaml maps exactly the kind stack's NodePorts, on 127.0.0.1 only", () => {
    const cluster = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "kind/cluster.yaml"), "utf8")) as any;
    const mappings = cluster.nodes[0].extraPortMappings as any[];
    const nodePorts = Object.values(stackFileConfig("kind").exposure.nodePorts);
    expect(mappings.map((m) => m.containerPort).sort()).toEqual([...nodePorts].sort());
    for (const m of mappings) {
      expect(m).toMatchObject({ hostPort: m.containerPort, listenAddress: "127.0.0.1" });
    }
    expect(`kind-${cluster.name}`).toBe(stackFileConfig("kind").cluster.kubeContext);
  });

  test("kind/cluster.yaml gives pods the range the kind stack's NodePorts are closed to", () => {
    const cluster = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "kind/cluster.yaml"), "utf8")) as any;
    expect([cluster.networking.podSubnet]).toEqual(stackFileConfig("kind").exposure.podCidrs);
  });

  test("keys a stack file omits come from its profile's defaults", () => {
    const config = stackFileConfig("kind");
    expect(config.metrics.storageSize).toBe(PROFILE_DEFAULTS.kind.metrics.storageSize);
    expect(config.images).toEqual(PROFILE_DEFAULTS.kind.images);
    expect(config.resources.prometheus).toEqual({
      requests: { cpu: "100m", memory: "192Mi", ephemeralStorage: "32Mi" },
      limits: { cpu: "500m", memory: "512Mi", ephemeralStorage: "128Mi" },
    });
    expect(stackFileConfig("prod").metrics.replicas).toBe(PROFILE_DEFAULTS.eks.metrics.replicas);
  });

  test("an override replaces one leaf and keeps its siblings' defaults", () => {
    const config = parseStackConfig({ resources: { grafana: { limits: { memory: "1Gi" } } } }, new Set());
    expect(config.resources.grafana).toEqual({
      requests: { cpu: "50m", memory: "128Mi", ephemeralStorage: "128Mi" },
      limits: { cpu: "300m", memory: "1Gi", ephemeralStorage: "1Gi" },
    });
  });

  test("images may come from a private registry with a port, pinned by tag or digest", () => {
    const digest = "sha256:" + "0123456789abcdef".repeat(4);
    const config = parseStackConfig(
      {
        images: {
          grafana: "registry.internal:5000/mirror/grafana:12.1.1",
          loki: `registry.internal:5000/loki@${digest}`,
        },
      },
      new Set(),
    );
    expect(config.images.grafana).toBe("registry.internal:5000/mirror/grafana:12.1.1");
    expect(config.images.loki).toBe(`registry.internal:5000/loki@${digest}`);
  });

  test("the result is frozen all the way down", () => {
    const config = stackFileConfig("kind");
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apps.services[0])).toBe(true);
    expect(() => {
      (config.metrics as { replicas: number }).replicas = 9;
    }).toThrow(TypeError);
  });
});

describe("credentials", () => {
  test("in lists are found too: a plain-text DSN is rejected at its index", () => {
    const problems = sectionProblems({
      metrics: { exporters: { postgres: [{ name: "a", dsn: "postgresql://u:pw@db:5432/a" }], redis: [] } },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^observability:metrics\.exporters\.postgres\[0\]\.dsn holds a credential/),
    ]);
    expect(problems.join()).not.toContain("pw@db");
  });

  test("stay Pulumi secrets from config to program", async () => {
    const config = parseStackConfig(
      { alerting: { slack: { webhookUrl: "https://hooks.slack.test/T0/B0/x", channel: "#alerts" } } },
      new Set(["alerting"]),
    );
    const webhook = config.alerting.slack?.webhookUrl;
    expect(pulumi.Output.isInstance(webhook)).toBe(true);
    expect(await (webhook as any).isSecret).toBe(true);
  });

  test("set in plain text are rejected, without echoing the value", () => {
    const problems = sectionProblems({
      alerting: {
        email: {
          to: ["oncall@example.com"],
          from: "am@example.com",
          smarthost: "smtp.example.com:587",
          password: "hunter2",
        },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^observability:alerting\.email\.password holds a credential and must be set with `pulumi config set --secret/,
      ),
    ]);
    expect(problems.join()).not.toContain("hunter2");
  });
});

// Each bad config must be rejected with the full key path and what is allowed.
const badConfigs: [string, Record<string, unknown>, RegExp][] = [
  [
    "two Grafana replicas on SQLite",
    { grafana: { replicas: 2 } },
    /^observability:grafana\.database is required when grafana\.replicas is above 1 \(host, name, user, password, sslMode\)/,
  ],
  [
    "a Loki replication factor above its replicas",
    { logs: { replicationFactor: 2 } },
    /^observability:logs\.replicationFactor must be at most logs\.replicas \(1\): each line is written to that many distinct replicas, got 2/,
  ],
  [
    "replicated Loki without an object store",
    { logs: { replicas: 3, replicationFactor: 3 } },
    /^observability:logs\.replicas above 1 needs storage\.s3\.loki \(bucket, region, roleArn\): replicas cannot share chunks and index kept on a volume/,
  ],
  [
    "a Grafana database without a port",
    {
      grafana: { database: { host: "db.internal", name: "g", user: "g", password: "x", sslMode: "require" } },
    },
    /^observability:grafana\.database\.host must be host:port such as grafana-db\.example\.internal:5432 \(got "db\.internal"\)$/,
  ],
  [
    "a Grafana database with an unknown SSL mode",
    { grafana: { database: { host: "db:5432", name: "g", user: "g", password: "x", sslMode: "prefer" } } },
    /^observability:grafana\.database\.sslMode must be one of "disable", "require", "verify-ca", "verify-full" \(got "prefer"\)$/,
  ],
  [
    "sampling above 1",
    { tracing: { samplingProbability: 1.5 } },
    /^observability:tracing\.samplingProbability must be between 0 and 1 \(got 1\.5\)$/,
  ],
  [
    "a collector queue volume too small for its stated outage",
    { tracing: { queue: { outageMinutes: 60 } } },
    /^observability:tracing\.queue\.storageSize must hold 60 minutes at 100 spans\/s: at least 879Mi \(2048 bytes per queued span, plus a quarter for the queue file's growth\) \(got "256Mi"\)$/,
  ],
  [
    "a collector queue sized for no outage",
    { tracing: { queue: { outageMinutes: 0 } } },
    /^observability:tracing\.queue\.outageMinutes must be a whole number above 0 \(got 0\)$/,
  ],
  [
    "sampling as text",
    { tracing: { samplingProbability: "all" } },
    /^observability:tracing\.samplingProbability must be a number between 0 and 1 \(got "all"\)$/,
  ],
  [
    "an unknown profile",
    { profile: "minikube" },
    /^observability:profile must be one of "kind", "eks" \(got "minikube"\)$/,
  ],
  [
    "a misspelt top-level key",
    { metrcs: { replicas: 1 } },
    /^observability:metrcs is not a known key \(did you mean metrics\?\); allowed: profile, cluster, /,
  ],
  [
    "a misspelt nested key",
    { tracing: { tailSampling: { enable: true } } },
    /^observability:tracing\.tailSampling\.enable is not a known key \(did you mean enabled\?\); allowed: enabled, latencyThresholdMs$/,
  ],
  [
    "a bad retention duration",
    { metrics: { retentionTime: "7 days" } },
    /^observability:metrics\.retentionTime must be a duration such as 30s, 5m, 24h or 7d \(got "7 days"\)$/,
  ],
  [
    "a bad storage quantity",
    { metrics: { storageSize: "10GB" } },
    /^observability:metrics\.storageSize must be a Kubernetes quantity such as 100m, 256Mi or 10Gi \(got "10GB"\)$/,
  ],
  [
    "zero replicas",
    { metrics: { replicas: 0 } },
    /^observability:metrics\.replicas must be a whole number between 1 and 3 \(got 0\)$/,
  ],
  [
    "a service port out of range",
    { apps: { namespaces: ["shop"], services: [{ name: "cart", port: 70000 }] } },
    /^observability:apps\.services\[0\]\.port must be a port number between 1 and 65535 \(got 70000\)$/,
  ],
  [
    "a service name that is not a DNS label",
    { apps: { namespaces: ["shop"], services: [{ name: "Cart_Service", port: 80 }] } },
    /^observability:apps\.services\[0\]\.name must be a DNS-1123 label/,
  ],
  [
    "a service in an unlisted namespace",
    { apps: { namespaces: ["shop"], services: [{ name: "cart", port: 80, namespace: "other" }] } },
    /^observability:apps\.services\[0\]\.namespace must be one of apps\.namespaces: shop \(got "other"\)$/,
  ],
  [
    "a duplicate service",
    {
      apps: {
        namespaces: ["shop"],
        services: [
          { name: "cart", port: 80 },
          { name: "cart", port: 81 },
        ],
      },
    },
    /^observability:apps\.services\[1\] must be unique: shop\/cart appears more than once/,
  ],
  [
    "a metrics path without a slash",
    { apps: { defaults: { metricsPath: "metrics", scrapeInterval: "10s" } } },
    /^observability:apps\.defaults\.metricsPath must start with '\/' \(got "metrics"\)$/,
  ],
  [
    "a NodePort outside the range",
    { exposure: { nodePorts: { grafana: 3006 } } },
    /^observability:exposure\.nodePorts\.grafana must be a NodePort between 30000 and 32767 \(got 3006\)$/,
  ],
  [
    "two NodePorts alike",
    { exposure: { nodePorts: { zipkin: 30090 } } },
    /^observability:exposure\.nodePorts\.zipkin must be unique: 30090 appears more than once/,
  ],
  [
    "ingress mode without an ingress",
    { exposure: { mode: "ingress" } },
    /^observability:exposure\.ingress is required when exposure\.mode is ingress/,
  ],
  [
    "an unknown exposure mode",
    { exposure: { mode: "loadBalancer" } },
    /^observability:exposure\.mode must be one of "nodePort", "ingress" \(got "loadBalancer"\)$/,
  ],
  [
    "an unpinned image",
    { images: { grafana: "grafana/grafana" } },
    /^observability:images\.grafana must be pinned with an explicit tag or digest \(got "grafana\/grafana"\)$/,
  ],
  [
    "the latest tag",
    { images: { loki: "grafana/loki:latest" } },
    /^observability:images\.loki must not use the floating tag 'latest'/,
  ],
  [
    "an image for an unknown component",
    { images: { zipkin: "openzipkin/zipkin:3" } },
    /^observability:images\.zipkin is not a known key; allowed: prometheus, alertmanager, /,
  ],
  [
    "an invalid log collection mode",
    { logs: { collectionMode: "sidecar" } },
    /^observability:logs\.collectionMode must be one of "node", "api" \(got "sidecar"\)$/,
  ],
  [
    "an invalid drop pattern",
    { logs: { dropPatterns: ["(unclosed"] } },
    /^observability:logs\.dropPatterns\[0\] must be a regular expression in RE2 syntax, as Alloy compiles it/,
  ],
  [
    "a latency objective that is no span-metric bucket",
    { metrics: { slo: { latencyThresholdSeconds: 0.3 } } },
    /^observability:metrics\.slo\.latencyThresholdSeconds must be one of tracing\.latencyBucketsSeconds \(0\.005, 0\.01, 0\.025, 0\.05, 0\.1, 0\.25, 0\.5, 1, 2\.5, 5, 10\), the span-metric buckets the latency SLI falls back to \(got 0\.3\)$/,
  ],
  [
    "a service's latency objective that is no bucket of the configured span metrics",
    {
      tracing: { latencyBucketsSeconds: [0.1, 0.5, 1] },
      apps: {
        namespaces: ["shop"],
        services: [{ name: "cart", port: 8080, slo: { latencyThresholdSeconds: 2 } }],
      },
    },
    /^observability:apps\.services\[0\]\.slo\.latencyThresholdSeconds must be one of tracing\.latencyBucketsSeconds \(0\.1, 0\.5, 1\), the span-metric buckets the latency SLI falls back to \(got 2\)$/,
  ],
  [
    "span-metric buckets out of order",
    { tracing: { latencyBucketsSeconds: [0.5, 0.1] } },
    /^observability:tracing\.latencyBucketsSeconds must be in increasing order/,
  ],
  [
    "a non-positive latency threshold",
    { tracing: { tailSampling: { latencyThresholdMs: 0 } } },
    /^observability:tracing\.tailSampling\.latencyThresholdMs must be a whole number of milliseconds above 0 \(got 0\)$/,
  ],
  [
    "S3 storage on kind",
    {
      storage: {
        s3: {
          loki: { bucket: "b-loki", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/l" },
          tempo: { bucket: "b-tempo", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/t" },
        },
      },
    },
    /^observability:storage\.s3 is only supported on profile eks/,
  ],
  [
    "the same namespace twice",
    { namespaces: { observability: "obs", node: "obs" } },
    /^observability:namespaces\.node must differ from namespaces\.observability \(got "obs"\)$/,
  ],
  [
    "a missing required key",
    { exposure: { mode: "ingress", ingress: { host: "grafana.example.com", annotations: {} } } },
    /^observability:exposure\.ingress\.className is required$/,
  ],
  [
    "a bad e-mail receiver",
    {
      alerting: { email: { to: ["not-an-address"], from: "am@example.com", smarthost: "smtp.example.com" } },
    },
    /^observability:alerting\.email\.to\[0\] must be an e-mail address \(got "not-an-address"\)$/,
  ],
];

describe("a bad config is rejected naming the key", () => {
  test.each(badConfigs)("%s", (_, raw, expected) => {
    const problems = sectionProblems(raw);
    expect(problems).toContainEqual(expect.stringMatching(expected));
  });

  test("prod: without S3 and with NodePorts", () => {
    const raw = prodBase();
    delete raw.storage.s3;
    raw.exposure.mode = "nodePort";
    expect(sectionProblems(raw, prodSecretKeys())).toEqual([
      expect.stringMatching(/^observability:storage\.endpointCidrs applies only with storage\.s3/),
      expect.stringMatching(/^observability:logs\.replicas above 1 needs storage\.s3\.loki/),
      expect.stringMatching(/^observability:storage\.s3\.loki is required on profile eks/),
      expect.stringMatching(/^observability:storage\.s3\.tempo is required on profile eks/),
      expect.stringMatching(/^observability:exposure\.mode must be ingress on profile eks/),
    ]);
  });

  test("prod: an IAM role that is not an ARN, remote write without https", () => {
    const raw = prodBase();
    raw.storage.s3.tempo.roleArn = "tempo-role";
    raw.metrics = {
      remoteWrite: {
        url: "http://aps.example.com/write",
        region: "ap-northeast-2",
        roleArn: "arn:aws:iam::111111111111:role/amp",
        queryRoleArn: "arn:aws:iam::111111111111:role/amp-query",
      },
    };
    expect(sectionProblems(raw, prodSecretKeys())).toEqual([
      expect.stringMatching(/^observability:metrics\.remoteWrite\.url must be an https:\/\/ URL/),
      expect.stringMatching(/^observability:storage\.s3\.tempo\.roleArn must be an IAM role ARN/),
    ]);
  });

  test("every problem is reported at once, in one error", () => {
    let error: unknown;
    try {
      parseStackConfig(
        {
          tracing: { samplingProbability: 2 },
          metrcs: {},
          images: { tempo: "tempo" },
          exposure: { nodePorts: { grafana: 1 } },
        },
        new Set(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(4);
    expect((error as ConfigError).message).toMatch(
      /^Invalid stack config \(4 problems\); nothing was deployed:\n  - /,
    );
  });

  test(`there are at least 15 distinct bad configs`, () => {
    expect(new Set(badConfigs.map(([name]) => name)).size).toBeGreaterThanOrEqual(15);
  });
});

describe("values as the Pulumi CLI stores them", () => {
  // `pulumi config set --path` infers only integers and booleans; a decimal stays text in the
  // stack file (`samplingProbability: "0.25"`), and `pulumi config set` of a top-level key
  // stores text too. Pulumi hands the program what the file holds, structured values as JSON.
  test("decimals and numbers written as text are read as numbers", () => {
    const config = parsePulumiConfig(
      {
        "observability:profile": "kind",
        "observability:tracing": JSON.stringify({
          samplingProbability: "0.25",
          tailSampling: { latencyThresholdMs: "750" },
        }),
        "observability:metrics": JSON.stringify({
          replicas: "1",
          slo: { availability: "0.999", latencyThresholdSeconds: "0.25" },
          alerts: { errorRatePercent: "2.5" },
        }),
        "observability:logs": JSON.stringify({ ingestionRateMb: "6.5" }),
      },
      [],
    );
    expect(config.tracing.samplingProbability).toBe(0.25);
    expect(config.tracing.tailSampling.latencyThresholdMs).toBe(750);
    expect(config.metrics.replicas).toBe(1);
    expect(config.metrics.slo.availability).toBe(0.999);
    expect(config.metrics.slo.latencyThresholdSeconds).toBe(0.25);
    expect(config.metrics.alerts.errorRatePercent).toBe(2.5);
    expect(config.logs.ingestionRateMb).toBe(6.5);
  });

  test("text that is not a number is still refused, naming the key and the value", () => {
    expect(sectionProblems({ profile: "kind", tracing: { samplingProbability: "half" } })).toEqual([
      'observability:tracing.samplingProbability must be a number between 0 and 1 (got "half")',
    ]);
    expect(sectionProblems({ profile: "kind", tracing: { samplingProbability: "1.5" } })).toEqual([
      'observability:tracing.samplingProbability must be between 0 and 1 (got "1.5")',
    ]);
  });
});
