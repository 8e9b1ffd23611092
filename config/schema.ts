import { z } from "zod";
import { ALB_INGRESS_CLASS, ALB_MANAGED_ANNOTATIONS } from "./albAnnotations";
import {
  COMPONENTS,
  ComponentName,
  PLACED_WORKLOADS,
  PlacedWorkloadName,
  WORKLOADS,
  WorkloadName,
} from "./components";
import { kubeconfigProblem } from "./kubeconfig";
import { parseQuantity } from "./quantity";
import { anchoredRe2Problem, re2Problem } from "./re2";
import { extraRuleFile } from "./ruleFiles";
import { DEMO_NAMESPACE } from "./demo";
import { clusterServiceNamespace } from "./scrapeTargets";

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

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1e3,
  m: 6e4,
  h: 3.6e6,
  d: 8.64e7,
  w: 6.048e8,
  y: 3.1536e10,
};

/** Milliseconds of a duration the schema has accepted (`1h30m` → 5,400,000). */
function durationMs(text: string): number {
  return [...text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)].reduce(
    (sum, [, count, unit]) => sum + Number(count) * DURATION_UNIT_MS[unit],
    0,
  );
}

/**
 * A Kubernetes resource quantity: 100m, 0.5, 256Mi, 10Gi. Whole cores may be a number, as
 * Kubernetes takes them and `pulumi config set --path` stores them (`cpu: 1`).
 */
const quantity = z.preprocess(
  (value) => (typeof value === "number" ? String(value) : value),
  z
    .string()
    .regex(
      /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/,
      "must be a Kubernetes quantity such as 100m, 256Mi or 10Gi",
    ),
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

/**
 * A regular expression `server` compiles with Go's regexp (RE2); `anchor`: it compiles it wrapped
 * in `^(?:…)$`, as Prometheus does.
 */
const re2Regex = (server: string, anchor: boolean) =>
  z.string().superRefine((pattern, ctx) => {
    const problem = anchor ? anchoredRe2Problem(pattern) : re2Problem(pattern);
    if (problem !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must be a regular expression in RE2 syntax, as ${server} compiles it (no lookaround or backreferences): ${problem}`,
      });
    }
  });

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
  .refine((ref) => !/:latest(@|$)/.test(ref), { message: "must not use the floating tag 'latest'" })
  .describe("The image, pinned by a tag other than latest or by a digest.");

declare const secretMark: unique symbol;

/**
 * A credential as validated: plain text that config/load.ts wraps as a Pulumi secret before any
 * component sees it (StackConfig types it as an Output), so it stays secret end to end.
 */
export type Secret = string & { readonly [secretMark]: true };

const secretString = nonEmpty.transform((value) => value as Secret);

const hostPort = (example: string) =>
  z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, `must be host:port such as ${example}`);

const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

// Ephemeral storage: the container's logs and writable scratch directories (emptyDirs), which the
// kubelet counts against it; a container over its limit is evicted instead of filling the node.
const resourceList = strict({
  cpu: quantity.describe("CPU."),
  memory: quantity.describe("Memory."),
  ephemeralStorage: quantity.describe("The container's logs and scratch directories."),
});
// Each container's Go runtime gets a share of its memory limit as GOMEMLIMIT: below 16Mi it would
// collect garbage almost constantly, and the collector's memory_limiter would get a hard limit of 0 or 1 MiB.
const MIN_MEMORY_LIMIT = "16Mi";
const resourceRequirements = strict({
  requests: resourceList.describe("What the scheduler reserves."),
  limits: resourceList.describe("Where the container is throttled, killed or evicted."),
}).superRefine((value, ctx) => {
  const { requests, limits } = value;
  for (const resource of ["cpu", "memory", "ephemeralStorage"] as const) {
    // Refinements also see values whose fields failed; those are reported already.
    if (![requests[resource], limits[resource]].every((q) => quantity.safeParse(q).success)) {
      continue;
    }
    const message =
      resource === "memory" && parseQuantity(limits.memory) < parseQuantity(MIN_MEMORY_LIMIT)
        ? `must be at least ${MIN_MEMORY_LIMIT}: the Go runtime gets a share of it as GOMEMLIMIT`
        : parseQuantity(limits[resource]) < parseQuantity(requests[resource])
          ? `must be at least requests.${resource} (${requests[resource]}): Kubernetes refuses a limit below the request`
          : undefined;
    if (message !== undefined) {
      ctx.addIssue({ code: "custom", path: ["limits", resource], message });
    }
  }
});

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
  availability: objective
    .optional()
    .describe("This service's availability objective, over metrics.slo.availability."),
  latencyThresholdSeconds: positiveSeconds
    .optional()
    .describe(
      "This service's latency threshold, over metrics.slo.latencyThresholdSeconds; one of tracing.latencyBucketsSeconds.",
    ),
});

const appService = strict({
  name: dnsLabel.describe("The Service's name: the `service` label of its metrics."),
  namespace: dnsLabel.optional().describe("Where the Service runs; the first of apps.namespaces when unset."),
  port: port.describe("The port its metrics are scraped on."),
  metricsPath: z
    .string()
    .startsWith("/", "must start with '/'")
    .optional()
    .describe("Its metrics path; apps.defaults.metricsPath when unset."),
  scrapeInterval: duration
    .optional()
    .describe("Its scrape interval; apps.defaults.scrapeInterval when unset."),
  slo: sloOverride.optional().describe("Objectives of this service over metrics.slo."),
});

const apps = strict({
  namespaces: z
    .array(dnsLabel)
    .describe(
      "Namespaces the apps run in: scraped, their logs collected, the tracing ConfigMap published there.",
    ),
  createNamespaces: z
    .boolean()
    .describe(
      "true: the stack creates apps.namespaces (Pod Security baseline, warn/audit restricted); false: they must exist, and a missing one fails the preview by name.",
    ),
  defaults: strict({
    metricsPath: z
      .string()
      .startsWith("/", "must start with '/'")
      .describe("Metrics path of services that set none."),
    scrapeInterval: duration.describe("Scrape interval of services that set none."),
  }),
  services: z
    .array(appService)
    .describe("The services to scrape, each with RED and SLO rules and dashboards."),
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

const s3Backend = strict({
  bucket: s3Bucket.describe("The bucket."),
  region: awsRegion.describe("The bucket's region."),
  roleArn: iamRoleArn.describe("The IRSA role that reads and writes it."),
});

/** A database the stack runs a postgres-exporter for; the DSN carries credentials, so it is a secret. */
const postgresTarget = strict({
  name: dnsLabel.describe("Names the exporter Deployment."),
  dsn: secretString.describe("The connection string the exporter uses; it carries credentials."),
  port: port.default(5432).describe("Where the database listens, for the exporter's egress NetworkPolicy."),
});

/** A Redis the stack runs a redis-exporter for. */
const redisTarget = strict({
  name: dnsLabel.describe("Names the exporter Deployment."),
  address: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:[0-9]+$/, "must be host:port such as redis.shop.svc:6379")
    .describe("Where Redis listens."),
  password: secretString.optional().describe("Redis' password."),
});

/** A Prometheus label name, as relabel rules write and routes group by. */
const labelName = z
  .string()
  .regex(
    /^[a-zA-Z_][a-zA-Z0-9_]*$/,
    "must be a label name (letters, digits and '_', not starting with a digit)",
  );

/** Prometheus' relabel_config, with the actions teams use (field names are Prometheus' own). */
const relabelConfig = strict({
  source_labels: z
    .array(labelName)
    .optional()
    .describe("Labels whose values are joined and matched (Prometheus' relabel_config)."),
  separator: z.string().optional(),
  regex: re2Regex("Prometheus", true).optional().describe("Matched against the joined source labels (RE2)."),
  target_label: nonEmpty.optional().describe("The label a replace writes."),
  replacement: z.string().optional(),
  action: z
    .enum(["replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep"])
    .optional()
    .describe("What the rule does; replace when unset."),
});

/**
 * A team's own scrape job: the part of Prometheus' scrape_config teams use, under Prometheus' own
 * field names so a job from its docs or an additionalScrapeConfigs value carries over. Two
 * differences: credentials are Pulumi secrets (`basic_auth.password`, `authorization.credentials`)
 * that reach Prometheus as mounted files, and Kubernetes discovery names its namespaces (and may
 * name its `ports`), so RBAC and the NetworkPolicy open exactly those.
 */
const extraScrapeConfig = strict({
  // Also the key of the job's credential files: the Secret key alphabet.
  job_name: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be letters, digits, '_', '.' and '-'")
    .describe("The job's name (Prometheus' field names throughout); also keys its credential files."),
  scrape_interval: duration
    .optional()
    .describe("The job's scrape interval; metrics.scrapeInterval when unset."),
  scrape_timeout: duration.optional().describe("At most the job's scrape interval."),
  metrics_path: z
    .string()
    .startsWith("/", "must start with '/'")
    .optional()
    .describe("Prometheus' default /metrics when unset."),
  scheme: z.enum(["http", "https"]).optional().describe("http when unset."),
  params: z.record(z.array(z.string())).optional().describe("URL parameters of each scrape."),
  honor_labels: z.boolean().optional().describe("Keep the target's labels where they clash with the job's."),
  static_configs: z
    .array(
      strict({
        targets: z
          .array(hostPort("orders.shop.svc:8080"))
          .min(1, "must list at least one target")
          .describe("host:port of each target."),
        labels: z.record(labelName, z.string()).optional().describe("Labels added to these targets' series."),
      }),
    )
    .optional()
    .describe("Fixed targets; a Service in the cluster opens the NetworkPolicy to its namespace."),
  kubernetes_sd_configs: z
    .array(
      strict({
        role: z
          .enum(["pod", "service", "endpointslice"])
          .describe("What discovery lists: pods, Services or EndpointSlices."),
        namespaces: strict({ names: z.array(dnsLabel).min(1, "must list at least one namespace") }),
        ports: z
          .array(port)
          .min(1, "must list at least one port")
          .optional()
          .describe("Where Prometheus may connect in those namespaces; every port when unset."),
      }),
    )
    .optional()
    .describe("Kubernetes discovery in named namespaces: RBAC and NetworkPolicy open exactly those."),
  relabel_configs: z
    .array(relabelConfig)
    .optional()
    .describe("Rules over the targets' labels before the scrape."),
  metric_relabel_configs: z
    .array(relabelConfig)
    .optional()
    .describe("Rules over the scraped series before they are stored."),
  basic_auth: strict({ username: nonEmpty, password: secretString })
    .optional()
    .describe("Credentials mounted as a file; not beside authorization."),
  authorization: strict({ type: nonEmpty.optional(), credentials: secretString })
    .optional()
    .describe("A bearer credential mounted as a file."),
  tls_config: strict({
    ca: z
      .string()
      .startsWith("-----BEGIN CERTIFICATE-----", "must be a PEM certificate")
      .optional()
      .describe("The CA certificate (PEM) that signed the targets' serving certificates."),
    server_name: nonEmpty.optional().describe("The name the targets' certificates are checked against."),
    insecure_skip_verify: z.boolean().optional().describe("Skip checking the targets' certificates."),
  })
    .optional()
    .describe("TLS towards the targets."),
}).superRefine((job, ctx) => {
  if ((job.static_configs ?? []).length + (job.kubernetes_sd_configs ?? []).length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["static_configs"],
      message: "or kubernetes_sd_configs must list where the job's targets are",
    });
  }
  if (job.basic_auth !== undefined && job.authorization !== undefined) {
    ctx.addIssue({ code: "custom", path: ["authorization"], message: "must not be set beside basic_auth" });
  }
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
  host: hostName.describe("The host Grafana is served on."),
  className: nonEmpty.describe(
    "The IngressClass; `alb` gets the AWS Load Balancer Controller's annotations generated.",
  ),
  annotations: z
    .record(z.string())
    .describe(
      "Anything the program does not set itself; the ALB annotations it generates cannot be overridden.",
    ),
  tlsSecretName: dnsLabel
    .optional()
    .describe("For controllers that terminate TLS with a Secret (nginx); refused with className alb."),
  certificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+$/,
      "must be an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>",
    )
    .optional()
    .describe("className alb: the ACM certificate the ALB terminates TLS with (required there)."),
  scheme: z
    .enum(["internal", "internet-facing"])
    .default("internal")
    .describe("className alb: internal needs no public subnets and exposes nothing to the internet."),
  prometheus: strict({ host: hostName })
    .optional()
    .describe("Prometheus behind the same kind of Ingress, on its own host; on eks only with auth."),
  alertmanager: strict({ host: hostName })
    .optional()
    .describe("Alertmanager behind the same kind of Ingress, on its own host; on eks only with auth."),
  auth: ingressAuth
    .optional()
    .describe("Who may open the Ingress: the ALB authenticates every request (oidc or cognito)."),
});

/** The receivers of the platform's own alerts (components/metrics/alertmanagerConfig.ts routes to them). */
export const PLATFORM_RECEIVERS = {
  critical: "critical",
  warning: "warning",
  watchdog: "watchdog",
  fallback: "default",
} as const;
const platformReceiverNames: readonly string[] = Object.values(PLATFORM_RECEIVERS);

/** Alertmanager's matcher syntax, with the value quoted: `namespace="payments"`, `team=~"a|b"`. */
const ALERT_MATCHER = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"$/;
const alertMatcher = z
  .string()
  .regex(ALERT_MATCHER, 'must be a matcher such as namespace="payments" or team=~"a|b"')
  .superRefine((matcher, ctx) => {
    const [, , op, value] = ALERT_MATCHER.exec(matcher) ?? [];
    const problem = op?.includes("~") ? anchoredRe2Problem(unquoted(value)) : undefined;
    if (problem !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must have a regular expression in RE2 syntax after ${op}, as Alertmanager compiles it (no lookaround or backreferences): ${problem}`,
      });
    }
  });
const slackChannel = z.string().regex(/^#?[a-z0-9_-]+$/, "must be a Slack channel such as #alerts");
const emailReceiver = strict({
  to: z
    .array(z.string().email("must be an e-mail address"))
    .min(1, "must list at least one address")
    .describe("Recipients."),
  from: z.string().email("must be an e-mail address").describe("The sender address."),
  smarthost: hostPort("smtp.example.com:587").describe("The SMTP server."),
  username: nonEmpty.optional().describe("SMTP login."),
  password: secretString.optional().describe("SMTP password."),
});
/** An external URL as people open it: no trailing slash, so links can append paths. */
const externalUrl = z
  .string()
  .url("must be a URL")
  .regex(/^https?:\/\/[^\s?#]*[^/?#]$/, "must be an http(s) URL without a trailing slash, query or fragment");

/** The integrations of a team's receiver: each a list, so one receiver can post to several channels. */
const RECEIVER_INTEGRATIONS = ["slack", "pagerduty", "opsgenie", "msteams", "webhook", "email"] as const;
const teamReceiver = strict({
  name: dnsLabel.describe("The receiver's name, which alerting.routes name; not one of the platform's."),
  slack: z
    .array(strict({ webhookUrl: secretString, channel: slackChannel }))
    .optional()
    .describe("Slack incoming webhooks."),
  pagerduty: z
    .array(strict({ routingKey: secretString }))
    .optional()
    .describe("PagerDuty Events API v2 routing keys."),
  opsgenie: z
    .array(
      strict({
        apiKey: secretString,
        apiUrl: httpsUrl
          .optional()
          .describe(
            "Alertmanager's https://api.opsgenie.com/ when unset (EU accounts: https://api.eu.opsgenie.com).",
          ),
        responders: z
          .array(strict({ type: z.enum(["team", "user", "escalation", "schedule"]), name: nonEmpty }))
          .optional(),
      }).describe("Who Opsgenie notifies."),
    )
    .optional()
    .describe("Opsgenie API keys, with the EU apiUrl where needed."),
  msteams: z
    .array(strict({ webhookUrl: secretString }))
    .optional()
    .describe('Teams Workflows ("Post to a channel when a webhook request is received") URLs.'),
  webhook: z
    .array(
      strict({
        url: secretString,
        port: port.default(443).describe("The port the URL names, for Alertmanager's egress NetworkPolicy."),
      }),
    )
    .optional()
    .describe("Generic webhooks, with the port the URL names for the egress NetworkPolicy."),
  email: z.array(emailReceiver).optional().describe("E-mail through an SMTP smarthost."),
}).superRefine((value, ctx) => {
  if (RECEIVER_INTEGRATIONS.every((type) => (value[type]?.length ?? 0) === 0)) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: `must configure at least one integration (${RECEIVER_INTEGRATIONS.join(", ")})`,
    });
  }
});
const teamRoute = strict({
  matchers: z
    .array(alertMatcher)
    .min(1, "must list at least one matcher")
    .describe('Alertmanager matchers with a quoted value: namespace="payments", team=~"a|b".'),
  receiver: dnsLabel.describe("The receiver of alerting.receivers this route sends to."),
  continue: z
    .boolean()
    .default(false)
    .describe("Keep matching the routes after this one (and the platform's severity routes)."),
  groupBy: z.array(labelName).optional().describe("Labels that group alerts into one notification."),
  groupWait: duration.optional().describe("Wait before a new group's first notification."),
  groupInterval: duration.optional().describe("Wait before notifying about new alerts in a group."),
  repeatInterval: duration.optional().describe("Wait before re-sending a notification that is still firing."),
});

/** Grafana's basic roles, and GrafanaAdmin (server admin), which an identity provider's groups may grant. */
const grafanaRole = z.enum(["Viewer", "Editor", "Admin", "GrafanaAdmin"]);

/** The sections of grafana.ini Grafana 12 has for each provider (`[auth.<provider>]`). */
const SSO_PROVIDERS = ["generic_oauth", "github", "google", "okta", "azuread"] as const;

const grafanaSso = strict({
  provider: z.enum(SSO_PROVIDERS).describe("The identity provider: its section of grafana.ini."),
  name: nonEmpty.optional().describe("The login button's label (generic_oauth, okta)."),
  clientId: nonEmpty.describe("The OAuth2 client ID."),
  clientSecret: secretString.describe("The OAuth2 client secret, mounted as a file."),
  scopes: z.array(nonEmpty).optional().describe("Grafana's defaults per provider when unset."),
  authUrl: httpsUrl.optional().describe("Required for generic_oauth, okta and azuread."),
  tokenUrl: httpsUrl.optional().describe("Required for generic_oauth, okta and azuread."),
  apiUrl: httpsUrl.optional().describe("The user-info URL; required for generic_oauth and okta."),
  allowedDomains: z.array(nonEmpty).optional().describe("E-mail domains allowed to log in."),
  allowedGroups: z.array(nonEmpty).optional().describe("Groups allowed to log in."),
  allowedOrganizations: z
    .array(nonEmpty)
    .optional()
    .describe("GitHub organisations, or Entra ID tenant IDs."),
  groupsClaim: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a claim name such as groups")
    .default("groups")
    .describe("The claim holding the user's groups, read by roleMapping."),
  roleMapping: z
    .record(nonEmpty, grafanaRole)
    .default({})
    .describe(
      "Group to Grafana role; the strongest role of a user's groups wins. Empty for azuread (app roles).",
    ),
  roleAttributeStrict: z
    .boolean()
    .default(false)
    .describe("Deny login to users none of whose groups is mapped (instead of making them Viewers)."),
  disableLoginForm: z
    .boolean()
    .default(false)
    .describe("Turn off the username/password form; the admin API login (basic auth) stays for automation."),
});

// Placement and image supply: Kubernetes' own shapes, validated as the API server would, so that a
// mistake is named with its key before anything is applied.

/** A Kubernetes object name such as a Secret's or a PriorityClass's. */
const dnsSubdomain = z
  .string()
  .max(253, "must be at most 253 characters")
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')",
  );

/** A label key or taint key: `name` or `prefix/name`, as in `node.kubernetes.io/instance-type`. */
const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a label key such as workload or node.kubernetes.io/instance-type",
  );

const labelValue = z
  .string()
  .regex(
    /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
    "must be a label value (letters, digits, '-', '_' and '.', at most 63 characters)",
  );

/** In/NotIn need values, Exists/DoesNotExist take none, Gt/Lt one integer (node selectors only). */
function requirementProblem(operator: string, values: readonly string[]): string | undefined {
  if ((operator === "In" || operator === "NotIn") && values.length === 0) {
    return `must list values for operator ${operator}`;
  }
  if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) {
    return `must be empty for operator ${operator}`;
  }
  if ((operator === "Gt" || operator === "Lt") && !(values.length === 1 && /^-?[0-9]+$/.test(values[0]))) {
    return `must be one integer for operator ${operator}`;
  }
  return undefined;
}

function requirement(operators: [string, ...string[]]) {
  return strict({
    key: labelKey,
    operator: z.enum(operators),
    values: z.array(labelValue).optional(),
  }).superRefine((value, ctx) => {
    const problem = requirementProblem(value.operator, value.values ?? []);
    if (problem !== undefined) {
      ctx.addIssue({ code: "custom", path: ["values"], message: problem });
    }
  });
}

const weight = fromCliText(
  z
    .number({ invalid_type_error: "must be a whole number between 1 and 100" })
    .int("must be a whole number between 1 and 100")
    .min(1, "must be a whole number between 1 and 100")
    .max(100, "must be a whole number between 1 and 100"),
);

const nodeSelectorTerm = strict({
  matchExpressions: z
    .array(requirement(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]))
    .min(1, "must list at least one expression"),
});

const podAffinityTerm = strict({
  labelSelector: strict({
    matchLabels: z.record(labelKey, labelValue).optional(),
    matchExpressions: z.array(requirement(["In", "NotIn", "Exists", "DoesNotExist"])).optional(),
  }),
  /** @default the pod's own namespace */
  namespaces: z.array(dnsLabel).optional(),
  topologyKey: labelKey,
});

const podAffinity = strict({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(strict({ weight, podAffinityTerm })).optional(),
});

const toleration = strict({
  /** Empty with operator Exists: every taint. */
  key: labelKey.optional(),
  /** @default "Equal" */
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: labelValue.optional(),
  /** Empty: every effect. */
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: fromCliText(
    z
      .number({ invalid_type_error: "must be a whole number of seconds" })
      .int("must be a whole number of seconds")
      .min(0, "must be a whole number of seconds"),
  ).optional(),
}).superRefine((value, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (value.operator === "Exists" && (value.value ?? "") !== "") {
    issue("value", "must be empty when operator is Exists");
  }
  if (value.key === undefined && value.operator !== "Exists") {
    issue("operator", "must be Exists when no key is given (a toleration of every taint)");
  }
  if (value.tolerationSeconds !== undefined && value.effect !== "NoExecute") {
    issue("tolerationSeconds", "is only allowed with effect NoExecute");
  }
});

/** Where a workload's pods may run. The stack's own spread of replicas is kept beside it. */
const placementSpec = strict({
  nodeSelector: z
    .record(labelKey, labelValue)
    .optional()
    .describe("Node labels the pods require; a workload's merge over placement.default's."),
  tolerations: z.array(toleration).optional().describe("Taints the pods tolerate (Kubernetes' own shape)."),
  affinity: strict({
    nodeAffinity: strict({
      requiredDuringSchedulingIgnoredDuringExecution: strict({
        nodeSelectorTerms: z.array(nodeSelectorTerm).min(1, "must list at least one term"),
      }).optional(),
      preferredDuringSchedulingIgnoredDuringExecution: z
        .array(strict({ weight, preference: nodeSelectorTerm }))
        .optional(),
    }).optional(),
    podAffinity: podAffinity.optional(),
    podAntiAffinity: podAffinity.optional(),
  })
    .optional()
    .describe(
      "Kubernetes' own affinity: nodeAffinity, podAffinity, podAntiAffinity; the stack's own spread is kept beside it.",
    ),
  priorityClassName: dnsSubdomain
    .optional()
    .describe("An existing PriorityClass (system-cluster-critical, or one the platform team created)."),
});

export type PlacementSpec = z.output<typeof placementSpec>;

/** `placement.default` for every workload, `placement.<workload>` over it. */
const placement = strict({
  default: placementSpec,
  ...(Object.fromEntries(PLACED_WORKLOADS.map((w) => [w, placementSpec.optional()])) as Record<
    PlacedWorkloadName,
    z.ZodOptional<typeof placementSpec>
  >),
});

/**
 * A mirror's host and optional path, e.g. `registry.example.com/mirror` or `localhost:5000`. The
 * host needs a '.' or a port (or is localhost): anything else a runtime reads as a Docker Hub path.
 */
const REGISTRY =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

function registryProblem(registry: string): string | undefined {
  if (registry.includes("://")) {
    return "must be a registry host without a scheme, such as registry.example.com/mirror";
  }
  if (registry.endsWith("/")) {
    return "must not end with '/'";
  }
  const host = registry.split("/")[0];
  if (!REGISTRY.test(registry) || !(/[.:]/.test(host) || host === "localhost")) {
    return "must be a registry host with a '.' or a port and an optional path, such as registry.example.com/mirror";
  }
  return undefined;
}

/** The Secret the stack creates from `images.registryCredentials` in both of its namespaces. */
export const REGISTRY_CREDENTIALS_SECRET = "registry-credentials";

/** `~/.docker/config.json` as `docker login` writes it: an `auths` object keyed by registry. */
function isDockerConfigJson(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    const auths = (parsed as { auths?: unknown } | null)?.auths;
    return (
      auths !== null && typeof auths === "object" && !Array.isArray(auths) && Object.keys(auths).length > 0
    );
  } catch {
    return false;
  }
}

const imageRegistry = z.string().superRefine((registry, ctx) => {
  const message = registryProblem(registry);
  if (message !== undefined) {
    ctx.addIssue({ code: "custom", message });
  }
});

/**
 * The whole `observability:` stack config. Every key is required here: the profile's defaults
 * (config/defaults.ts) fill what the stack file leaves out before this schema sees it.
 */
export const stackConfigSchema = strict({
  profile: z
    .enum(["kind", "eks"])
    .describe("Which defaults the stack starts from: a laptop kind cluster or EKS."),
  cluster: strict({
    name: nonEmpty.describe("The `cluster` external label."),
    env: dnsLabel.describe("The `env` external label."),
    region: nonEmpty.describe("The `region` external label."),
    kubeContext: nonEmpty.describe(
      "The kubeconfig context the explicit provider and npm run preflight use; never the ambient current context.",
    ),
    kubeconfig: nonEmpty
      .superRefine((value, ctx) => {
        const problem = kubeconfigProblem(value);
        if (problem !== undefined) {
          ctx.addIssue({ code: "custom", message: problem });
        }
      })
      .optional()
      .describe("Path to (or contents of) a kubeconfig; the usual kubeconfig lookup when unset."),
  }).describe("Where the stack runs; name, env and region become Prometheus' external labels."),
  namespaces: strict({
    observability: dnsLabel.describe("Metrics, logs, traces and Grafana; Pod Security restricted."),
    node: dnsLabel.describe(
      "Node agents that need host access; Pod Security privileged, warn and audit restricted.",
    ),
  }).describe("The stack's own two namespaces."),
  apps: apps.describe("The applications the stack observes."),
  metrics: strict({
    retentionTime: duration.describe("How long Prometheus keeps samples."),
    retentionSize: byteSize.describe("Prometheus' size-based retention; keep it below metrics.storageSize."),
    storageSize: quantity.describe("Prometheus' volume, per replica."),
    scrapeInterval: duration.describe(
      "Scrape interval of the platform's own jobs and teams' jobs that set none.",
    ),
    evaluationInterval: duration.describe("How often rules are evaluated."),
    replicas: replicas(3).describe("Prometheus replicas; each scrapes and alerts alike."),
    alertmanagerReplicas: replicas(5).describe("Alertmanager replicas, clustered as peers above 1."),
    remoteWrite: strict({
      url: httpsUrl
        .refine(
          // An http:// URL already has its own message.
          (u) =>
            !u.startsWith("https://") ||
            /^https:\/\/[^/]+\/workspaces\/[^/]+\/api\/v1\/remote_write$/.test(u),
          "must be an Amazon Managed Prometheus remote-write endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write)",
        )
        .describe("The workspace's remote-write endpoint; Grafana queries the workspace URL it starts with."),
      region: awsRegion.describe("The workspace's region."),
      roleArn: iamRoleArn.describe("Prometheus' IRSA role (aps:RemoteWrite)."),
      queryRoleArn: iamRoleArn.describe(
        "Grafana's IRSA role for querying the workspace (aps:QueryMetrics, GetSeries, GetLabels, GetMetricMetadata).",
      ),
    })
      .optional()
      .describe("Amazon Managed Prometheus via SigV4 and IRSA; eks only."),
    queryReplica: fromCliText(
      z
        .number({ invalid_type_error: "must be a replica ordinal (0, 1, ...)" })
        .int("must be a replica ordinal (0, 1, ...)")
        .min(0, "must be a replica ordinal (0, 1, ...)"),
    ).describe(
      "The one replica Grafana queries without remote write; the fail-over switch: set another ordinal and pulumi up.",
    ),
    exporters: strict({
      postgres: z.array(postgresTarget).describe("PostgreSQL databases, one postgres-exporter each."),
      redis: z.array(redisTarget).describe("Redis instances, one redis-exporter each."),
    })
      .superRefine((value, ctx) => {
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
      })
      .describe("Databases and caches to export metrics for, one exporter Deployment each."),
    extraScrapeConfigs: z
      .array(extraScrapeConfig)
      .describe('Teams\' own scrape jobs, merged into prometheus.yml with tier="app".'),
    annotationDiscovery: strict({ namespaces: z.array(dnsLabel) })
      .superRefine((value, ctx) => reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx))
      .describe(
        "Namespaces whose prometheus.io/scrape pods are scraped besides apps.namespaces' (no Alloy, no tracing ConfigMap); not the stack's own.",
      ),
    prometheusOperatorMonitors: strict({ enabled: z.boolean(), namespaces: z.array(dnsLabel) })
      .superRefine((value, ctx) => {
        reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx);
        if (value.enabled && value.namespaces.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: ["namespaces"],
            message: "must list at least one namespace when enabled (the scraper is never cluster-wide)",
          });
        }
      })
      .describe(
        "ServiceMonitors and PodMonitors in these namespaces, scraped by an Alloy Deployment without the operator; never cluster-wide.",
      ),
    runbookBaseUrl: httpsUrl.describe(
      "Every alert links to <runbookBaseUrl>#<alertname in lowercase> (docs/runbooks.md).",
    ),
    alerts: strict({
      errorRatePercent: percent.describe("HighErrorRate: % of requests answered with 5xx."),
      latencyP99Seconds: positiveSeconds.describe("HighLatency: p99 latency."),
      restartsPer15m: fromCliText(
        z
          .number({ invalid_type_error: "must be a whole number above 0" })
          .int("must be a whole number above 0")
          .positive("must be a whole number above 0"),
      ).describe("PodCrashLooping: container restarts in 15 minutes."),
      memoryPercentOfLimit: percent.describe("HighMemory: working set, % of the memory limit."),
      cpuPercentOfLimit: percent.describe("HighCPU: usage, % of the CPU limit."),
      diskPercent: percent.describe("DiskPressure: % of a volume used."),
      retryPercent: percent.describe("HighRetryRate: % of calls retried."),
      cpuThrottlingPercent: percent.describe(
        "CPUThrottlingHigh: % of a container's CFS periods throttled over 5 minutes.",
      ),
      quotaPercent: percent.describe("ResourceQuotaNearlyFull: % of a namespace's quota in use."),
      nodeMemoryPercent: percent.describe("NodeMemoryHighUtilisation: % of a node's memory not available."),
    }).describe("Alert thresholds; the alert rules read nothing else."),
    slo: strict({
      availability: objective.describe("Share of requests that succeed."),
      latencyObjective: objective.describe("Share of requests faster than the latency threshold."),
      latencyThresholdSeconds: positiveSeconds.describe(
        "The latency threshold; one of tracing.latencyBucketsSeconds.",
      ),
    }).describe("Default objectives of every service; apps.services[].slo overrides per service."),
    extraRuleFiles: z
      .array(extraRuleFile("PromQL"))
      .describe(
        "Teams' own Prometheus rule files (paths from the project root), checked when the config loads and loaded beside the stack's.",
      ),
  }).describe("Prometheus, Alertmanager, exporters and rules."),
  logs: strict({
    retention: duration.describe("How long Loki keeps log lines."),
    storageSize: quantity.describe("Loki's volume."),
    collectionMode: z
      .enum(["node", "api"])
      .describe(
        "node: a DaemonSet in the node namespace tailing /var/log/pods; api: one replica in the restricted namespace reading logs through the API.",
      ),
    maskIpAddresses: z.boolean().describe("Replace IP addresses in log lines before they are stored."),
    dropPatterns: z
      .array(re2Regex("Alloy", false))
      .describe("Lines matching any of these regular expressions are dropped."),
    tenant: dnsLabel
      .optional()
      .describe("Loki tenant for every log line; unset turns Loki's multi-tenancy off."),
    ingestionRateMb: fromCliText(
      z
        .number({ invalid_type_error: "must be a number of MB/s above 0" })
        .positive("must be a number of MB/s above 0"),
    ).describe("Per-tenant ingestion rate, in MB/s."),
    ingestionBurstMb: fromCliText(
      z
        .number({ invalid_type_error: "must be a number of MB above 0" })
        .positive("must be a number of MB above 0"),
    ).describe("Per-tenant ingestion burst, in MB."),
    alerts: strict({
      errorLinesPer5m: fromCliText(
        z
          .number({ invalid_type_error: "must be a whole number above 0" })
          .int("must be a whole number above 0")
          .positive("must be a whole number above 0"),
      ).describe("LogErrorBurst fires when a service logs more ERROR lines than this in five minutes."),
      silentFor: duration.describe(
        "LogsStopped fires when a service that logged in the hour before has been silent this long.",
      ),
    }).describe("Log alert thresholds."),
    extraRuleFiles: z
      .array(extraRuleFile("LogQL"))
      .describe(
        "Teams' own Loki (LogQL) rule files (paths from the project root), loaded beside the stack's.",
      ),
  }).describe("Loki and the Alloy log agent."),
  tracing: strict({
    samplingProbability: probability.describe(
      "Share of ordinary traces kept: applied by the apps, or by the collector when tail sampling is on.",
    ),
    tailSampling: strict({
      enabled: z
        .boolean()
        .describe(
          "On: apps send every span and the collector keeps every error trace, every slow trace and samplingProbability of the rest.",
        ),
      latencyThresholdMs: fromCliText(
        z
          .number({ invalid_type_error: "must be a whole number of milliseconds above 0" })
          .int("must be a whole number of milliseconds above 0")
          .positive("must be a whole number of milliseconds above 0"),
      ).describe("Traces slower than this are always kept."),
    }).describe("Sampling in the collector on whole traces."),
    latencyBucketsSeconds: z
      .array(positiveSeconds)
      .min(1, "must list at least one bucket bound")
      .refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), "must be in increasing order")
      .describe(
        "Span-metric and service-graph histogram bounds, increasing; every latency threshold must be one of them.",
      ),
    collectorReplicas: replicas(10).describe(
      "Replicas of the collector the apps send to; above 1, or with tail sampling, the collector runs in two tiers.",
    ),
    aggregatorReplicas: replicas(10).describe(
      "Replicas of the trace-ID-routed aggregator tier, when there is one.",
    ),
    retention: duration.describe("How long Tempo keeps traces."),
    storageSize: quantity.describe("Tempo's volume."),
  }).describe("The OpenTelemetry Collector and Tempo."),
  grafana: strict({
    adminUser: nonEmpty.describe("The admin user's name."),
    credentialsRotation: z
      .union([z.string(), fromCliText(z.number())])
      .transform(String)
      .describe("Change this value to replace the admin password."),
    storageSize: quantity.describe("Grafana's volume (unused with a database)."),
    dashboardsFolder: nonEmpty.describe("The Grafana folder of the stack's own dashboards."),
    replicas: replicas(5).describe("Grafana replicas; above 1 needs grafana.database."),
    database: strict({
      host: hostPort("grafana-db.example.internal:5432").describe(
        "host:port of the PostgreSQL database; with it Grafana runs without a volume.",
      ),
      name: nonEmpty.describe("The database's name."),
      user: nonEmpty.describe("The database user."),
      password: secretString.describe("The database user's password."),
      sslMode: z
        .enum(["disable", "require", "verify-ca", "verify-full"])
        .describe("How Grafana checks the database's TLS."),
    })
      .optional()
      .describe("A PostgreSQL database (e.g. Amazon RDS) for Grafana's state instead of SQLite on a volume."),
    extraDatasources: z
      .array(
        z.discriminatedUnion("type", [
          strict({
            type: z.literal("elasticsearch"),
            name: nonEmpty.describe("The team's name; unique."),
            url: z.string().url("must be a URL"),
            index: nonEmpty,
            timeField: nonEmpty,
          }),
          strict({ type: z.literal("jaeger"), name: nonEmpty, url: z.string().url("must be a URL") }),
        ]),
      )
      .describe("Datasources a team already runs (Elasticsearch, Jaeger)."),
    extraDashboards: z
      .array(strict({ path: nonEmpty, folder: nonEmpty }))
      .describe(
        "Folders of dashboard JSON files (relative to the project root), each provisioned into its own Grafana folder.",
      ),
    sso: grafanaSso.optional().describe("Single sign-on through one OAuth2/OIDC identity provider."),
    teams: z
      .array(
        strict({
          name: nonEmpty,
          email: z
            .string()
            .email("must be an e-mail address")
            .optional()
            .describe("The team's e-mail address."),
          members: z
            .array(z.string().email("must be an e-mail address"))
            .describe("Members' e-mail addresses."),
        }),
      )
      .describe("Teams managed through Grafana's API; members must have logged in once (by SSO) or exist."),
    folderPermissions: z
      .array(
        strict({
          folder: nonEmpty.describe("The title of a folder of grafana.extraDashboards."),
          team: nonEmpty.describe("A team of grafana.teams."),
          permission: z.enum(["View", "Edit", "Admin"]).describe("What the team may do in the folder."),
        }),
      )
      .describe("Team grants on the folders of extraDashboards."),
    apiUrl: z
      .string()
      .url("must be a URL")
      .optional()
      .describe(
        "Where pulumi up reaches Grafana's API for teams and permissions; the URL people open when unset.",
      ),
  })
    .superRefine((value, ctx) => grafanaReferences(value, ctx))
    .describe("Grafana, its datasources, dashboards and access."),
  alerting: strict({
    slack: strict({
      webhookUrl: secretString.describe("The Slack incoming webhook."),
      channel: slackChannel.describe("The channel alerts are posted to."),
    })
      .optional()
      .describe("The platform's Slack channel."),
    email: emailReceiver.optional().describe("The platform's e-mail receiver."),
    webhook: strict({ url: secretString.describe("Where Alertmanager posts.") })
      .optional()
      .describe("The platform's webhook receiver."),
    groupWait: duration.describe(
      "How long Alertmanager waits to batch the first notification of a new alert group.",
    ),
    watchdog: strict({ url: secretString.describe("The dead man's switch's URL.") })
      .optional()
      .describe("A dead man's switch that expects the always-firing Watchdog alert."),
    receivers: z
      .array(teamReceiver)
      .describe("Teams' receivers, by name; the platform's own (critical, warning, watchdog, default) stay."),
    routes: z
      .array(teamRoute)
      .describe(
        "Routes below the Watchdog's and above the platform's severity routes; the first match wins.",
      ),
    externalUrls: strict({
      prometheus: externalUrl.optional().describe("Prometheus' --web.external-url (alerts' generatorURL)."),
      alertmanager: externalUrl.optional().describe("Alertmanager's --web.external-url (silence links)."),
      grafana: externalUrl.optional().describe("Where notification links open Grafana."),
    }).describe("Where people open each UI; links in notifications use them."),
  })
    .superRefine((value, ctx) => {
      const names = value.receivers.map((r) => r.name);
      reportDuplicates([...names.entries()], ["receivers"], ctx);
      names.forEach((name, i) => {
        if (platformReceiverNames.includes(name)) {
          ctx.addIssue({
            code: "custom",
            path: ["receivers", i, "name"],
            message: `must not be one of the platform's receivers (${platformReceiverNames.join(", ")})`,
          });
        }
      });
      value.routes.forEach((route, i) => {
        if (!names.includes(route.receiver)) {
          ctx.addIssue({
            code: "custom",
            path: ["routes", i, "receiver"],
            message:
              names.length === 0
                ? "must name a receiver of alerting.receivers, and none is configured"
                : `must name a receiver of alerting.receivers: ${names.join(", ")}`,
          });
        }
      });
    })
    .describe("Where the platform's alerts go, and teams' receivers and routes."),
  exposure: strict({
    mode: z
      .enum(["nodePort", "ingress"])
      .describe("nodePort (kind, mapped to 127.0.0.1 by kind/cluster.yaml) or ingress (required on eks)."),
    nodePorts: strict({
      grafana: nodePort,
      prometheus: nodePort,
      zipkin: nodePort,
      otlpHttp: nodePort,
    }).describe("The NodePorts of Grafana, Prometheus, the Zipkin and OTLP/HTTP ingest; distinct."),
    ingress: ingress.optional().describe("The Ingress in front of Grafana; required with mode ingress."),
  })
    .superRefine((value, ctx) => {
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
    })
    .describe("How people reach the UIs and apps reach the ingest ports."),
  storage: strict({
    className: dnsLabel.describe("StorageClass of every volume."),
    allowVolumeExpansion: z
      .boolean()
      .describe("Whether that StorageClass has allowVolumeExpansion: a *.storageSize increase needs it."),
    s3: strict({
      loki: s3Backend.describe("Loki's chunks and index."),
      tempo: s3Backend.describe("Tempo's blocks."),
    })
      .optional()
      .describe("Loki's and Tempo's buckets with their IRSA roles; required on eks, refused on kind."),
  }).describe("Volumes and object storage."),
  images: byComponent(pinnedImage)
    .extend({
      registry: imageRegistry
        .optional()
        .describe(
          "Pull every image through this mirror: its host and path replace each image's registry host.",
        ),
      /** Existing dockerconfigjson Secrets, in both stack namespaces, set as every pod's imagePullSecrets. */
      registryCredentials: nonEmpty
        .refine(
          isDockerConfigJson,
          'must be Docker config JSON such as {"auths":{"registry.example.com":{"auth":"…"}}}',
        )
        .transform((value) => value as Secret)
        .optional()
        .describe(
          "The mirror's pull credentials as Docker config JSON; the stack creates the Secret registry-credentials from it in both of its namespaces.",
        ),
      pullSecrets: z
        .array(dnsSubdomain)
        .superRefine((names, ctx) => reportDuplicates([...names.entries()], [], ctx)),
    })
    .describe(
      "Pinned images of every component (a tag other than latest, or a digest), and where they are pulled from.",
    )
    .describe(
      "Existing dockerconfigjson Secrets, in both stack namespaces, set as every pod's imagePullSecrets.",
    ),
  resources: byWorkload(resourceRequirements).describe(
    "Requests and limits of each workload's container; limits.memory also sets GOMEMLIMIT and the collector's memory_limiter.",
  ),
  placement: placement.describe(
    "Where pods run: placement.default for every workload, placement.<workload> over it.",
  ),
  demo: strict({
    enabled: z.boolean().describe("Run the demo in observability-demo; kind only, refused on eks."),
    image: pinnedImage.describe("The Node.js image that runs the demo services."),
    resources: resourceRequirements.describe("Requests and limits of each demo container."),
  }).describe("Made-up traffic of three linked services on kind, so a new stack shows data at once."),
}).superRefine((value, ctx) => {
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
  const stackNamespaces = [value.namespaces.observability, value.namespaces.node];
  const ownNamespace = (ns: string | undefined, path: (string | number)[]) => {
    if (ns !== undefined && stackNamespaces.includes(ns)) {
      issue(
        path,
        `must not be one of the stack's own namespaces (${stackNamespaces.join(", ")}), which the stack scrapes itself`,
      );
    }
  };
  value.metrics.annotationDiscovery.namespaces.forEach((ns, i) =>
    ownNamespace(ns, ["metrics", "annotationDiscovery", "namespaces", i]),
  );
  value.metrics.prometheusOperatorMonitors.namespaces.forEach((ns, i) =>
    ownNamespace(ns, ["metrics", "prometheusOperatorMonitors", "namespaces", i]),
  );
  value.metrics.extraScrapeConfigs.forEach((job, j) => {
    const at = ["metrics", "extraScrapeConfigs", j];
    // Prometheus refuses the whole file otherwise, and the reloader would keep the old one.
    const interval = job.scrape_interval ?? value.metrics.scrapeInterval;
    if (job.scrape_timeout !== undefined && durationMs(job.scrape_timeout) > durationMs(interval)) {
      issue([...at, "scrape_timeout"], `must not be longer than the job's scrape interval (${interval})`);
    }
    job.kubernetes_sd_configs?.forEach((sd, k) =>
      sd.namespaces.names.forEach((ns, n) =>
        ownNamespace(ns, [...at, "kubernetes_sd_configs", k, "namespaces", "names", n]),
      ),
    );
    job.static_configs?.forEach((group, k) =>
      group.targets.forEach((target, t) =>
        ownNamespace(clusterServiceNamespace(target), [...at, "static_configs", k, "targets", t]),
      ),
    );
  });
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
  if (value.images.registryCredentials !== undefined) {
    value.images.pullSecrets.forEach((name, i) => {
      if (name === REGISTRY_CREDENTIALS_SECRET) {
        issue(
          ["images", "pullSecrets", i],
          `must not be ${REGISTRY_CREDENTIALS_SECRET}: the stack creates that Secret from images.registryCredentials`,
        );
      }
    });
  }
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
  if (value.demo.enabled && value.apps.namespaces.includes(DEMO_NAMESPACE)) {
    issue(["apps", "namespaces"], `must not list ${DEMO_NAMESPACE} while demo.enabled: the demo owns it`);
  }
  if (value.profile === "eks") {
    if (value.demo.enabled) {
      issue(
        ["demo", "enabled"],
        "is for the kind profile only: the demo generates made-up traffic for a laptop cluster; set it to false on eks",
      );
    }
    if (value.storage.s3 === undefined) {
      issue(["storage", "s3"], "is required on profile eks (bucket, region and roleArn for loki and tempo)");
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
});

/** Providers whose endpoints depend on the tenant: Grafana has no default for them. */
const SSO_ENDPOINTS: Partial<
  Record<(typeof SSO_PROVIDERS)[number], readonly ("authUrl" | "tokenUrl" | "apiUrl")[]>
> = {
  generic_oauth: ["authUrl", "tokenUrl", "apiUrl"],
  okta: ["authUrl", "tokenUrl", "apiUrl"],
  azuread: ["authUrl", "tokenUrl"],
};

/** References between grafana's own keys: endpoints the provider needs, teams and folders permissions name. */
function grafanaReferences(
  value: {
    extraDashboards: readonly { folder: string }[];
    dashboardsFolder: string;
    sso?: z.output<typeof grafanaSso>;
    teams: readonly { name: string }[];
    folderPermissions: readonly { folder: string; team: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const sso = value.sso;
  if (sso !== undefined) {
    for (const key of SSO_ENDPOINTS[sso.provider] ?? []) {
      if (sso[key] === undefined) {
        issue(["sso", key], `is required for provider ${sso.provider}: it depends on your tenant`);
      }
    }
    if (sso.provider === "azuread" && Object.keys(sso.roleMapping).length > 0) {
      issue(
        ["sso", "roleMapping"],
        "must be empty for provider azuread: Entra ID grants Grafana roles through the app registration's app roles",
      );
    }
  }
  reportDuplicates(
    value.extraDashboards.map((d, i) => [i, d.folder] as const),
    ["extraDashboards"],
    ctx,
  );
  value.extraDashboards.forEach((d, i) => {
    if (d.folder === value.dashboardsFolder) {
      issue(
        ["extraDashboards", i, "folder"],
        "must differ from grafana.dashboardsFolder, which holds the stack's own dashboards",
      );
    }
  });
  reportDuplicates(
    value.teams.map((t, i) => [i, t.name] as const),
    ["teams"],
    ctx,
  );
  const listed = (names: readonly string[]) => (names.length === 0 ? "none configured" : names.join(", "));
  const teams = value.teams.map((t) => t.name);
  const folders = value.extraDashboards.map((d) => d.folder);
  value.folderPermissions.forEach((grant, i) => {
    if (!teams.includes(grant.team)) {
      issue(["folderPermissions", i, "team"], `must name one of grafana.teams (${listed(teams)})`);
    }
    if (!folders.includes(grant.folder)) {
      issue(
        ["folderPermissions", i, "folder"],
        `must name the folder of one of grafana.extraDashboards (${listed(folders)})`,
      );
    }
  });
}

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

/**
 * A matcher's quoted value as Alertmanager reads it: `\n`, `\"` and `\\` are escapes, any other
 * backslash is itself (`\d` stays `\d`).
 */
function unquoted(value: string): string {
  return value.replace(/\\([n"\\])/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped));
}

export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** The stack config as validated, before shapeStackConfig. */
export type ValidStackConfig = z.output<typeof stackConfigSchema>;
export type AppsConfig = z.output<typeof apps>;
export type PlacementConfig = z.output<typeof placement>;
