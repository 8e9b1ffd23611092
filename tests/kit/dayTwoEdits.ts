// The stack-config edits of a stack's second day, each made alone on the committed stack file, with
// the verdict `npm run review` must give on each stack. docs/day-two.md's table is the review's
// own verdicts on these edits (npm run docs), and tests/scenarios/dayTwoEdits.test.ts holds each to
// its expected verdict.
import type { PulumiConfig } from "../../config";
import type { StackConfig } from "../../review/configEdit";
import type { Verdict } from "../../review/review";
import { PROJECT_ROOT } from "../../render/renderStack";
import { SECRET_PLACEHOLDER, readStackFile } from "../../render/stackFile";
import { StackName } from "./stacks";
import {
  addAppService,
  addTeamRuleFiles,
  configSetJson,
  configSetPath,
  mirrorImagesLinuxOnly,
  muteTeamRoutesOffHours,
  routeTeamAlerts,
} from "./userEdits";

export interface DayTwoEdit {
  /** What the user does, as the table says it. */
  readonly title: string;
  /** The config keys the edit sets, as the table's first column names them. */
  readonly keys: readonly string[];
  /** The edit, on a stack's config (`profile` is kind or eks). */
  readonly edit: (stack: StackConfig) => StackConfig;
  /**
   * The stack the edit is made on, where the committed stack file already has it: the committed
   * file as it was before (the edit's review is then of that stack, deployed, updated by the edit).
   */
  readonly from?: (stack: StackConfig) => StackConfig;
  /** The verdict the review must give on each stack. */
  readonly verdict: Readonly<Record<StackName, Verdict>>;
}

const isEks = (config: PulumiConfig) => config["observability:profile"] === "eks";

/** An edit of plain (not secret) values. */
const plain =
  (edit: (config: PulumiConfig) => PulumiConfig) =>
  (stack: StackConfig): StackConfig => ({ ...stack, config: edit(stack.config) });

/** A section's current value, parsed. */
const section = (config: PulumiConfig, name: string): Record<string, unknown> =>
  JSON.parse(config[`observability:${name}`] ?? "{}") as Record<string, unknown>;

/** A value of the stack's config, or the same on both stacks. */
type ValueOf<T> = T | ((config: PulumiConfig) => T);
const valueOf = <T>(value: ValueOf<T>, config: PulumiConfig): T =>
  typeof value === "function" ? (value as (config: PulumiConfig) => T)(config) : value;

/** The edit that sets one key to text, as `pulumi config set --path` does. */
const setPath = (key: string, value: ValueOf<string>) => ({
  keys: [key],
  edit: plain((c) => configSetPath(c, key, valueOf(value, c))),
});

/** The edit that sets one key to a JSON value, as `pulumi config set --path --json` does. */
const setJson = (key: string, value: ValueOf<unknown>) => ({
  keys: [key],
  edit: plain((c) => configSetJson(c, key, valueOf(value, c))),
});

/** The metrics bucket Pulumi.prod.yaml turns on: the worked example of metrics.objectStorage. */
const committedObjectStorage = () =>
  section(readStackFile("prod", PROJECT_ROOT).config, "metrics").objectStorage;

export const DAY_TWO_EDITS: readonly DayTwoEdit[] = [
  {
    // kind's rules run in Prometheus, over its 7-day SLO window: 3 days would count 3 of its 7.
    title: "keep metrics for less time (kind 7d → 3d, prod 2d → 1d)",
    ...setPath("metrics.retentionTime", (c) => (isEks(c) ? "1d" : "3d")),
    verdict: { kind: "refused", prod: "data at risk" },
  },
  {
    title: "keep metrics longer (30d)",
    ...setPath("metrics.retentionTime", "30d"),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "grow Prometheus' volume (kind 5Gi → 8Gi, prod 50Gi → 80Gi)",
    ...setPath("metrics.storageSize", (c) => (isEks(c) ? "80Gi" : "8Gi")),
    verdict: { kind: "refused", prod: "no restart" },
  },
  {
    title: "shrink Prometheus' volume (kind 5Gi → 4Gi, prod 50Gi → 40Gi)",
    ...setPath("metrics.storageSize", (c) => (isEks(c) ? "40Gi" : "4Gi")),
    verdict: { kind: "refused", prod: "refused" },
  },
  {
    title: "change the storage class (kind standard → fast, prod gp3 → gp2)",
    ...setPath("storage.className", (c) => (isEks(c) ? "gp2" : "fast")),
    verdict: { kind: "refused", prod: "refused" },
  },
  {
    title: "fewer Loki replicas (prod 3 → 1, replication factor 3 → 1; kind 1 → 3)",
    keys: ["logs.replicas", "logs.replicationFactor"],
    edit: plain((c) =>
      isEks(c)
        ? configSetPath(configSetPath(c, "logs.replicas", "1"), "logs.replicationFactor", "1")
        : configSetPath(configSetPath(c, "logs.replicas", "3"), "logs.replicationFactor", "3"),
    ),
    verdict: { kind: "refused", prod: "data at risk" },
  },
  {
    title: "sample a quarter of traces",
    ...setPath("tracing.samplingProbability", "0.25"),
    verdict: { kind: "no restart", prod: "rolls" },
  },
  {
    title: "page on a 2 % error rate",
    ...setPath("metrics.alerts.errorRatePercent", "2"),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "switch off a noisy alert by name (CPUThrottlingHigh, and the log alert LogsStopped)",
    keys: ["metrics.alerts.disabled", "logs.alerts.disabled"],
    edit: plain((c) =>
      configSetJson(
        configSetJson(c, "metrics.alerts.disabled", ["CPUThrottlingHigh"]),
        "logs.alerts.disabled",
        ["LogsStopped"],
      ),
    ),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title:
      "page on an image that fails to pull for 30 minutes (ContainerImagePullFailing: warning after 10m → critical after 30m)",
    ...setJson("metrics.alerts.overrides", {
      ContainerImagePullFailing: { for: "30m", severity: "critical" },
    }),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "a team's scrape job (Kafka's brokers in namespace kafka)",
    ...setJson("metrics.extraScrapeConfigs", [
      {
        job_name: "kafka",
        kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["kafka"] } }],
        relabel_configs: [
          {
            source_labels: ["__meta_kubernetes_service_name"],
            regex: "kafka-metrics",
            action: "keep",
          },
        ],
      },
    ]),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "a team's alert rules, for Prometheus and Loki (tests/unit/extend/rules/payments.*)",
    keys: ["metrics.extraRuleFiles", "logs.extraRuleFiles"],
    edit: plain(addTeamRuleFiles),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "a team's scrape job behind basic auth, its password set with --secret",
    keys: ["metrics.extraScrapeConfigs"],
    edit: (stack) => ({
      config: configSetJson(stack.config, "metrics.extraScrapeConfigs", [
        {
          job_name: "billing-legacy",
          static_configs: [{ targets: ["billing-exporter.billing.svc:9187"] }],
          basic_auth: { username: "prometheus", password: SECRET_PLACEHOLDER },
        },
      ]),
      secretKeys: [...new Set([...stack.secretKeys, "observability:metrics"])],
    }),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "another app service (notification-service)",
    keys: ["apps.services"],
    edit: plain(addAppService),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "let one app's pods expose more series (stats-service's sample_limit 20,000 → 50,000)",
    keys: ["apps.services[].sampleLimit"],
    edit: plain((c) => configSetPath(c, "apps.services.4.sampleLimit", "50000")),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "ServiceMonitors and PodMonitors of cert-manager, without the operator",
    ...setJson("metrics.prometheusOperatorMonitors", { enabled: true, namespaces: ["cert-manager"] }),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "a team's mailbox for its alerts, silence links at a public URL",
    keys: ["alerting.receivers", "alerting.routes", "alerting.externalUrls.alertmanager"],
    edit: plain(routeTeamAlerts),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "serve node-exporter without its authenticating proxy (plain HTTP on each node's address)",
    keys: ["metrics.nodeExporter.authProxy"],
    edit: plain((c) => configSetPath(c, "metrics.nodeExporter.authProxy", "false")),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "put node-exporter behind its authenticating proxy (the default)",
    keys: ["metrics.nodeExporter.authProxy"],
    from: plain((c) => configSetPath(c, "metrics.nodeExporter.authProxy", "false")),
    edit: plain((c) => configSetPath(c, "metrics.nodeExporter.authProxy", "true")),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "quiet hours: the team's route muted at night and at weekends (UTC)",
    keys: ["alerting.timeIntervals", "alerting.routes"],
    from: plain(routeTeamAlerts),
    edit: plain(muteTeamRoutesOffHours),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "a team's dashboards (tests/unit/extend/dashboards/payments, folder Payments)",
    ...setJson("grafana.extraDashboards", [
      { folder: "Payments", path: "tests/unit/extend/dashboards/payments" },
    ]),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "scrape annotated pods in another namespace (payments-batch; where the ports are listed, on 9102)",
    keys: ["metrics.annotationDiscovery.namespaces"],
    edit: plain((c) => {
      const ports = (section(c, "metrics").annotationDiscovery as { ports?: number[] } | undefined)?.ports;
      return configSetJson(c, "metrics.annotationDiscovery", {
        namespaces: ["payments-batch"],
        ...(ports === undefined ? {} : { ports: [...ports, 9102] }),
      });
    }),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "scrape annotated pods on the ports listed only (kind: 8080; prod: any port again)",
    keys: ["metrics.annotationDiscovery.ports"],
    edit: plain((c) =>
      isEks(c)
        ? configSetJson(c, "metrics.annotationDiscovery", { namespaces: [] })
        : configSetJson(c, "metrics.annotationDiscovery", { namespaces: [], ports: [8080] }),
    ),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "single sign-on through GitHub, its client secret set with --secret",
    keys: ["grafana.sso"],
    edit: (stack) => ({
      config: {
        ...stack.config,
        "observability:grafana": JSON.stringify({
          ...section(stack.config, "grafana"),
          sso: {
            provider: "github",
            clientId: "Iv1.0123456789abcdef",
            clientSecret: SECRET_PLACEHOLDER,
            allowedOrganizations: ["tiketi"],
            roleMapping: { "tiketi/platform": "Admin" },
          },
        }),
      },
      secretKeys: [...new Set([...stack.secretKeys, "observability:grafana"])],
    }),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "a newer Grafana (12.1.1 → 12.2.0)",
    ...setPath("images.grafana", "docker.io/grafana/grafana:12.2.0"),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "rotate Grafana's admin password",
    ...setPath("grafana.credentialsRotation", "2"),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "every image through a mirror, Linux nodes only",
    keys: ["images.registry", "placement.default.nodeSelector"],
    edit: plain(mirrorImagesLinuxOnly),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "more Prometheus replicas (kind 1 → 2, which adds Thanos Query; prod 2 → 3)",
    ...setPath("metrics.replicas", (c) => (isEks(c) ? "3" : "2")),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "more Alertmanagers (kind 1 → 3, prod 3 → 5)",
    ...setPath("metrics.alertmanagerReplicas", (c) => (isEks(c) ? "5" : "3")),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "tail sampling on (kind) or off (prod)",
    ...setPath("tracing.tailSampling.enabled", (c) => (isEks(c) ? "false" : "true")),
    verdict: { kind: "rolls", prod: "rolls" },
  },
  {
    title: "hold an hour of Tempo outage (kind 1Gi queue, prod 10Gi)",
    keys: ["tracing.queue.outageMinutes", "tracing.queue.storageSize"],
    edit: plain((c) =>
      configSetPath(
        configSetPath(c, "tracing.queue.outageMinutes", "60"),
        "tracing.queue.storageSize",
        isEks(c) ? "10Gi" : "1Gi",
      ),
    ),
    verdict: { kind: "refused", prod: "rolls" },
  },
  {
    title: "observe the apps' Istio mesh (tiketi-spring meshed, with Kiali)",
    ...setJson("mesh.istio", { enabled: true, namespaces: ["tiketi-spring"] }),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title: "switch Alloy's collection mode (kind api → node, prod node → api)",
    ...setPath("logs.collectionMode", (c) => (isEks(c) ? "api" : "node")),
    verdict: { kind: "data at risk", prod: "replaced" },
  },
  {
    title: "stop shipping the cluster's events to Loki",
    ...setPath("logs.clusterEvents", "false"),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title:
      "turn metrics.objectStorage on (prod: its sidecars upload what the volumes hold, keeping the retention; a later update shortens it)",
    keys: ["metrics.objectStorage"],
    // Before the bucket, Prometheus kept the month the SLO windows count.
    from: plain((c) => {
      if (!isEks(c)) return c;
      const metrics = section(c, "metrics");
      delete metrics.objectStorage;
      return { ...c, "observability:metrics": JSON.stringify({ ...metrics, retentionTime: "30d" }) };
    }),
    edit: plain((c) => configSetJson(c, "metrics.objectStorage", committedObjectStorage())),
    verdict: { kind: "refused", prod: "rolls" },
  },
  {
    // kind has no Ingress: the key alone is an Ingress without its host.
    title: "admit the UIs from a fourth zone's load balancer subnet (prod)",
    keys: ["exposure.ingress.loadBalancerCidrs"],
    edit: plain((c) => {
      const cidrs = (section(c, "exposure").ingress as { loadBalancerCidrs?: string[] } | undefined)
        ?.loadBalancerCidrs;
      return configSetJson(c, "exposure.ingress.loadBalancerCidrs", [...(cidrs ?? []), "10.0.48.0/20"]);
    }),
    verdict: { kind: "refused", prod: "no restart" },
  },
  {
    title: "serve the UIs over TLS 1.3 only (prod)",
    ...setPath("exposure.ingress.sslPolicy", "ELBSecurityPolicy-TLS13-1-3-2021-06"),
    verdict: { kind: "refused", prod: "no restart" },
  },
  {
    // kind keeps its metrics on the volume: objectStorage is refused there.
    title: "move the store gateways to an IAM role of their own (prod)",
    ...setPath(
      "metrics.objectStorage.storeRoleArn",
      "arn:aws:iam::111111111111:role/tiketi-prod-thanos-reader",
    ),
    verdict: { kind: "refused", prod: "rolls" },
  },
  {
    title:
      "let the workloads reach the API server at its addresses only (kind: the control-plane node's network)",
    ...setJson("cluster.apiServerCidrs", (c: PulumiConfig) =>
      isEks(c) ? ["10.0.64.0/19", "10.0.96.0/19"] : ["172.18.0.0/16"],
    ),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    title:
      "scrape the kubelets and node-exporter at the nodes' addresses only (prod: two of its subnets; kind: the nodes' network)",
    ...setJson("cluster.nodeCidrs", (c: PulumiConfig) =>
      isEks(c) ? ["10.0.64.0/19", "10.0.96.0/19"] : ["172.18.0.0/16"],
    ),
    verdict: { kind: "no restart", prod: "no restart" },
  },
  {
    // kind has no buckets: the key alone is refused there.
    title: "reach S3 and STS through one more network (prod: a fourth zone's STS endpoint subnet)",
    keys: ["storage.endpointCidrs"],
    edit: plain((c) => {
      const cidrs = (section(c, "storage") as { endpointCidrs?: string[] }).endpointCidrs;
      return configSetJson(c, "storage.endpointCidrs", [...(cidrs ?? []), "10.0.192.0/19"]);
    }),
    verdict: { kind: "refused", prod: "no restart" },
  },
  {
    // kind has no database: the key alone is a database without its host.
    title: "move Grafana's database to other subnets (prod)",
    ...setJson("grafana.database.cidrs", ["10.0.170.0/24", "10.0.171.0/24"]),
    verdict: { kind: "refused", prod: "no restart" },
  },
  {
    // prod has no NodePort: the key alone is refused there.
    title: "close the NodePorts to a cluster's own pod range (kind created with podSubnet 10.245.0.0/16)",
    ...setJson("exposure.podCidrs", ["10.245.0.0/16"]),
    verdict: { kind: "no restart", prod: "refused" },
  },
];
