import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ALB_INGRESS_CLASS, ALB_MANAGED_ANNOTATIONS } from "./albAnnotations";
import { COMPONENTS, ComponentName, WORKLOADS, WorkloadName } from "./components";

/**
 * `pulumi config set --path` stores every value but integers and booleans as text (`0.25`), and
 * top-level values always: a numeric key takes a number or the text of one.
 */
function fromCliText<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess(
    (value) =>
      typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))
        ? Number(value)
        : value,
    schema,
  );
}

// Messages are phrased to follow the key path: "<key> must be ...". The formatter appends "(got …)".

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)",
  );

/** A Prometheus/Go duration: 10s, 5m, 1h30m, 7d. */
const duration = z
  .string()
  .regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, "must be a duration such as 30s, 5m, 24h or 7d");

/** A Kubernetes resource quantity: 100m, 0.5, 256Mi, 10Gi. */
const quantity = z
  .string()
  .regex(
    /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/,
    "must be a Kubernetes quantity such as 100m, 256Mi or 10Gi",
  );

/** Prometheus' --storage.tsdb.retention.size units. */
const byteSize = z.string().regex(/^[0-9]+(B|KB|MB|GB|TB|PB)$/, "must be a size such as 512MB or 8GB");

const port = fromCliText(
  z
    .number({ invalid_type_error: "must be a port number between 1 and 65535" })
    .int("must be a port number between 1 and 65535")
    .min(1, "must be a port number between 1 and 65535")
    .max(65535, "must be a port number between 1 and 65535"),
);

const nodePort = fromCliText(
  z
    .number({ invalid_type_error: "must be a NodePort between 30000 and 32767" })
    .int("must be a NodePort between 30000 and 32767")
    .min(30000, "must be a NodePort between 30000 and 32767")
    .max(32767, "must be a NodePort between 30000 and 32767"),
);

const replicas = (max: number) =>
  fromCliText(
    z
      .number({ invalid_type_error: `must be a whole number between 1 and ${max}` })
      .int(`must be a whole number between 1 and ${max}`)
      .min(1, `must be a whole number between 1 and ${max}`)
      .max(max, `must be a whole number between 1 and ${max}`),
  );

const probability = fromCliText(
  z
    .number({ invalid_type_error: "must be a number between 0 and 1" })
    .min(0, "must be between 0 and 1")
    .max(1, "must be between 0 and 1"),
);

const nonEmpty = z.string().min(1, "must not be empty");

const httpsUrl = z
  .string()
  .url("must be a URL")
  .refine((u) => u.startsWith("https://"), "must be an https:// URL");

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, "must be an AWS region such as eu-west-1");

const iamRoleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_\/-]+$/,
    "must be an IAM role ARN such as arn:aws:iam::123456789012:role/name",
  );

const s3Bucket = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 lowercase characters)");

/** Pinned: an explicit tag other than "latest", or a digest. */
const pinnedImage = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9._\/-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    "must be an image reference such as registry/name:tag",
  )
  .refine((ref) => /@sha256:/.test(ref) || /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(ref.split("/").pop() ?? ""), {
    message: "must be pinned with an explicit tag or digest",
  })
  .refine((ref) => !/:latest(@|$)/.test(ref), { message: "must not use the floating tag 'latest'" });

/** Secret values are wrapped as Pulumi secrets the moment they are read, so they stay secret end to end. */
const secretString = nonEmpty.transform((value) => pulumi.secret(value));

const hostPort = (example: string) =>
  z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, `must be host:port such as ${example}`);

const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

// Ephemeral storage: the container's logs and writable scratch directories (emptyDirs), which the
// kubelet counts against it; a container over its limit is evicted instead of filling the node.
const resourceList = strict({ cpu: quantity, memory: quantity, ephemeralStorage: quantity });
const resourceRequirements = strict({ requests: resourceList, limits: resourceList });

const byComponent = <T extends z.ZodTypeAny>(value: T) =>
  strict(Object.fromEntries(COMPONENTS.map((c) => [c, value])) as Record<ComponentName, T>);
const byWorkload = <T extends z.ZodTypeAny>(value: T) =>
  strict(Object.fromEntries(WORKLOADS.map((w) => [w, value])) as Record<WorkloadName, T>);

const percent = fromCliText(
  z
    .number({ invalid_type_error: "must be a percentage between 0 and 100" })
    .gt(0, "must be a percentage above 0 and at most 100")
    .max(100, "must be a percentage above 0 and at most 100"),
);

const positiveSeconds = fromCliText(
  z
    .number({ invalid_type_error: "must be a number of seconds above 0" })
    .positive("must be a number of seconds above 0"),
);

/** An objective such as 0.995: above 0.9 (looser is not an SLO) and below 1 (no error budget). */
const objective = fromCliText(
  z
    .number({ invalid_type_error: "must be a ratio such as 0.995" })
    .min(0.9, "must be between 0.9 and 0.9999")
    .max(0.9999, "must be between 0.9 and 0.9999"),
);

const sloOverride = strict({
  availability: objective.optional(),
  latencyThresholdSeconds: positiveSeconds.optional(),
});

const appService = strict({
  name: dnsLabel,
  /** @default the first of apps.namespaces */
  namespace: dnsLabel.optional(),
  port,
  /** @default apps.defaults.metricsPath */
  metricsPath: z.string().startsWith("/", "must start with '/'").optional(),
  /** @default apps.defaults.scrapeInterval */
  scrapeInterval: duration.optional(),
  /** @default metrics.slo */
  slo: sloOverride.optional(),
});

const apps = strict({
  namespaces: z.array(dnsLabel),
  /** Whether the stack creates the app namespaces (kind) or requires them to exist (eks). */
  createNamespaces: z.boolean(),
  defaults: strict({
    metricsPath: z.string().startsWith("/", "must start with '/'"),
    scrapeInterval: duration,
  }),
  services: z.array(appService),
}).superRefine((value, ctx) => {
  reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx);
  reportDuplicates(
    value.services.map((s, i) => [i, `${s.namespace ?? value.namespaces[0]}/${s.name}`] as const),
    ["services"],
    ctx,
  );
  if (value.namespaces.length === 0 && value.services.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["namespaces"],
      message: "must list at least one namespace when services are configured",
    });
  }
  value.services.forEach((service, i) => {
    if (
      value.namespaces.length > 0 &&
      service.namespace !== undefined &&
      !value.namespaces.includes(service.namespace)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["services", i, "namespace"],
        message: `must be one of apps.namespaces: ${value.namespaces.join(", ")}`,
      });
    }
  });
});

const s3Backend = strict({ bucket: s3Bucket, region: awsRegion, roleArn: iamRoleArn });

/** A database the stack runs a postgres-exporter for; the DSN carries credentials, so it is a secret. */
const postgresTarget = strict({
  name: dnsLabel,
  dsn: secretString,
  /** Where the database listens, for the exporter's egress NetworkPolicy. @default 5432 */
  port: port.default(5432),
});

/** A Redis the stack runs a redis-exporter for. */
const redisTarget = strict({
  name: dnsLabel,
  address: z.string().regex(/^[A-Za-z0-9.-]+:[0-9]+$/, "must be host:port such as redis.shop.svc:6379"),
  password: secretString.optional(),
});

const hostName = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/,
    "must be a DNS host name such as grafana.example.com",
  );

/** Who may open an Ingress: the ALB authenticates every request before it reaches the pods. */
const ingressAuth = z.discriminatedUnion("type", [
  strict({
    type: z.literal("oidc"),
    issuer: httpsUrl,
    authorizationEndpoint: httpsUrl,
    tokenEndpoint: httpsUrl,
    userInfoEndpoint: httpsUrl,
    clientId: nonEmpty,
    clientSecret: secretString,
  }),
  strict({
    type: z.literal("cognito"),
    userPoolArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool\/[A-Za-z0-9_-]+$/,
        "must be a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf",
      ),
    userPoolClientId: nonEmpty,
    /** The domain prefix, not the full URL. */
    userPoolDomain: dnsLabel,
  }),
]);

const ingress = strict({
  host: hostName,
  className: nonEmpty,
  /** Anything the program does not set itself; the ALB annotations it generates cannot be overridden. */
  annotations: z.record(z.string()),
  /** For controllers that terminate TLS with a Secret (nginx); the ALB ignores it. */
  tlsSecretName: dnsLabel.optional(),
  /** className alb: an ACM certificate the ALB terminates TLS with. */
  certificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+$/,
      "must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>",
    )
    .optional(),
  /** className alb: internal needs no public subnets and exposes nothing to the internet. */
  scheme: z.enum(["internal", "internet-facing"]).default("internal"),
  /** Prometheus and Alertmanager behind the same kind of Ingress; on eks only with `auth`. */
  prometheus: strict({ host: hostName }).optional(),
  alertmanager: strict({ host: hostName }).optional(),
  auth: ingressAuth.optional(),
});

/**
 * The whole `observability:` stack config. Every key is required here: the profile's defaults
 * (config/defaults.ts) fill what the stack file leaves out before this schema sees it.
 */
export const stackConfigSchema = strict({
  profile: z.enum(["kind", "eks"]),
  cluster: strict({
    name: nonEmpty,
    env: dnsLabel,
    region: nonEmpty,
    /** kubeconfig context the explicit provider uses; never the ambient current-context. */
    kubeContext: nonEmpty,
    /** Path to (or contents of) a kubeconfig; default: the usual kubeconfig lookup. */
    kubeconfig: nonEmpty.optional(),
  }),
  namespaces: strict({ observability: dnsLabel, node: dnsLabel }),
  apps,
  metrics: strict({
    retentionTime: duration,
    retentionSize: byteSize,
    storageSize: quantity,
    scrapeInterval: duration,
    evaluationInterval: duration,
    replicas: replicas(3),
    alertmanagerReplicas: replicas(5),
    remoteWrite: strict({
      /** The workspace's remote-write endpoint; Grafana queries the workspace URL it starts with. */
      url: httpsUrl.refine(
        // An http:// URL already has its own message.
        (u) =>
          !u.startsWith("https://") || /^https:\/\/[^/]+\/workspaces\/[^/]+\/api\/v1\/remote_write$/.test(u),
        "must be an Amazon Managed Prometheus remote-write endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write)",
      ),
      region: awsRegion,
      roleArn: iamRoleArn,
      /** Grafana's IRSA role for querying the workspace (aps:QueryMetrics, GetSeries, GetLabels, GetMetricMetadata). */
      queryRoleArn: iamRoleArn,
    }).optional(),
    /**
     * The one replica Grafana queries without remote write (all replicas scrape and alert alike).
     * The fail-over switch: set another ordinal and `pulumi up`.
     */
    queryReplica: fromCliText(
      z
        .number({ invalid_type_error: "must be a replica ordinal (0, 1, ...)" })
        .int("must be a replica ordinal (0, 1, ...)")
        .min(0, "must be a replica ordinal (0, 1, ...)"),
    ),
    /** Databases and caches to export metrics for, one exporter Deployment each. */
    exporters: strict({ postgres: z.array(postgresTarget), redis: z.array(redisTarget) }).superRefine(
      (value, ctx) => {
        reportDuplicates(
          [...value.postgres.entries()].map(([i, t]) => [i, t.name] as const),
          ["postgres"],
          ctx,
        );
        reportDuplicates(
          [...value.redis.entries()].map(([i, t]) => [i, t.name] as const),
          ["redis"],
          ctx,
        );
      },
    ),
    /** Every alert links to `<runbookBaseUrl>#<alertname in lowercase>` (see docs/runbooks.md). */
    runbookBaseUrl: httpsUrl,
    /** Alert thresholds; the alert rules read nothing else. */
    alerts: strict({
      errorRatePercent: percent,
      latencyP99Seconds: positiveSeconds,
      restartsPer15m: fromCliText(
        z
          .number({ invalid_type_error: "must be a whole number above 0" })
          .int("must be a whole number above 0")
          .positive("must be a whole number above 0"),
      ),
      memoryPercentOfLimit: percent,
      cpuPercentOfLimit: percent,
      diskPercent: percent,
      retryPercent: percent,
    }),
    /** Default objectives of every service; `apps.services[].slo` overrides per service. */
    slo: strict({
      availability: objective,
      latencyObjective: objective,
      latencyThresholdSeconds: positiveSeconds,
    }),
  }),
  logs: strict({
    retention: duration,
    storageSize: quantity,
    collectionMode: z.enum(["node", "api"]),
    maskIpAddresses: z.boolean(),
    dropPatterns: z.array(
      z.string().refine(isValidRegex, "must be a valid regular expression (RE2 syntax, as Alloy uses)"),
    ),
    /** Loki tenant for every log line; unset turns Loki's multi-tenancy off. */
    tenant: dnsLabel.optional(),
    /** Per-tenant ingestion rate and burst, in MB/s. */
    ingestionRateMb: fromCliText(
      z
        .number({ invalid_type_error: "must be a number of MB/s above 0" })
        .positive("must be a number of MB/s above 0"),
    ),
    ingestionBurstMb: fromCliText(
      z
        .number({ invalid_type_error: "must be a number of MB above 0" })
        .positive("must be a number of MB above 0"),
    ),
    alerts: strict({
      /** LogErrorBurst fires when a service logs more ERROR lines than this in five minutes. */
      errorLinesPer5m: fromCliText(
        z
          .number({ invalid_type_error: "must be a whole number above 0" })
          .int("must be a whole number above 0")
          .positive("must be a whole number above 0"),
      ),
      /** LogsStopped fires when a service that logged in the hour before has been silent this long. */
      silentFor: duration,
    }),
  }),
  tracing: strict({
    samplingProbability: probability,
    tailSampling: strict({
      enabled: z.boolean(),
      latencyThresholdMs: fromCliText(
        z
          .number({ invalid_type_error: "must be a whole number of milliseconds above 0" })
          .int("must be a whole number of milliseconds above 0")
          .positive("must be a whole number of milliseconds above 0"),
      ),
    }),
    /**
     * Bucket bounds of the span-metric and service-graph duration histograms, in seconds. Every
     * latency threshold of `metrics.slo` and `apps.services[].slo` must be one of them, so that the
     * span metrics can serve as the latency SLI of a service whose own histogram cannot.
     */
    latencyBucketsSeconds: z
      .array(positiveSeconds)
      .min(1, "must list at least one bucket bound")
      .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), "must be in increasing order"),
    /** Replicas of the collector the apps send to; above 1 the collector runs in two tiers. */
    collectorReplicas: replicas(10),
    /** Replicas of the trace-ID-routed aggregator tier, when there is one. */
    aggregatorReplicas: replicas(10),
    retention: duration,
    storageSize: quantity,
  }),
  grafana: strict({
    adminUser: nonEmpty,
    /** Change this value to replace the admin password. */
    credentialsRotation: z.union([z.string(), fromCliText(z.number())]).transform(String),
    storageSize: quantity,
    dashboardsFolder: nonEmpty,
    /** Above 1 needs `database`: replicas cannot share SQLite on a ReadWriteOnce volume. */
    replicas: replicas(5),
    /** A PostgreSQL database (e.g. Amazon RDS) for Grafana's state instead of SQLite on a volume. */
    database: strict({
      host: hostPort("grafana-db.example.internal:5432"),
      name: nonEmpty,
      user: nonEmpty,
      password: secretString,
      sslMode: z.enum(["disable", "require", "verify-ca", "verify-full"]),
    }).optional(),
    /** Datasources a team already runs (the reference architecture's ELK, Jaeger). */
    extraDatasources: z.array(
      z.discriminatedUnion("type", [
        strict({
          type: z.literal("elasticsearch"),
          name: nonEmpty,
          url: z.string().url("must be a URL"),
          index: nonEmpty,
          timeField: nonEmpty,
        }),
        strict({ type: z.literal("jaeger"), name: nonEmpty, url: z.string().url("must be a URL") }),
      ]),
    ),
  }),
  alerting: strict({
    slack: strict({
      webhookUrl: secretString,
      channel: z.string().regex(/^#?[a-z0-9_-]+$/, "must be a Slack channel such as #alerts"),
    }).optional(),
    email: strict({
      to: z.array(z.string().email("must be an e-mail address")).min(1, "must list at least one address"),
      from: z.string().email("must be an e-mail address"),
      smarthost: hostPort("smtp.example.com:587"),
      username: nonEmpty.optional(),
      password: secretString.optional(),
    }).optional(),
    webhook: strict({ url: secretString }).optional(),
    /** How long Alertmanager waits to batch the first notification of a new alert group. */
    groupWait: duration,
    /** A dead man's switch that expects the always-firing Watchdog alert. */
    watchdog: strict({ url: secretString }).optional(),
  }),
  exposure: strict({
    mode: z.enum(["nodePort", "ingress"]),
    nodePorts: strict({ grafana: nodePort, prometheus: nodePort, zipkin: nodePort, otlpHttp: nodePort }),
    ingress: ingress.optional(),
  }).superRefine((value, ctx) => {
    if (value.mode === "ingress" && value.ingress === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["ingress"],
        message: "is required when exposure.mode is ingress (host, className, annotations)",
      });
    }
    reportDuplicates(
      Object.entries(value.nodePorts).map(([key, port]) => [key, String(port)] as const),
      ["nodePorts"],
      ctx,
    );
    if (value.ingress !== undefined) {
      ingressProblems(value.ingress).forEach(([path, message]) =>
        ctx.addIssue({ code: "custom", path: ["ingress", ...path], message }),
      );
      // Each UI has its own host: one host cannot route to two backends.
      reportDuplicates(
        [
          ["host", value.ingress.host] as const,
          ...(["prometheus", "alertmanager"] as const).flatMap((ui) => {
            const host = value.ingress?.[ui]?.host;
            return host === undefined ? [] : [[ui, host] as const];
          }),
        ],
        ["ingress"],
        ctx,
      );
    }
  }),
  storage: strict({
    className: dnsLabel,
    /** Whether that StorageClass has `allowVolumeExpansion`: a `*.storageSize` increase needs it. */
    allowVolumeExpansion: z.boolean(),
    s3: strict({ loki: s3Backend, tempo: s3Backend }).optional(),
  }),
  images: byComponent(pinnedImage),
  resources: byWorkload(resourceRequirements),
})
  .superRefine((value, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (value.namespaces.observability === value.namespaces.node) {
      issue(["namespaces", "node"], "must differ from namespaces.observability");
    }
    for (const [i, ns] of value.apps.namespaces.entries()) {
      if (ns === value.namespaces.observability || ns === value.namespaces.node) {
        issue(["apps", "namespaces", i], "must not be one of the stack's own namespaces");
      }
    }
    const buckets = value.tracing.latencyBucketsSeconds;
    const notABucket = (seconds: number, path: (string | number)[]) => {
      if (!buckets.includes(seconds)) {
        issue(
          path,
          `must be one of tracing.latencyBucketsSeconds (${buckets.join(", ")}), the span-metric buckets the latency SLI falls back to`,
        );
      }
    };
    notABucket(value.metrics.slo.latencyThresholdSeconds, ["metrics", "slo", "latencyThresholdSeconds"]);
    value.apps.services.forEach((service, i) => {
      if (service.slo?.latencyThresholdSeconds !== undefined) {
        notABucket(service.slo.latencyThresholdSeconds, [
          "apps",
          "services",
          i,
          "slo",
          "latencyThresholdSeconds",
        ]);
      }
    });
    if (value.metrics.queryReplica >= value.metrics.replicas) {
      issue(
        ["metrics", "queryReplica"],
        `must be below metrics.replicas (${value.metrics.replicas}): it names the replica Grafana queries, prometheus-${value.metrics.queryReplica} does not exist`,
      );
    }
    if (value.grafana.replicas > 1 && value.grafana.database === undefined) {
      issue(
        ["grafana", "database"],
        "is required when grafana.replicas is above 1 (host, name, user, password, sslMode): replicas cannot share SQLite on one volume",
      );
    }
    if (value.profile === "eks") {
      if (value.storage.s3 === undefined) {
        issue(
          ["storage", "s3"],
          "is required on profile eks (bucket, region and roleArn for loki and tempo)",
        );
      }
      if (value.exposure.mode !== "ingress") {
        issue(
          ["exposure", "mode"],
          "must be ingress on profile eks: only Grafana is exposed, through an Ingress",
        );
      }
      const ingress = value.exposure.ingress;
      for (const ui of ["prometheus", "alertmanager"] as const) {
        if (ingress?.[ui] !== undefined && ingress.auth === undefined) {
          issue(
            ["exposure", "ingress", ui],
            "needs exposure.ingress.auth on profile eks (oidc or cognito): Prometheus and Alertmanager have no login of their own",
          );
        }
      }
    } else {
      if (value.storage.s3 !== undefined) {
        issue(
          ["storage", "s3"],
          "is only supported on profile eks (it needs IRSA); kind keeps data on volumes",
        );
      }
      if (value.metrics.remoteWrite !== undefined) {
        issue(["metrics", "remoteWrite"], "is only supported on profile eks (SigV4 signing needs IRSA)");
      }
    }
  })
  .transform(({ apps, ...rest }) => ({
    ...rest,
    apps: {
      namespaces: apps.namespaces,
      createNamespaces: apps.createNamespaces,
      services: apps.services.map((service) => ({
        name: service.name,
        namespace: service.namespace ?? apps.namespaces[0],
        port: service.port,
        metricsPath: service.metricsPath ?? apps.defaults.metricsPath,
        scrapeInterval: service.scrapeInterval ?? apps.defaults.scrapeInterval,
        slo: {
          availability: service.slo?.availability ?? rest.metrics.slo.availability,
          latencyObjective: rest.metrics.slo.latencyObjective,
          latencyThresholdSeconds:
            service.slo?.latencyThresholdSeconds ?? rest.metrics.slo.latencyThresholdSeconds,
        },
      })),
    },
  }));

/**
 * What an Ingress config cannot mean: the ALB ignores a TLS Secret and serves no HTTPS without an
 * ACM certificate; ALB authentication exists only on an ALB; the generated annotations are not
 * silently replaced by hand-written ones.
 */
function ingressProblems(value: z.output<typeof ingress>): [(string | number)[], string][] {
  const alb = value.className === ALB_INGRESS_CLASS;
  const problems: [(string | number)[], string][] = [];
  if (alb && value.tlsSecretName !== undefined) {
    problems.push([
      ["tlsSecretName"],
      "is ignored by the AWS Load Balancer Controller (className alb): remove it and set exposure.ingress.certificateArn to an ACM certificate",
    ]);
  }
  if (alb && value.certificateArn === undefined) {
    problems.push([
      ["certificateArn"],
      "is required with className alb: the ALB serves HTTPS only with an ACM certificate, and Grafana's cookies are secure-only",
    ]);
  }
  if (!alb && value.certificateArn !== undefined) {
    problems.push([
      ["certificateArn"],
      `applies only with className alb; for ${value.className} use tlsSecretName`,
    ]);
  }
  if (!alb && value.auth !== undefined) {
    // On the type, not the whole object: an error echoes its value, and the object holds the client secret.
    problems.push([
      ["auth", "type"],
      "needs className alb: the authentication is the ALB's (oidc or cognito)",
    ]);
  }
  if (alb) {
    for (const name of Object.keys(value.annotations)) {
      const key = ALB_MANAGED_ANNOTATIONS[name];
      if (key !== undefined) {
        problems.push([
          ["annotations", name],
          `is set by the program from ${key}; remove it from annotations`,
        ]);
      }
    }
  }
  return problems;
}

/** Flags every entry whose value an earlier entry already has; entries are [key or index, value]. */
function reportDuplicates(
  entries: readonly (readonly [string | number, string])[],
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    if (seen.has(value)) {
      ctx.addIssue({
        code: "custom",
        path: [...path, key],
        message: `must be unique: ${value} appears more than once`,
      });
    }
    seen.add(value);
  }
}

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
