import { z } from "zod";
import { extraRuleFile } from "../ruleFiles";
import { complianceWindow, sloWindow, slosField } from "../slo/sloSpec";
import { openSloFiles } from "../slo/openSlo";
import { slothFiles } from "../slo/sloth";
import { metricsObjectStorage } from "./objectStorage";
import {
  Identity,
  promqlAlertOverrides,
  awsRegion,
  disabledAlerts,
  dnsLabel,
  duration,
  fromCliText,
  hostPort,
  httpsUrl,
  iamRoleArn,
  labelName,
  named,
  nonEmpty,
  objective,
  orOutput,
  pemCertificate,
  port,
  positiveSeconds,
  quantity,
  re2Regex,
  replicas,
  reportDuplicates,
  scrapeLimit,
  secretString,
  strict,
} from "../fields";

/** Prometheus' --storage.tsdb.retention.size units. */
const byteSize = z.string().regex(/^[0-9]+(B|KB|MB|GB|TB|PB)$/, "must be a size such as 512MB or 8GB");

const percent = fromCliText(
  z
    .number({ invalid_type_error: "must be a percentage between 0 and 100" })
    .gt(0, "must be a percentage above 0 and at most 100")
    .max(100, "must be a percentage above 0 and at most 100"),
);

/** A database the stack runs a postgres-exporter for; the DSN carries credentials, so it is a secret. */
const postgresTarget = strict({
  name: dnsLabel.describe("Names the exporter Deployment."),
  dsn: secretString.describe("The connection string the exporter uses; it carries credentials."),
  port: port.default(5432).describe("Where the database listens, for the exporter's egress NetworkPolicy."),
});

/** A PostgreSQL database of `metrics.exporters.postgres`, exported by a postgres-exporter of its own. */
export interface PostgresTarget extends Identity<z.input<typeof postgresTarget>> {}

/** A Redis the stack runs a redis-exporter for. */
const redisTarget = strict({
  name: dnsLabel.describe("Names the exporter Deployment."),
  address: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:[0-9]+$/, "must be host:port such as redis.shop.svc:6379")
    .describe("Where Redis listens."),
  password: secretString.optional().describe("Redis' password."),
});

/** A Redis of `metrics.exporters.redis`, exported by a redis-exporter of its own. */
export interface RedisTarget extends Identity<z.input<typeof redisTarget>> {}

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

/** A rule of a scrape job's `relabel_configs` or `metric_relabel_configs`, as Prometheus' relabel_config. */
export interface RelabelConfig extends Identity<z.input<typeof relabelConfig>> {}
const namedRelabelConfig = named<RelabelConfig>()(relabelConfig);

const staticTargets = strict({
  targets: z
    .array(hostPort("orders.shop.svc:8080"))
    .min(1, "must list at least one target")
    .describe("host:port of each target."),
  labels: z.record(labelName, z.string()).optional().describe("Labels added to these targets' series."),
});
/** Fixed targets of a scrape job (Prometheus' static_config). */
export interface StaticTargets extends Identity<z.input<typeof staticTargets>> {}

const kubernetesDiscovery = strict({
  role: z
    .enum(["pod", "service", "endpointslice"])
    .describe("What discovery lists: pods, Services or EndpointSlices."),
  namespaces: strict({ names: z.array(dnsLabel).min(1, "must list at least one namespace") }),
  ports: z
    .array(port)
    .min(1, "must list at least one port")
    .optional()
    .describe("Where Prometheus may connect in those namespaces; every port when unset."),
});
/** Kubernetes discovery of a scrape job in named namespaces (Prometheus' kubernetes_sd_config). */
export interface KubernetesDiscovery extends Identity<z.input<typeof kubernetesDiscovery>> {}

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
  sample_limit: scrapeLimit
    .optional()
    .describe(
      "Samples a target may have after metric_relabel_configs; a scrape past it is refused whole. metrics.scrapeLimits.sampleLimit when unset.",
    ),
  label_limit: scrapeLimit
    .optional()
    .describe(
      "Labels a series may have after metric_relabel_configs; a scrape with one past it is refused whole. metrics.scrapeLimits.labelLimit when unset.",
    ),
  static_configs: z
    .array(named<StaticTargets>()(staticTargets))
    .optional()
    .describe("Fixed targets; a Service in the cluster opens the NetworkPolicy to its namespace."),
  kubernetes_sd_configs: z
    .array(named<KubernetesDiscovery>()(kubernetesDiscovery))
    .optional()
    .describe("Kubernetes discovery in named namespaces: RBAC and NetworkPolicy open exactly those."),
  relabel_configs: z
    .array(namedRelabelConfig)
    .optional()
    .describe("Rules over the targets' labels before the scrape."),
  metric_relabel_configs: z
    .array(namedRelabelConfig)
    .optional()
    .describe("Rules over the scraped series before they are stored."),
  basic_auth: strict({ username: nonEmpty, password: secretString })
    .optional()
    .describe("Credentials mounted as a file; not beside authorization."),
  authorization: strict({ type: nonEmpty.optional(), credentials: secretString })
    .optional()
    .describe("A bearer credential mounted as a file."),
  tls_config: strict({
    ca: pemCertificate
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

/** A team's own scrape job (`metrics.extraScrapeConfigs`), under Prometheus' scrape_config field names. */
export interface ExtraScrapeConfig extends Identity<z.input<typeof extraScrapeConfig>> {}

const metricsSectionSchema = strict({
  retentionTime: duration.describe(
    "How long Prometheus keeps samples on its volume, and so how far back its rules read: without metrics.objectStorage no SLO or alert window may be longer (the 3-day ticket window included). With it, the window before the bucket answers dashboards alone, and rules reading further back run in Thanos Ruler over the bucket (metrics.objectStorage.retention.raw bounds them).",
  ),
  retentionSize: byteSize.describe("Prometheus' size-based retention; keep it below metrics.storageSize."),
  storageSize: quantity.describe("Prometheus' volume, per replica."),
  scrapeInterval: duration.describe(
    "Scrape interval of the platform's own jobs and teams' jobs that set none.",
  ),
  evaluationInterval: duration.describe("How often rules are evaluated."),
  replicas: replicas(3).describe("Prometheus replicas; each scrapes and alerts alike."),
  alertmanagerReplicas: replicas(5).describe("Alertmanager replicas, clustered as peers above 1."),
  remoteWrite: strict({
    url: orOutput(
      httpsUrl.refine(
        // An http:// URL already has its own message.
        (u) =>
          !u.startsWith("https://") || /^https:\/\/[^/]+\/workspaces\/[^/]+\/api\/v1\/remote_write$/.test(u),
        "must be an Amazon Managed Prometheus remote-write endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write)",
      ),
    ).describe("The workspace's remote-write endpoint; Grafana queries the workspace URL it starts with."),
    region: awsRegion.describe("The workspace's region."),
    roleArn: orOutput(iamRoleArn).describe("Prometheus' IRSA role (aps:RemoteWrite)."),
    queryRoleArn: orOutput(iamRoleArn).describe(
      "Grafana's IRSA role for querying the workspace (aps:QueryMetrics, GetSeries, GetLabels, GetMetricMetadata).",
    ),
  })
    .optional()
    .describe("Amazon Managed Prometheus via SigV4 and IRSA; eks only."),
  objectStorage: metricsObjectStorage.optional(),
  exporters: strict({
    postgres: z
      .array(named<PostgresTarget>()(postgresTarget))
      .describe("PostgreSQL databases, one postgres-exporter each."),
    redis: z.array(named<RedisTarget>()(redisTarget)).describe("Redis instances, one redis-exporter each."),
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
  scrapeLimits: strict({
    sampleLimit: scrapeLimit.describe(
      "Samples a target may have after metric relabelling (Prometheus' sample_limit), for every job but kube-state-metrics and the API server (clusterWideSampleLimit) and those that set their own; past it every scrape of the target is refused and none of its samples is stored.",
    ),
    clusterWideSampleLimit: scrapeLimit.describe(
      "The sample_limit of kube-state-metrics and the API server, each one target speaking for the whole cluster.",
    ),
    labelLimit: scrapeLimit.describe(
      "Labels a series may have after metric relabelling (Prometheus' label_limit), for every job that sets none; a series past it has every scrape of its target refused.",
    ),
  }).describe(
    "Per-target limits of every scrape job the stack writes: a target that explodes is refused, not stored (ScrapeSampleLimitExceeded).",
  ),
  extraScrapeConfigs: z
    .array(named<ExtraScrapeConfig>()(extraScrapeConfig))
    .describe('Teams\' own scrape jobs, merged into prometheus.yml with tier="app".'),
  annotationDiscovery: strict({
    namespaces: z.array(dnsLabel),
    ports: z
      .array(port)
      .optional()
      .describe(
        "The ports a prometheus.io/scrape pod is scraped on (its prometheus.io/port, else each port it declares), in apps.namespaces and these namespaces; a pod on another port is not scraped, and Prometheus may connect to those namespaces on these ports and apps.services' only. Empty: no annotated pod is scraped. Unset: any port, and a production stack's preview warns.",
      ),
  })
    .superRefine((value, ctx) => {
      reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx);
      reportDuplicates([...(value.ports ?? []).map(String).entries()], ["ports"], ctx);
      if (value.ports?.length === 0 && value.namespaces.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["namespaces"],
          message: "names namespaces whose annotated pods are never scraped: ports is empty",
        });
      }
    })
    .describe(
      "Namespaces whose prometheus.io/scrape pods are scraped besides apps.namespaces' (no Alloy, no tracing ConfigMap); not the stack's own.",
    ),
  nodeExporter: strict({
    authProxy: z
      .boolean({ invalid_type_error: "must be true or false" })
      .describe(
        "node-exporter listens on the node's loopback only, behind kube-rbac-proxy on the node's address: HTTPS (TLS 1.3), and only callers whose token may get the non-resource URL /metrics (Prometheus') are answered. false: node-exporter serves plain HTTP to anyone who reaches the node on its port, which host-network pods put beyond NetworkPolicy.",
      ),
  }).describe("node-exporter on every node."),
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
    nodeFileDescriptorPercent: percent.describe(
      "NodeFileDescriptorsNearLimit: % of a node's file descriptor limit (fs.file-max) allocated.",
    ),
    diskQueueDepth: fromCliText(
      z
        .number({ invalid_type_error: "must be a number of requests above 0" })
        .positive("must be a number of requests above 0"),
    ).describe("NodeDiskIOSaturated: I/O requests a disk has in flight on average (iostat's aqu-sz)."),
    apiServerTerminatedPercent: percent.describe(
      "APIServerRequestsTerminated: % of the API server's requests it ends in self-defence (429 throttling, 504 timeouts).",
    ),
    sampleLimitPercent: percent.describe(
      "ScrapeSamplesNearLimit: a target's samples after metric relabelling, % of its sample_limit.",
    ),
    disabled: disabledAlerts("Prometheus"),
    overrides: promqlAlertOverrides,
  }).describe("Alert thresholds, and the alerts switched off; the alert rules read nothing else."),
  slo: strict({
    availability: objective.describe("Share of requests that succeed."),
    latencyObjective: objective.describe("Share of requests faster than the latency threshold."),
    latencyThresholdSeconds: positiveSeconds.describe(
      "The latency threshold; one of tracing.latencyBucketsSeconds.",
    ),
    window: complianceWindow.describe(
      "The compliance window the error budgets are counted over; no longer than metrics.retentionTime, or with metrics.objectStorage than its retention.raw.",
    ),
  }).describe(
    "Default objectives of every service's HTTP availability and latency SLOs; apps.services[].slo overrides per service.",
  ),
  slos: slosField,
  openSloFiles: openSloFiles.describe(
    "Files of OpenSLO v1 documents of every kind (paths from the project root, or from a program {name, content}; several documents or a YAML list a file), references resolved across the files, each SLO translated to a metrics.slos entry with its alert policies; what Prometheus rules cannot mean is refused with the reason.",
  ),
  slothFiles: slothFiles.describe(
    "Files of Sloth SLO specs (prometheus/v1, or Sloth's Kubernetes PrometheusServiceLevel; paths from the project root, or from a program {name, content}), each SLO translated to a metrics.slos entry with Sloth's page and ticket alerts.",
  ),
  slothWindow: sloWindow
    .optional()
    .describe(
      "The compliance window of every SLO of metrics.slothFiles, as Sloth's --default-slo-period sets it; a calendar period ({calendar: month, timeZone: Europe/Berlin}) counts each budget from the period's start. Their alerts keep Sloth's windows and burn rates. Default Sloth's 30d.",
    ),
  extraRuleFiles: z
    .array(extraRuleFile("PromQL"))
    .describe(
      "Teams' own Prometheus rule files (paths from the project root, or from a program {name, content}), checked when the config loads and loaded beside the stack's.",
    ),
}).describe("Prometheus, Alertmanager, exporters and rules.");

/** The schema of the `metrics` section, by name (see Identity). */
export interface MetricsSectionSchema extends Identity<typeof metricsSectionSchema> {}
export const metricsSection: MetricsSectionSchema = metricsSectionSchema;
