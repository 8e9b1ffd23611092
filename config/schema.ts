import * as pulumi from "@pulumi/pulumi";
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
import { parseQuantity } from "./quantity";
import { extraRuleFile } from "./ruleFiles";
import { DEMO_METRICS_PATH, DEMO_NAMESPACE, DEMO_SCRAPE_INTERVAL, DEMO_SERVICES } from "./demo";
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
// Each container's Go runtime gets a share of its memory limit as GOMEMLIMIT: below 16Mi it would
// collect garbage almost constantly, and the collector's memory_limiter would get a hard limit of 0 or 1 MiB.
const MIN_MEMORY_LIMIT = "16Mi";
const resourceRequirements = strict({ requests: resourceList, limits: resourceList }).superRefine(
  (value, ctx) => {
    const { requests, limits } = value;
    // Refinements also see values whose fields failed; those are reported already.
    if (![requests.memory, limits.memory].every((q) => quantity.safeParse(q).success)) {
      return;
    }
    const message =
      parseQuantity(limits.memory) < parseQuantity(MIN_MEMORY_LIMIT)
        ? `must be at least ${MIN_MEMORY_LIMIT}: the Go runtime gets a share of it as GOMEMLIMIT`
        : parseQuantity(limits.memory) < parseQuantity(requests.memory)
          ? `must be at least requests.memory (${requests.memory}): Kubernetes refuses a limit below the request`
          : undefined;
    if (message !== undefined) {
      ctx.addIssue({ code: "custom", path: ["limits", "memory"], message });
    }
  },
);

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

/** A Prometheus label name, as relabel rules write and routes group by. */
const labelName = z
  .string()
  .regex(
    /^[a-zA-Z_][a-zA-Z0-9_]*$/,
    "must be a label name (letters, digits and '_', not starting with a digit)",
  );

/** Prometheus' relabel_config, with the actions teams use (field names are Prometheus' own). */
const relabelConfig = strict({
  source_labels: z.array(labelName).optional(),
  separator: z.string().optional(),
  regex: z.string().refine(isValidRegex, "must be a valid regular expression (RE2 syntax)").optional(),
  target_label: nonEmpty.optional(),
  replacement: z.string().optional(),
  action: z.enum(["replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep"]).optional(),
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
  job_name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be letters, digits, '_', '.' and '-'"),
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  metrics_path: z.string().startsWith("/", "must start with '/'").optional(),
  scheme: z.enum(["http", "https"]).optional(),
  params: z.record(z.array(z.string())).optional(),
  honor_labels: z.boolean().optional(),
  static_configs: z
    .array(
      strict({
        targets: z.array(hostPort("orders.shop.svc:8080")).min(1, "must list at least one target"),
        labels: z.record(labelName, z.string()).optional(),
      }),
    )
    .optional(),
  kubernetes_sd_configs: z
    .array(
      strict({
        role: z.enum(["pod", "service", "endpointslice"]),
        namespaces: strict({ names: z.array(dnsLabel).min(1, "must list at least one namespace") }),
        /** Where Prometheus may connect in those namespaces. @default every port */
        ports: z.array(port).min(1, "must list at least one port").optional(),
      }),
    )
    .optional(),
  relabel_configs: z.array(relabelConfig).optional(),
  metric_relabel_configs: z.array(relabelConfig).optional(),
  basic_auth: strict({ username: nonEmpty, password: secretString }).optional(),
  authorization: strict({ type: nonEmpty.optional(), credentials: secretString }).optional(),
  tls_config: strict({
    /** The CA certificate (PEM) that signed the targets' serving certificates. */
    ca: z.string().startsWith("-----BEGIN CERTIFICATE-----", "must be a PEM certificate").optional(),
    server_name: nonEmpty.optional(),
    insecure_skip_verify: z.boolean().optional(),
  }).optional(),
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
  .refine((matcher) => {
    const [, , op, value] = ALERT_MATCHER.exec(matcher) ?? [];
    return !op?.includes("~") || isValidRegex(`^(?:${value})$`);
  }, "must have a valid regular expression after =~ or !~");
const slackChannel = z.string().regex(/^#?[a-z0-9_-]+$/, "must be a Slack channel such as #alerts");
const emailReceiver = strict({
  to: z.array(z.string().email("must be an e-mail address")).min(1, "must list at least one address"),
  from: z.string().email("must be an e-mail address"),
  smarthost: hostPort("smtp.example.com:587"),
  username: nonEmpty.optional(),
  password: secretString.optional(),
});
/** An external URL as people open it: no trailing slash, so links can append paths. */
const externalUrl = z
  .string()
  .url("must be a URL")
  .regex(/^https?:\/\/[^\s?#]*[^/?#]$/, "must be an http(s) URL without a trailing slash, query or fragment");

/** The integrations of a team's receiver: each a list, so one receiver can post to several channels. */
const RECEIVER_INTEGRATIONS = ["slack", "pagerduty", "opsgenie", "msteams", "webhook", "email"] as const;
const teamReceiver = strict({
  name: dnsLabel,
  slack: z.array(strict({ webhookUrl: secretString, channel: slackChannel })).optional(),
  /** PagerDuty Events API v2. */
  pagerduty: z.array(strict({ routingKey: secretString })).optional(),
  opsgenie: z
    .array(
      strict({
        apiKey: secretString,
        /** @default Alertmanager's https://api.opsgenie.com/ (EU accounts: https://api.eu.opsgenie.com) */
        apiUrl: httpsUrl.optional(),
        responders: z
          .array(strict({ type: z.enum(["team", "user", "escalation", "schedule"]), name: nonEmpty }))
          .optional(),
      }),
    )
    .optional(),
  /** A Teams Workflows ("Post to a channel when a webhook request is received") URL. */
  msteams: z.array(strict({ webhookUrl: secretString })).optional(),
  webhook: z
    .array(
      strict({
        url: secretString,
        /** The port the URL names, for Alertmanager's egress NetworkPolicy. @default 443 */
        port: port.default(443),
      }),
    )
    .optional(),
  email: z.array(emailReceiver).optional(),
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
  matchers: z.array(alertMatcher).min(1, "must list at least one matcher"),
  receiver: dnsLabel,
  /** Keep matching the routes after this one (and the platform's severity routes). */
  continue: z.boolean().default(false),
  groupBy: z.array(labelName).optional(),
  groupWait: duration.optional(),
  groupInterval: duration.optional(),
  repeatInterval: duration.optional(),
});

/** Grafana's basic roles, and GrafanaAdmin (server admin), which an identity provider's groups may grant. */
const grafanaRole = z.enum(["Viewer", "Editor", "Admin", "GrafanaAdmin"]);

/** The sections of grafana.ini Grafana 12 has for each provider (`[auth.<provider>]`). */
const SSO_PROVIDERS = ["generic_oauth", "github", "google", "okta", "azuread"] as const;

const grafanaSso = strict({
  provider: z.enum(SSO_PROVIDERS),
  /** The login button's label (generic_oauth, okta). */
  name: nonEmpty.optional(),
  clientId: nonEmpty,
  clientSecret: secretString,
  /** Grafana's defaults per provider when omitted. */
  scopes: z.array(nonEmpty).optional(),
  authUrl: httpsUrl.optional(),
  tokenUrl: httpsUrl.optional(),
  apiUrl: httpsUrl.optional(),
  allowedDomains: z.array(nonEmpty).optional(),
  allowedGroups: z.array(nonEmpty).optional(),
  /** GitHub organisations, or Entra ID tenant IDs. */
  allowedOrganizations: z.array(nonEmpty).optional(),
  /** The claim holding the user's groups, read by `roleMapping`. */
  groupsClaim: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a claim name such as groups")
    .default("groups"),
  /** Group → role, the strongest role of a user's groups wins. */
  roleMapping: z.record(nonEmpty, grafanaRole).default({}),
  /** Deny login to users none of whose groups is mapped (instead of making them Viewers). */
  roleAttributeStrict: z.boolean().default(false),
  /** Turn off the username/password form; the admin API login (basic auth) stays for automation. */
  disableLoginForm: z.boolean().default(false),
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
  nodeSelector: z.record(labelKey, labelValue).optional(),
  tolerations: z.array(toleration).optional(),
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
  }).optional(),
  /** An existing PriorityClass (system-cluster-critical, or one the platform team created). */
  priorityClassName: dnsSubdomain.optional(),
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
 * A workload's own placement over the default: node selector labels merge (the workload's win);
 * tolerations, priorityClassName and each of nodeAffinity, podAffinity and podAntiAffinity are
 * the workload's when it sets them, the default's otherwise.
 */
function placementOf(all: z.output<typeof placement>, workload: PlacedWorkloadName): PlacementSpec {
  const base = all.default;
  const own = all[workload] ?? {};
  const nodeSelector = { ...base.nodeSelector, ...own.nodeSelector };
  const affinity = { ...base.affinity, ...own.affinity };
  const tolerations = own.tolerations ?? base.tolerations;
  const priorityClassName = own.priorityClassName ?? base.priorityClassName;
  return {
    ...(Object.keys(nodeSelector).length === 0 ? {} : { nodeSelector }),
    ...(tolerations === undefined ? {} : { tolerations }),
    ...(Object.keys(affinity).length === 0 ? {} : { affinity }),
    ...(priorityClassName === undefined ? {} : { priorityClassName }),
  };
}

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
    /** Teams' own scrape jobs, merged into prometheus.yml with `tier="app"`. */
    extraScrapeConfigs: z.array(extraScrapeConfig),
    /** Namespaces whose `prometheus.io/scrape` pods are scraped besides apps.namespaces' (no Alloy, no tracing ConfigMap). */
    annotationDiscovery: strict({ namespaces: z.array(dnsLabel) }).superRefine((value, ctx) =>
      reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx),
    ),
    /** ServiceMonitors and PodMonitors in these namespaces, scraped by an Alloy Deployment without the operator. */
    prometheusOperatorMonitors: strict({ enabled: z.boolean(), namespaces: z.array(dnsLabel) }).superRefine(
      (value, ctx) => {
        reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx);
        if (value.enabled && value.namespaces.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: ["namespaces"],
            message: "must list at least one namespace when enabled (the scraper is never cluster-wide)",
          });
        }
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
      /** `CPUThrottlingHigh`: share of a container's CFS periods throttled over 5 minutes. */
      cpuThrottlingPercent: percent,
      /** `ResourceQuotaNearlyFull`: share of a namespace's quota in use. */
      quotaPercent: percent,
      /** `NodeMemoryHighUtilisation`: share of a node's memory not available. */
      nodeMemoryPercent: percent,
    }),
    /** Default objectives of every service; `apps.services[].slo` overrides per service. */
    slo: strict({
      availability: objective,
      latencyObjective: objective,
      latencyThresholdSeconds: positiveSeconds,
    }),
    /** Teams' own Prometheus rule files (paths from the project root), loaded beside the stack's. */
    extraRuleFiles: z.array(extraRuleFile),
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
    /** Teams' own Loki (LogQL) rule files (paths from the project root), loaded beside the stack's. */
    extraRuleFiles: z.array(extraRuleFile),
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
    /** Folders of dashboard JSON files (relative to the project root), each provisioned into its own Grafana folder. */
    extraDashboards: z.array(strict({ path: nonEmpty, folder: nonEmpty })),
    /** Single sign-on through one OAuth2/OIDC identity provider. */
    sso: grafanaSso.optional(),
    /** Teams managed through Grafana's API; members must have logged in once (by SSO) or exist. */
    teams: z.array(
      strict({
        name: nonEmpty,
        email: z.string().email("must be an e-mail address").optional(),
        members: z.array(z.string().email("must be an e-mail address")),
      }),
    ),
    /** Team grants on the folders of `extraDashboards`. */
    folderPermissions: z.array(
      strict({ folder: nonEmpty, team: nonEmpty, permission: z.enum(["View", "Edit", "Admin"]) }),
    ),
    /** Where `pulumi up` reaches Grafana's API for teams and permissions; defaults to the URL people open. */
    apiUrl: z.string().url("must be a URL").optional(),
  }).superRefine((value, ctx) => grafanaReferences(value, ctx)),
  alerting: strict({
    slack: strict({ webhookUrl: secretString, channel: slackChannel }).optional(),
    email: emailReceiver.optional(),
    webhook: strict({ url: secretString }).optional(),
    /** How long Alertmanager waits to batch the first notification of a new alert group. */
    groupWait: duration,
    /** A dead man's switch that expects the always-firing Watchdog alert. */
    watchdog: strict({ url: secretString }).optional(),
    /** Teams' receivers, by name; the platform's own (critical, warning, watchdog, default) stay. */
    receivers: z.array(teamReceiver),
    /** Routes below the Watchdog's and above the platform's severity routes, first match wins. */
    routes: z.array(teamRoute),
    /** Where people open each UI; links in notifications use them. @default see externalUrls() */
    externalUrls: strict({
      prometheus: externalUrl.optional(),
      alertmanager: externalUrl.optional(),
      grafana: externalUrl.optional(),
    }),
  }).superRefine((value, ctx) => {
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
  images: byComponent(pinnedImage).extend({
    /** Pull every image through this mirror: its host replaces each image's registry host. */
    registry: imageRegistry.optional(),
    /** Existing dockerconfigjson Secrets, in both stack namespaces, set as every pod's imagePullSecrets. */
    /**
     * The mirror's pull credentials as Docker config JSON; the stack creates the Secret
     * `registry-credentials` from it in both of its namespaces and every pod pulls with it.
     */
    registryCredentials: nonEmpty
      .refine(
        isDockerConfigJson,
        'must be Docker config JSON such as {"auths":{"registry.example.com":{"auth":"…"}}}',
      )
      .transform((value) => pulumi.secret(value))
      .optional(),
    pullSecrets: z
      .array(dnsSubdomain)
      .superRefine((names, ctx) => reportDuplicates([...names.entries()], [], ctx)),
  }),
  resources: byWorkload(resourceRequirements),
  placement,
  /** Made-up traffic of three linked services on kind, so a new stack shows data at once. */
  demo: strict({ enabled: z.boolean(), image: pinnedImage, resources: resourceRequirements }),
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
  // The demo is an app like any other, so that it exercises the path real apps take.
  .transform((value) => (value.demo.enabled ? { ...value, apps: withDemo(value.apps) } : value))
  .transform(({ apps, placement: placed, ...rest }) => ({
    ...rest,
    placement: Object.fromEntries(PLACED_WORKLOADS.map((w) => [w, placementOf(placed, w)])) as Record<
      PlacedWorkloadName,
      PlacementSpec
    >,
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

/** `apps` with the demo's namespace and services added after the configured ones. */
function withDemo(listed: z.output<typeof apps>): z.output<typeof apps> {
  return {
    ...listed,
    namespaces: [...listed.namespaces, DEMO_NAMESPACE],
    services: [
      ...listed.services,
      ...DEMO_SERVICES.map((s) => ({
        name: s.name,
        namespace: DEMO_NAMESPACE,
        port: s.port,
        metricsPath: DEMO_METRICS_PATH,
        scrapeInterval: DEMO_SCRAPE_INTERVAL,
      })),
    ],
  };
}

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
