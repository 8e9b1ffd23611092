// The mistakes users make in a stack file, and the ordinary edits they make, section by section:
// each a change of a committed stack file as the CLI would store it. The bad-input suite
// (tests/unit/configChecks/badInput.test.ts) holds the config to them; the server test
// (tests/servers/configGrammar.test.ts) holds the real servers to the same regexes and expressions.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackName } from "../kit/stacks";
import type { PulumiConfig } from "../../config";
import { configSetJson, configSetPath } from "../kit/userEdits";

/** Where a regex or an expression ends up, and so which server's grammar decides it. */
export type Grammar = "relabel" | "drop" | "matcher" | "PromQL" | "LogQL";

export interface Mutation {
  /** The config section (`metrics`, `alerting`…), or `stack file` for the file as a whole. */
  readonly section: string;
  readonly title: string;
  readonly stack: StackName;
  readonly edit: (config: PulumiConfig) => Record<string, string>;
  /** `namespace:key`s the edit sets with --secret. */
  readonly secretKeys?: readonly string[];
}

interface BadMutation extends Mutation {
  /** The key the problem must name, as the message starts. */
  readonly key: string;
  /** What the message must say is allowed. */
  readonly allowed: string;
  /** Text of the edit the message must not show (a credential). */
  readonly hidden?: string;
  /** The refused text as its server gets it: that server must refuse it too. */
  readonly refused?: { readonly grammar: Grammar; readonly text: string };
}

let scratch: string | undefined;
/** A team's file outside the repository, by the path relative to the project root a stack file gives. */
function teamFile(name: string, text: string): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), "config-mutations-"));
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return path.relative(process.cwd(), file);
}

/** Removes the files the mutations wrote. */
export function removeTeamFiles(): void {
  if (scratch !== undefined) {
    fs.rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  }
}

const ruleFile = (alert: string, expr: string) =>
  `groups:\n  - name: team-${alert.toLowerCase()}\n    rules:\n      - alert: ${alert}\n        expr: ${JSON.stringify(expr)}\n        labels:\n          severity: warning\n`;

/** A team's scrape job whose relabel rules (and metric relabel rules) use `regex`. */
const jobWithRegex = (
  regex: string,
  where: "relabel_configs" | "metric_relabel_configs" = "relabel_configs",
) => [
  {
    job_name: "orders",
    static_configs: [{ targets: ["orders.shop.svc:8080"] }],
    [where]: [{ source_labels: ["__name__"], regex, action: "drop" }],
  },
];

const routeTo = (matchers: readonly string[]) => ({
  receivers: [{ name: "payments", webhook: [{ url: "https://alerts.example.com/payments" }] }],
  routes: [{ matchers, receiver: "payments" }],
});

/** A route to a team's webhook that mutes (or, `active`, notifies only) during the interval `quiet` of `periods`. */
/** The stack file's `alerting` section with `value`'s keys set, as a team edits it: prod keeps its Slack channel. */
const editAlerting = (c: PulumiConfig, value: Readonly<Record<string, unknown>>): PulumiConfig =>
  configSetJson(c, "alerting", { ...(JSON.parse(c["observability:alerting"] ?? "{}") as object), ...value });

const quietHours = (periods: readonly unknown[], intervals: Record<string, unknown> = {}) => ({
  receivers: [{ name: "payments", webhook: [{ url: "https://alerts.example.com/payments" }] }],
  routes: [
    { matchers: ['namespace="payments"'], receiver: "payments", muteTimeIntervals: ["quiet"], ...intervals },
  ],
  timeIntervals: [{ name: "quiet", periods }],
});

const METRICS_BUCKET = {
  bucket: "observability-metrics",
  region: "eu-west-1",
  roleArn: "arn:aws:iam::123456789012:role/observability-thanos-sidecar",
  storeRoleArn: "arn:aws:iam::123456789012:role/observability-thanos-store",
  compactorRoleArn: "arn:aws:iam::123456789012:role/observability-thanos-compactor",
};
const AMP_REMOTE_WRITE = {
  url: "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789/api/v1/remote_write",
  region: "ap-northeast-2",
  roleArn: "arn:aws:iam::111111111111:role/tiketi-prod-amp-writer",
  queryRoleArn: "arn:aws:iam::111111111111:role/tiketi-prod-grafana-amp",
};
// The config reads a PEM's armour, not its body (Thanos reads the files): these are shaped as
// openssl writes them, with their bodies cut short.
const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBmTCCAT+gAwIBAgIU\n-----END CERTIFICATE-----\n";
const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n";

const KUBECONFIG_CONTENTS = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "kind-observability", cluster: { server: "https://127.0.0.1:6443" } }],
  contexts: [{ name: "kind-observability", context: { cluster: "kind-observability", user: "admin" } }],
  users: [{ name: "admin", user: {} }],
});

const KUBECONFIG_TOKEN = "sentinel-kubeconfig-token";
/** The `users:` part of a kubeconfig alone, as a paste cut short leaves it. */
const KUBECONFIG_USERS_ONLY = `users:\n- name: admin\n  user:\n    token: ${KUBECONFIG_TOKEN}\n`;

const SLACK_WEBHOOK = "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdEFGH1234";

export const BAD_MUTATIONS: readonly BadMutation[] = [
  // The stack file as a whole
  {
    section: "stack file",
    title: "a misspelt project namespace",
    stack: "kind",
    edit: (c) => {
      const { "observability:metrics": metrics, ...rest } = c;
      return { ...rest, "observabilty:metrics": metrics ?? '{"retentionTime":"30d"}' };
    },
    key: "observabilty:metrics",
    allowed: "did you mean observability:metrics?",
  },
  {
    section: "stack file",
    title: "a misspelt provider namespace",
    stack: "prod",
    edit: (c) => ({ ...c, "kubernets:enableServerSideApply": "true" }),
    key: "kubernets:enableServerSideApply",
    allowed: "did you mean kubernetes:enableServerSideApply?",
  },
  // cluster
  {
    section: "cluster",
    title: "a kubeconfig path with a typo",
    stack: "kind",
    edit: (c) => configSetPath(c, "cluster.kubeconfig", "kind/no-such-kubeconfig"),
    key: "observability:cluster.kubeconfig",
    allowed: `must be the path of a kubeconfig file or its contents (YAML with apiVersion and clusters); there is no file at ${path.resolve("kind/no-such-kubeconfig")}`,
  },
  {
    section: "cluster",
    title: "a kubeconfig's contents pasted without its clusters",
    stack: "kind",
    edit: (c) => configSetPath(c, "cluster.kubeconfig", KUBECONFIG_USERS_ONLY),
    key: "observability:cluster.kubeconfig",
    allowed: "it holds text of several lines, which is neither",
    hidden: KUBECONFIG_TOKEN,
  },
  {
    section: "cluster",
    title: "an env label in capitals",
    stack: "prod",
    edit: (c) => configSetPath(c, "cluster.env", "Prod"),
    key: "observability:cluster.env",
    allowed: "must be a DNS-1123 label",
  },
  // apps
  {
    section: "apps",
    title: "a service name with an underscore",
    stack: "kind",
    edit: (c) => configSetJson(c, "apps.services", [{ name: "auth_service", port: 3005 }]),
    key: "observability:apps.services[0].name",
    allowed: "must be a DNS-1123 label",
  },
  {
    section: "apps",
    title: "a port given as host:port",
    stack: "kind",
    edit: (c) => configSetJson(c, "apps.services", [{ name: "auth-service", port: "auth:3005" }]),
    key: "observability:apps.services[0].port",
    allowed: "must be a port number between 1 and 65535",
  },
  {
    section: "apps",
    title: "one app's sample limit lifted with 0",
    stack: "kind",
    edit: (c) => configSetPath(c, "apps.services.4.sampleLimit", "0"),
    key: "observability:apps.services[4].sampleLimit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  {
    section: "apps",
    title: "an app's label limit as a fraction",
    stack: "prod",
    edit: (c) => configSetPath(c, "apps.services.0.labelLimit", "40.5"),
    key: "observability:apps.services[0].labelLimit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  // metrics
  {
    section: "metrics",
    title: "a retention in words",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.retentionTime", "7 days"),
    key: "observability:metrics.retentionTime",
    allowed: "must be a duration such as 30s, 5m, 24h or 7d",
  },
  {
    section: "metrics",
    title: "an SLO counted over a calendar year",
    stack: "prod",
    edit: (c) => configSetJson(c, "metrics.slos.0.window", { calendar: "year", timeZone: "Europe/Berlin" }),
    key: "observability:metrics.slos[0].window.calendar",
    allowed: 'must be one of "week", "month", "quarter"',
  },
  {
    section: "metrics",
    title: "an SLO's calendar week in a city, not a time zone",
    stack: "prod",
    edit: (c) =>
      configSetPath(
        configSetJson(c, "metrics.slos.0.window", { calendar: "week", timeZone: "Berlin" }),
        "metrics.retentionTime",
        "7d",
      ),
    key: "observability:metrics.slos[0].window.timeZone",
    allowed: "must be an IANA time zone such as Europe/Berlin, America/New_York or UTC",
  },
  {
    section: "metrics",
    title: "an SLO's calendar quarter where the bucket keeps 32 days of raw samples",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.slos.0.window", { calendar: "quarter", timeZone: "Europe/Berlin" }),
    key: "observability:metrics.slos[0].window",
    allowed:
      "is calendar quarter (Europe/Berlin) (up to 92d), longer than metrics.objectStorage.retention.raw (32d): Thanos Ruler evaluates the long windows over the bucket's raw samples only",
  },

  {
    section: "metrics",
    title: "the HTTP SLOs over 30 days where Prometheus keeps 7 and no bucket",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.slo.window", "30d"),
    key: "observability:metrics.slo.window",
    allowed: "is 30d, longer than metrics.retentionTime (7d)",
  },
  {
    section: "metrics",
    title: "Sloth's specs over 60 days where the bucket keeps 32 days of raw samples",
    stack: "prod",
    edit: (c) =>
      configSetPath(
        configSetJson(c, "metrics.slothFiles", ["tests/unit/slo/sloth/getting-started.yml"]),
        "metrics.slothWindow",
        "60d",
      ),
    key: "observability:metrics.slothWindow",
    allowed: "is 60d, longer than metrics.objectStorage.retention.raw (32d)",
  },
  {
    section: "metrics",
    title: "a team rule reading 40 days back where the bucket keeps 32 days of raw samples",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.extraRuleFiles", [
        teamFile("capacity.rules.yml", ruleFile("CapacityTrend", "deriv(up[40d]) < 0")),
      ]),
    key: "observability:metrics.extraRuleFiles[0]",
    allowed: "groups[0].rules[0].expr reads 40d back, longer than metrics.objectStorage.retention.raw (32d)",
  },
  {
    section: "metrics",
    title: "a relabel regex with a negative lookahead",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.extraScrapeConfigs", jobWithRegex("(?!go_).*")),
    key: "observability:metrics.extraScrapeConfigs[0].relabel_configs[0].regex",
    allowed: "must be a regular expression in RE2 syntax, as Prometheus compiles it",
    refused: { grammar: "relabel", text: "(?!go_).*" },
  },
  {
    section: "metrics",
    title: "a metric relabel regex with a lookbehind",
    stack: "prod",
    edit: (c) =>
      configSetJson(
        c,
        "metrics.extraScrapeConfigs",
        jobWithRegex("(?<!_total)_count", "metric_relabel_configs"),
      ),
    key: "observability:metrics.extraScrapeConfigs[0].metric_relabel_configs[0].regex",
    allowed: "must be a regular expression in RE2 syntax, as Prometheus compiles it",
    refused: { grammar: "relabel", text: "(?<!_total)_count" },
  },
  {
    section: "metrics",
    title: "a relabel regex with a backreference",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.extraScrapeConfigs", jobWithRegex("(a+)\\1")),
    key: "observability:metrics.extraScrapeConfigs[0].relabel_configs[0].regex",
    allowed: "must be a regular expression in RE2 syntax, as Prometheus compiles it",
    refused: { grammar: "relabel", text: "(a+)\\1" },
  },
  {
    section: "metrics",
    title: "a team rule with an unclosed parenthesis",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "metrics.extraRuleFiles", [
        teamFile("orders.rules.yml", ruleFile("OrdersErrors", "sum(rate(http_requests_total[5m]) > 1")),
      ]),
    key: "observability:metrics.extraRuleFiles[0]",
    allowed:
      'must hold valid PromQL in every rule: group "team-orderserrors", alert OrdersErrors (groups[0].rules[0].expr) does not parse as PromQL at 1:',
    refused: { grammar: "PromQL", text: "sum(rate(http_requests_total[5m]) > 1" },
  },
  {
    section: "metrics",
    title: "a team rule with a LogQL line filter in PromQL",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.extraRuleFiles", [
        teamFile(
          "orders-logs.rules.yml",
          ruleFile("OrdersLogErrors", 'count_over_time({app="orders"} |= "ERROR" [5m]) > 0'),
        ),
      ]),
    key: "observability:metrics.extraRuleFiles[0]",
    allowed: "does not parse as PromQL at 1:",
    refused: { grammar: "PromQL", text: 'count_over_time({app="orders"} |= "ERROR" [5m]) > 0' },
  },
  {
    section: "metrics",
    title: "a team rule whose label matcher has a lookahead",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "metrics.extraRuleFiles", [
        teamFile("orders-regex.rules.yml", ruleFile("OrdersDown", 'up{job=~"(?!canary).*orders"} == 0')),
      ]),
    key: "observability:metrics.extraRuleFiles[0]",
    allowed:
      "(groups[0].rules[0].expr) has a regular expression at 1:9 that is not RE2, as Prometheus compiles it",
    refused: { grammar: "PromQL", text: 'up{job=~"(?!canary).*orders"} == 0' },
  },
  {
    section: "metrics",
    title: "a rule file that is not there",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.extraRuleFiles", ["rules/orders.rules.yml"]),
    key: "observability:metrics.extraRuleFiles[0]",
    allowed: `must name a readable rule file, relative to the project root; tried ${path.resolve("rules/orders.rules.yml")}`,
  },
  {
    section: "metrics",
    title: "the default sample limit in thousands",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.scrapeLimits.sampleLimit", "20k"),
    key: "observability:metrics.scrapeLimits.sampleLimit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  {
    section: "metrics",
    title: "no limit on the cluster-wide targets",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.scrapeLimits.clusterWideSampleLimit", "0"),
    key: "observability:metrics.scrapeLimits.clusterWideSampleLimit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  {
    section: "metrics",
    title: "a negative label limit",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.scrapeLimits.labelLimit", "-1"),
    key: "observability:metrics.scrapeLimits.labelLimit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  {
    section: "metrics",
    title: "a team's job with no sample limit (0)",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.extraScrapeConfigs", [
        { job_name: "kafka", static_configs: [{ targets: ["kafka.kafka.svc:9308"] }], sample_limit: 0 },
      ]),
    key: "observability:metrics.extraScrapeConfigs[0].sample_limit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  {
    section: "metrics",
    title: "a team's job with its label limit in words",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "metrics.extraScrapeConfigs", [
        { job_name: "kafka", static_configs: [{ targets: ["kafka.kafka.svc:9308"] }], label_limit: "sixty" },
      ]),
    key: "observability:metrics.extraScrapeConfigs[0].label_limit",
    allowed: "must be a whole number above 0 (Prometheus reads 0 as no limit at all)",
  },
  {
    section: "metrics",
    title: "a near-limit alert at 120 % of the limit",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.alerts.sampleLimitPercent", "120"),
    key: "observability:metrics.alerts.sampleLimitPercent",
    allowed: "must be a percentage above 0 and at most 100",
  },
  {
    section: "metrics",
    title: "an error-rate threshold above 100 %",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.alerts.errorRatePercent", "150"),
    key: "observability:metrics.alerts.errorRatePercent",
    allowed: "must be a percentage above 0 and at most 100",
  },
  {
    section: "metrics",
    title: "a disk queue depth of zero",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.alerts.diskQueueDepth", "0"),
    key: "observability:metrics.alerts.diskQueueDepth",
    allowed: "must be a number of requests above 0",
  },
  {
    section: "metrics",
    title: "an alert switched off under a misspelt name",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.alerts.disabled", ["CPUThrotlingHigh"]),
    key: "observability:metrics.alerts.disabled[0]",
    allowed: "(did you mean CPUThrottlingHigh?)",
  },
  {
    section: "metrics",
    title: "the Watchdog switched off",
    stack: "prod",
    edit: (c) => configSetJson(c, "metrics.alerts.disabled", ["Watchdog"]),
    key: "observability:metrics.alerts.disabled[0]",
    allowed: "cannot name the Watchdog",
  },
  {
    section: "metrics",
    title: "an alert switched off twice",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.alerts.disabled", ["CPUThrottlingHigh", "CPUThrottlingHigh"]),
    key: "observability:metrics.alerts.disabled[1]",
    allowed: "must be unique",
  },
  {
    section: "metrics",
    title: "an alert's severity overridden with a typo",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.alerts.overrides", { HighCPU: { severity: "critcal" } }),
    key: "observability:metrics.alerts.overrides.HighCPU.severity",
    allowed: "did you mean critical?",
  },
  {
    section: "metrics",
    title: "a team rule whose severity no route reads, with nothing to say whether it pages",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "metrics.extraRuleFiles", [
        teamFile("orders-page.rules.yml", ruleFile("OrdersDown", "up == 0").replace("warning", "pageteam")),
      ]),
    key: "observability:metrics.extraRuleFiles[0]",
    allowed:
      "nothing says whether the alert should page: add a route to alerting.routes that matches it, or set alerting.otherSeverities to warning",
  },
  {
    section: "metrics",
    title: "an alert's severity overridden with a word no route reads",
    stack: "prod",
    edit: (c) => configSetJson(c, "metrics.alerts.overrides", { HighCPU: { severity: "sev2" } }),
    key: "observability:metrics.alerts.overrides.HighCPU.severity",
    allowed: "or set alerting.otherSeverities to warning",
  },
  {
    section: "metrics",
    title: "an override of an alert the stack does not have",
    stack: "prod",
    edit: (c) => configSetJson(c, "metrics.alerts.overrides", { HighCpu: { for: "30m" } }),
    key: "observability:metrics.alerts.overrides.HighCpu",
    allowed: "(did you mean HighCPU?)",
  },
  {
    section: "metrics",
    title: "an override of an alert switched off",
    stack: "kind",
    edit: (c) =>
      configSetJson(configSetJson(c, "metrics.alerts.disabled", ["HighCPU"]), "metrics.alerts.overrides", {
        HighCPU: { for: "30m" },
      }),
    key: "observability:metrics.alerts.overrides.HighCPU",
    allowed: "drop one of the two",
  },
  {
    section: "metrics",
    title: "a threshold for an alert that compares with no single number",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "metrics.alerts.overrides", { ContainerImagePullFailing: { threshold: 3 } }),
    key: "observability:metrics.alerts.overrides.ContainerImagePullFailing.threshold",
    allowed: "cannot be set: ContainerImagePullFailing's expression compares with no single number",
  },

  {
    section: "metrics",
    title: "a metrics bucket on kind",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.objectStorage", METRICS_BUCKET),
    key: "observability:metrics.objectStorage",
    allowed: "is only supported on profile eks",
  },
  {
    section: "metrics",
    title: "a metrics bucket beside AMP remote write",
    stack: "prod",
    edit: (c) => configSetJson(c, "metrics.remoteWrite", AMP_REMOTE_WRITE),
    key: "observability:metrics.objectStorage",
    allowed: "must not be set beside metrics.remoteWrite",
  },
  {
    section: "metrics",
    title: "a local retention too short for the uploads",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.retentionTime", "2h"),
    key: "observability:metrics.retentionTime",
    allowed: "must be at least 6h with metrics.objectStorage",
  },
  {
    section: "metrics",
    title: "Loki's bucket as the metrics bucket",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.objectStorage.bucket", "tiketi-prod-loki-chunks"),
    key: "observability:metrics.objectStorage.bucket",
    allowed: "must not be storage.s3.loki.bucket",
  },
  {
    section: "metrics",
    title: "raw samples kept for a day",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.objectStorage.retention.raw", "1d"),
    key: "observability:metrics.objectStorage.retention.raw",
    allowed: "must be at least 40h",
  },
  {
    section: "metrics",
    title: "5-minute samples kept for a week",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.objectStorage.retention.fiveMinutes", "7d"),
    key: "observability:metrics.objectStorage.retention.fiveMinutes",
    allowed: "must be at least 10d",
  },
  {
    section: "metrics",
    title: "5-minute samples kept for less time than the raw ones",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.objectStorage.retention.fiveMinutes", "14d"),
    key: "observability:metrics.objectStorage.retention.fiveMinutes",
    allowed: "must be at least raw (32d), or 0d (forever)",
  },
  {
    section: "metrics",
    title: "1-hour samples kept for less time than the 5-minute ones",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.objectStorage.retention.oneHour", "90d"),
    key: "observability:metrics.objectStorage.retention.oneHour",
    allowed: "must be at least fiveMinutes (180d), or 0d (forever)",
  },
  {
    section: "metrics",
    title: "raw samples kept forever, below 5-minute ones kept for a year",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.objectStorage.retention.raw", "0d"),
    key: "observability:metrics.objectStorage.retention.fiveMinutes",
    allowed: "must be at least raw (0d), or 0d (forever)",
  },
  {
    section: "metrics",
    title: "a hub reading another cluster's sidecar without TLS",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.objectStorage.hub", {
        stores: [{ address: "thanos.staging.example.com:443" }],
      }),
    key: "observability:metrics.objectStorage.hub.tls",
    allowed: "is required with hub.stores",
  },
  {
    section: "metrics",
    title: "a hub's client certificate without its key",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.objectStorage.hub", {
        stores: [{ address: "thanos.staging.example.com:443" }],
        tls: { ca: PEM_CERTIFICATE, certificate: PEM_CERTIFICATE },
      }),
    key: "observability:metrics.objectStorage.hub.tls.key",
    allowed: "and tls.certificate go together",
  },
  // logs
  {
    section: "logs",
    title: "a log alert switched off under a metric alert's name",
    stack: "prod",
    edit: (c) => configSetJson(c, "logs.alerts.disabled", ["HighErrorRate"]),
    key: "observability:logs.alerts.disabled[0]",
    allowed: "they hold: LogErrorBurst, LogsStopped",
  },
  {
    section: "logs",
    title: "a drop pattern with a lookahead",
    stack: "kind",
    edit: (c) => configSetJson(c, "logs.dropPatterns", ["^(?!.*ERROR).*GET /actuator/health"]),
    key: "observability:logs.dropPatterns[0]",
    allowed: "must be a regular expression in RE2 syntax, as Alloy compiles it",
    refused: { grammar: "drop", text: "^(?!.*ERROR).*GET /actuator/health" },
  },
  {
    section: "logs",
    title: "a drop pattern with Perl's end-of-text \\Z",
    stack: "prod",
    edit: (c) => configSetJson(c, "logs.dropPatterns", ["healthcheck\\Z"]),
    key: "observability:logs.dropPatterns[0]",
    allowed: "must be a regular expression in RE2 syntax, as Alloy compiles it",
    refused: { grammar: "drop", text: "healthcheck\\Z" },
  },
  {
    section: "logs",
    title: "a team log alert whose range is missing",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "logs.extraRuleFiles", [
        teamFile(
          "orders.logs.yml",
          ruleFile("OrdersLogBurst", 'sum(count_over_time({app="orders"} |= "ERROR")) > 5'),
        ),
      ]),
    key: "observability:logs.extraRuleFiles[0]",
    allowed: "must hold valid LogQL in every rule",
    refused: { grammar: "LogQL", text: 'sum(count_over_time({app="orders"} |= "ERROR")) > 5' },
  },
  {
    // Loki's ruler evaluates samples: a query that returns log lines parses but is no rule.
    section: "logs",
    title: "a team log alert over log lines instead of a count of them",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "logs.extraRuleFiles", [
        teamFile("orders-lines.logs.yml", ruleFile("OrdersErrorLines", '{app="orders"} |= "ERROR"')),
      ]),
    key: "observability:logs.extraRuleFiles[0]",
    allowed: "is a log query: Loki's ruler evaluates only metric queries",
    refused: { grammar: "LogQL", text: '{app="orders"} |= "ERROR"' },
  },
  {
    section: "logs",
    title: "a team log alert whose line filter has a lookbehind",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "logs.extraRuleFiles", [
        teamFile(
          "orders-regex.logs.yml",
          ruleFile("OrdersTimeouts", 'sum(count_over_time({app="orders"} |~ "(?<!read )timeout" [5m])) > 5'),
        ),
      ]),
    key: "observability:logs.extraRuleFiles[0]",
    allowed: "has a regular expression at 1:39 that is not RE2, as Loki compiles it",
    refused: {
      grammar: "LogQL",
      text: 'sum(count_over_time({app="orders"} |~ "(?<!read )timeout" [5m])) > 5',
    },
  },
  {
    section: "logs",
    title: "a retention in words",
    stack: "prod",
    edit: (c) => configSetPath(c, "logs.retention", "two weeks"),
    key: "observability:logs.retention",
    allowed: "must be a duration such as 30s, 5m, 24h or 7d",
  },
  {
    section: "logs",
    title: "the cluster's events switched on with a word",
    stack: "kind",
    edit: (c) => configSetPath(c, "logs.clusterEvents", "yes"),
    key: "observability:logs.clusterEvents",
    allowed: "must be true or false",
  },
  // tracing
  {
    section: "tracing",
    title: "a sampling probability as a percentage",
    stack: "kind",
    edit: (c) => configSetPath(c, "tracing.samplingProbability", "25"),
    key: "observability:tracing.samplingProbability",
    allowed: "must be between 0 and 1",
  },
  {
    section: "tracing",
    title: "latency buckets out of order",
    stack: "prod",
    edit: (c) => configSetJson(c, "tracing.latencyBucketsSeconds", [0.1, 0.5, 0.25, 1]),
    key: "observability:tracing.latencyBucketsSeconds",
    allowed: "must be in increasing order",
  },
  // grafana
  {
    section: "grafana",
    title: "an SSO token URL over http",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "grafana.sso", {
        provider: "generic_oauth",
        clientId: "grafana",
        clientSecret: "s3cret",
        authUrl: "https://id.example.com/auth",
        tokenUrl: "http://id.example.com/token",
        apiUrl: "https://id.example.com/userinfo",
      }),
    secretKeys: ["observability:grafana"],
    key: "observability:grafana.sso.tokenUrl",
    allowed: "must be an https:// URL",
  },
  {
    section: "grafana",
    title: "a replica count in words",
    stack: "kind",
    edit: (c) => configSetPath(c, "grafana.replicas", "two"),
    key: "observability:grafana.replicas",
    allowed: "must be a whole number between 1 and 5",
  },
  {
    section: "grafana",
    title: "a dashboards folder given from the wrong directory",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "grafana.extraDashboards", [{ path: "dashboards/payments", folder: "Payments" }]),
    key: "observability:grafana.extraDashboards[0].path",
    allowed: `must be a folder of dashboard JSON files, relative to the project root; tried ${path.resolve("dashboards/payments")}`,
  },
  // alerting
  {
    section: "alerting",
    title: "a route matcher with a negative lookahead",
    stack: "kind",
    edit: (c) => editAlerting(c, routeTo(['team=~"(?!payments).*"'])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.routes[0].matchers[0]",
    allowed: "must have a regular expression in RE2 syntax after =~, as Alertmanager compiles it",
    refused: { grammar: "matcher", text: 'team=~"(?!payments).*"' },
  },
  {
    section: "alerting",
    title: "otherSeverities given a ticket's word",
    stack: "kind",
    edit: (c) => configSetPath(c, "alerting.otherSeverities", "ticket"),
    key: "observability:alerting.otherSeverities",
    allowed: 'must be one of "warning", "critical", "refuse"',
  },
  {
    section: "alerting",
    title: "a receiver that drops and also posts to a webhook",
    stack: "kind",
    edit: (c) =>
      editAlerting(c, {
        receivers: [{ name: "quiet", drop: true, webhook: [{ url: "https://alerts.example.com/quiet" }] }],
        routes: [{ matchers: ['namespace="staging"'], receiver: "quiet" }],
      }),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.receivers[0].drop",
    allowed: "must not be set beside an integration (webhook)",
  },
  {
    section: "alerting",
    title: "a matcher without quotes",
    stack: "prod",
    edit: (c) => editAlerting(c, routeTo(["team=payments"])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.routes[0].matchers[0]",
    allowed: 'must be a matcher such as namespace="payments" or team=~"a|b"',
  },
  {
    section: "alerting",
    title: "a Slack webhook pasted without its scheme",
    stack: "kind",
    edit: (c) =>
      editAlerting(c, {
        slack: { webhookUrl: SLACK_WEBHOOK.replace("https://", ""), channel: "#alerts" },
      }),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.slack.webhookUrl",
    allowed: "must be a Slack incoming webhook URL such as https://hooks.slack.com/services/T…/B…/…",
  },
  {
    section: "alerting",
    title: "a PagerDuty service URL instead of its routing key",
    stack: "prod",
    edit: (c) =>
      editAlerting(c, {
        receivers: [
          { name: "payments", pagerduty: [{ routingKey: "https://acme.pagerduty.com/services/PABC123" }] },
        ],
        routes: [{ matchers: ['team="payments"'], receiver: "payments" }],
      }),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.receivers[0].pagerduty[0].routingKey",
    allowed: "must be a PagerDuty Events API v2 routing key",
  },
  {
    section: "alerting",
    title: "quiet hours from 9:00, without the leading zero Alertmanager needs",
    stack: "kind",
    edit: (c) => editAlerting(c, quietHours([{ times: [{ start: "9:00", end: "17:00" }] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].times[0].start",
    allowed: "must be a time of day from 00:00 to 23:59 (HH:MM, UTC)",
  },
  {
    section: "alerting",
    title: "night hours across midnight in one range",
    stack: "prod",
    edit: (c) => editAlerting(c, quietHours([{ times: [{ start: "22:00", end: "06:00" }] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].times[0].end",
    allowed: "must be after start (22:00): a range cannot pass midnight",
  },
  {
    section: "alerting",
    title: "a weekend as saturday:sunday, which runs backwards",
    stack: "kind",
    edit: (c) => editAlerting(c, quietHours([{ weekdays: ["saturday:sunday"] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].weekdays[0]",
    allowed: "a week runs from sunday to saturday, so write saturday:sunday as two entries",
  },
  {
    section: "alerting",
    title: "a weekday misspelt",
    stack: "prod",
    edit: (c) => editAlerting(c, quietHours([{ weekdays: ["monday:firday"] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].weekdays[0]",
    allowed: "must be a weekday (sunday, monday, tuesday, wednesday, thursday, friday, saturday; any case)",
  },
  {
    section: "alerting",
    title: "day 0 of the month",
    stack: "kind",
    edit: (c) => editAlerting(c, quietHours([{ daysOfMonth: [0] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].daysOfMonth[0]",
    allowed: "must be a day of the month (1 to 31, or -1 to -31 counted back from its last day)",
  },
  {
    section: "alerting",
    title: "the last week of the month counted back, ending on a day counted forward",
    stack: "prod",
    edit: (c) => editAlerting(c, quietHours([{ daysOfMonth: ["-7:31"] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].daysOfMonth[0]",
    allowed: "must end on a day counted back from the month's end when it starts on one",
  },
  {
    section: "alerting",
    title: "a month 13",
    stack: "kind",
    edit: (c) => editAlerting(c, quietHours([{ months: ["13"] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].months[0]",
    allowed: "must be a month (january to december, any case, or 1 to 12)",
  },
  {
    section: "alerting",
    title: "a winter from november to february in one range",
    stack: "prod",
    edit: (c) => editAlerting(c, quietHours([{ months: ["november:february"] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].months[0]",
    allowed: "a year runs from january to december",
  },
  {
    section: "alerting",
    title: "a range of years given latest first",
    stack: "kind",
    edit: (c) => editAlerting(c, quietHours([{ years: ["2027:2026"] }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].years[0]",
    allowed: "must not end before it starts: give the earlier year first",
  },
  {
    section: "alerting",
    title: "office hours in Europe/Berlin, a zone the image may not hold",
    stack: "prod",
    edit: (c) =>
      editAlerting(c, quietHours([{ times: [{ start: "09:00", end: "17:00" }], location: "Europe/Berlin" }])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods[0].location",
    allowed: "must be UTC: Alertmanager's image may hold no time zone database",
  },
  {
    section: "alerting",
    title: "a time interval with no period",
    stack: "kind",
    edit: (c) => editAlerting(c, quietHours([])),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[0].periods",
    allowed: "must list at least one period",
  },
  {
    section: "alerting",
    title: "two time intervals of one name",
    stack: "prod",
    edit: (c) =>
      editAlerting(c, {
        ...quietHours([{ weekdays: ["saturday", "sunday"] }]),
        timeIntervals: [
          { name: "quiet", periods: [{ weekdays: ["saturday", "sunday"] }] },
          { name: "quiet", periods: [{ times: [{ start: "00:00", end: "07:00" }] }] },
        ],
      }),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.timeIntervals[1]",
    allowed: "must be unique: quiet appears more than once",
  },
  {
    section: "alerting",
    title: "a route muted during a time interval nobody defined",
    stack: "kind",
    edit: (c) =>
      editAlerting(c, {
        ...quietHours([{ weekdays: ["saturday", "sunday"] }]),
        timeIntervals: [{ name: "weekends", periods: [{ weekdays: ["saturday", "sunday"] }] }],
      }),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.routes[0].muteTimeIntervals[0]",
    allowed: "must name a time interval of alerting.timeIntervals: weekends",
  },
  {
    section: "alerting",
    title: "a route active during a time interval, and none is defined",
    stack: "prod",
    edit: (c) =>
      editAlerting(c, {
        ...routeTo(['namespace="payments"']),
        routes: [
          { matchers: ['namespace="payments"'], receiver: "payments", activeTimeIntervals: ["office"] },
        ],
      }),
    secretKeys: ["observability:alerting"],
    key: "observability:alerting.routes[0].activeTimeIntervals[0]",
    allowed: "must name a time interval of alerting.timeIntervals, and none is configured",
  },
  // exposure
  {
    section: "exposure",
    title: "a NodePort outside the NodePort range",
    stack: "kind",
    edit: (c) => configSetPath(c, "exposure.nodePorts.grafana", "3000"),
    key: "observability:exposure.nodePorts.grafana",
    allowed: "must be a NodePort between 30000 and 32767",
  },
  {
    section: "exposure",
    title: "a mode of another chart",
    stack: "kind",
    edit: (c) => configSetPath(c, "exposure.mode", "loadBalancer"),
    key: "observability:exposure.mode",
    allowed: 'must be one of "nodePort", "ingress"',
  },
  // storage
  {
    section: "storage",
    title: "a StorageClass by its description",
    stack: "prod",
    edit: (c) => configSetPath(c, "storage.className", "GP3 volumes"),
    key: "observability:storage.className",
    allowed: "must be a DNS-1123 label",
  },
  // images
  {
    section: "images",
    title: "a floating tag",
    stack: "kind",
    edit: (c) => configSetPath(c, "images.grafana", "grafana/grafana:latest"),
    key: "observability:images.grafana",
    allowed: "must not use the floating tag 'latest'",
  },
  // resources
  {
    section: "resources",
    title: "a CPU limit below its request",
    stack: "kind",
    edit: (c) =>
      configSetPath(
        configSetPath(c, "resources.grafana.requests.cpu", "250m"),
        "resources.grafana.limits.cpu",
        "100m",
      ),
    key: "observability:resources.grafana.limits.cpu",
    allowed: "must be at least requests.cpu (250m): Kubernetes refuses a limit below the request",
  },
  {
    section: "resources",
    title: "an ephemeral-storage limit below its request",
    stack: "prod",
    edit: (c) =>
      configSetPath(
        configSetPath(c, "resources.prometheus.requests.ephemeralStorage", "2Gi"),
        "resources.prometheus.limits.ephemeralStorage",
        "1Gi",
      ),
    key: "observability:resources.prometheus.limits.ephemeralStorage",
    allowed: "must be at least requests.ephemeralStorage (2Gi)",
  },
  {
    section: "resources",
    title: "memory in bytes units of another tool",
    stack: "kind",
    edit: (c) => configSetPath(c, "resources.loki.limits.memory", "512MB"),
    key: "observability:resources.loki.limits.memory",
    allowed: "must be a Kubernetes quantity such as 100m, 256Mi or 10Gi",
  },
  // placement
  {
    section: "placement",
    title: "a toleration of every value with a value",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "placement.default.tolerations", [
        { key: "dedicated", operator: "Exists", value: "observability", effect: "NoSchedule" },
      ]),
    key: "observability:placement.default.tolerations[0].value",
    allowed: "must be empty when operator is Exists",
  },
  // demo
  {
    section: "demo",
    title: "a demo CPU limit below its request",
    stack: "kind",
    edit: (c) =>
      configSetPath(
        configSetPath(c, "demo.resources.requests.cpu", "0.5"),
        "demo.resources.limits.cpu",
        "200m",
      ),
    key: "observability:demo.resources.limits.cpu",
    allowed: "must be at least requests.cpu (0.5)",
  },
  // mesh
  {
    section: "mesh",
    title: "the mesh on without a meshed namespace",
    stack: "kind",
    edit: (c) => configSetPath(c, "mesh.istio.enabled", "true"),
    key: "observability:mesh.istio.namespaces",
    allowed: "must list at least one meshed namespace",
  },
  {
    section: "mesh",
    title: "the stack's own namespace meshed",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "mesh.istio", { enabled: true, namespaces: ["tiketi-spring", "observability"] }),
    key: "observability:mesh.istio.namespaces[1]",
    allowed: "must not be one of the stack's own namespaces",
  },
  {
    section: "mesh",
    title: "Kiali exposed on eks without the ALB's authentication",
    stack: "prod",
    edit: (c) =>
      configSetJson(
        configSetJson(c, "mesh.istio", { enabled: true, namespaces: ["tiketi-spring"] }),
        "exposure.ingress.kiali",
        { host: "kiali.tiketi.example.com" },
      ),
    key: "observability:exposure.ingress.kiali",
    allowed: "needs exposure.ingress.auth on profile eks",
  },
  {
    section: "mesh",
    title: "Kiali exposed with the mesh off",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "exposure.ingress", {
        host: "grafana.example.com",
        className: "nginx",
        annotations: {},
        kiali: { host: "kiali.example.com" },
      }),
    key: "observability:exposure.ingress.kiali",
    allowed: "runs only with mesh.istio.enabled",
  },
];

export const GOOD_MUTATIONS: readonly Mutation[] = [
  {
    section: "stack file",
    title: "a provider's own key",
    stack: "kind",
    edit: (c) => ({ ...c, "kubernetes:enableServerSideApply": "true" }),
  },
  {
    section: "cluster",
    title: "a kubeconfig given as its contents",
    stack: "kind",
    edit: (c) => configSetPath(c, "cluster.kubeconfig", KUBECONFIG_CONTENTS),
  },
  {
    section: "cluster",
    title: "a kubeconfig given as a path that exists",
    stack: "prod",
    edit: (c) => configSetPath(c, "cluster.kubeconfig", teamFile("kubeconfig", KUBECONFIG_CONTENTS)),
  },
  {
    section: "apps",
    title: "a service with its own scrape interval",
    stack: "kind",
    edit: (c) => configSetJson(c, "apps.services", [{ name: "orders", port: 8080, scrapeInterval: "30s" }]),
  },
  {
    section: "apps",
    title: "a service with its own sample and label limits, given as the CLI stores them",
    stack: "prod",
    edit: (c) =>
      configSetPath(
        configSetPath(c, "apps.services.4.sampleLimit", "50000"),
        "apps.services.4.labelLimit",
        "80",
      ),
  },
  {
    section: "metrics",
    title: "a team's job with its own limits, and lower defaults for every other job",
    stack: "kind",
    edit: (c) =>
      configSetPath(
        configSetJson(c, "metrics.extraScrapeConfigs", [
          {
            job_name: "kafka",
            static_configs: [{ targets: ["kafka.kafka.svc:9308"] }],
            sample_limit: 100000,
            label_limit: 40,
          },
        ]),
        "metrics.scrapeLimits.sampleLimit",
        "10000",
      ),
  },
  {
    section: "metrics",
    title: "retention 30d",
    stack: "kind",
    edit: (c) => configSetPath(c, "metrics.retentionTime", "30d"),
  },
  {
    section: "metrics",
    title: "1-hour samples kept forever, 5-minute ones for a year",
    stack: "prod",
    edit: (c) =>
      configSetPath(
        configSetPath(c, "metrics.objectStorage.retention.oneHour", "0d"),
        "metrics.objectStorage.retention.fiveMinutes",
        "1y",
      ),
  },
  {
    section: "metrics",
    title: "the hub over two clusters: a staging cluster's sidecars over mutual TLS",
    stack: "prod",
    secretKeys: ["observability:metrics"],
    edit: (c) =>
      configSetJson(c, "metrics.objectStorage.hub", {
        stores: [
          { address: "prometheus-0.thanos.staging.example.com:443" },
          {
            address: "prometheus-1.thanos.staging.example.com:443",
            serverName: "thanos.staging.example.com",
          },
        ],
        tls: { ca: PEM_CERTIFICATE, certificate: PEM_CERTIFICATE, key: PEM_KEY },
      }),
  },
  {
    section: "metrics",
    title: "a case-insensitive relabel regex",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.extraScrapeConfigs", jobWithRegex("(?i)go_gc_.*")),
  },
  {
    section: "metrics",
    title: "relabel regexes with POSIX classes, named groups and an alternation Prometheus anchors",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.extraScrapeConfigs", [
        {
          job_name: "orders",
          static_configs: [{ targets: ["orders.shop.svc:8080"] }],
          relabel_configs: [
            {
              source_labels: ["__address__"],
              regex: "(?P<host>[[:alnum:].-]+):\\d+",
              target_label: "host",
              replacement: "$1",
            },
            { source_labels: ["__meta_x"], regex: "a)|(b", action: "keep" },
          ],
          metric_relabel_configs: [
            { source_labels: ["__name__"], regex: "(?i)(jvm|process)_.+", action: "drop" },
          ],
        },
      ]),
  },
  {
    section: "metrics",
    title: "a team rule file with a multi-line expression and a case-insensitive matcher",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "metrics.extraRuleFiles", [
        teamFile(
          "orders-ok.rules.yml",
          ruleFile(
            "OrdersSlow",
            'histogram_quantile(0.99,\n  sum by (le) (rate(http_server_requests_seconds_bucket{uri=~"(?i)/orders.*"}[5m]))\n) > 1',
          ),
        ),
      ]),
  },
  {
    section: "metrics",
    title: "an alert threshold as the CLI stores a decimal",
    stack: "prod",
    edit: (c) => configSetPath(c, "metrics.alerts.latencyP99Seconds", "0.75"),
  },
  {
    section: "metrics",
    title: "a noisy alert switched off, and a team's own under its name",
    stack: "kind",
    edit: (c) =>
      configSetJson(
        configSetJson(c, "metrics.alerts.disabled", ["CPUThrottlingHigh"]),
        "metrics.extraRuleFiles",
        [
          teamFile(
            "throttling.rules.yml",
            ruleFile(
              "CPUThrottlingHigh",
              'sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{namespace="shop"}[5m])) / sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{namespace="shop"}[5m])) > 0.5',
            ),
          ),
        ],
      ),
  },
  {
    section: "metrics",
    title: "an alert that waits longer and pages",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "metrics.alerts.overrides", {
        ContainerImagePullFailing: { for: "30m", severity: "critical" },
      }),
  },
  {
    section: "metrics",
    title: "CPU throttling alerting from half the periods throttled",
    stack: "kind",
    edit: (c) => configSetJson(c, "metrics.alerts.overrides", { CPUThrottlingHigh: { threshold: 0.5 } }),
  },
  {
    section: "logs",
    title: "a log alert made critical",
    stack: "kind",
    edit: (c) => configSetJson(c, "logs.alerts.overrides", { LogErrorBurst: { severity: "critical" } }),
  },
  {
    section: "logs",
    title: "a log alert switched off",
    stack: "prod",
    edit: (c) => configSetJson(c, "logs.alerts.disabled", ["LogsStopped"]),
  },
  {
    section: "logs",
    title: "case-insensitive drop patterns",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "logs.dropPatterns", ["(?i)healthcheck", "^GET /actuator/(health|prometheus)\\b"]),
  },
  {
    section: "logs",
    title: "a team log alert with a regex line filter",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "logs.extraRuleFiles", [
        teamFile(
          "orders-ok.logs.yml",
          ruleFile(
            "OrdersLogTimeouts",
            'sum by (app) (count_over_time({app="orders"} |~ "(?i)timeout" [5m])) > 5',
          ),
        ),
      ]),
  },
  {
    // approx_topk came with Loki 3.3: @grafana/lezer-logql's 0.4 releases parse it, 0.3.0 (the last
    // that does not declare Node 24) does not, and the deployed Loki accepts it.
    section: "logs",
    title: "a team log alert over the approximate top services (approx_topk)",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "logs.extraRuleFiles", [
        teamFile(
          "noisiest.logs.yml",
          ruleFile("NoisiestServices", 'approx_topk(3, sum by (app) (rate({app=~".+"} [5m]))) > 100'),
        ),
      ]),
  },
  {
    section: "tracing",
    title: "sampling 0.25 as the CLI stores it",
    stack: "kind",
    edit: (c) => configSetPath(c, "tracing.samplingProbability", "0.25"),
  },
  {
    section: "grafana",
    title: "a team's dashboards folder",
    stack: "kind",
    edit: (c) =>
      configSetJson(c, "grafana.extraDashboards", [
        { path: "tests/unit/extend/dashboards/payments", folder: "Payments" },
      ]),
  },
  {
    section: "grafana",
    title: "two replicas with a database",
    stack: "prod",
    edit: (c) => configSetPath(c, "grafana.replicas", "2"),
  },
  {
    section: "alerting",
    title: "a case-insensitive route matcher",
    stack: "kind",
    edit: (c) => editAlerting(c, routeTo(['team=~"(?i)payments|orders"', 'severity!="info"'])),
    secretKeys: ["observability:alerting"],
  },
  {
    section: "metrics",
    title:
      "Sloth's own example added, over kind's 7-day window: its page (severity pageteam) pages, its ticket (slack) makes a ticket",
    stack: "kind",
    edit: (c) =>
      configSetPath(
        configSetJson(c, "metrics.slothFiles", ["tests/unit/slo/sloth/getting-started.yml"]),
        "metrics.slothWindow",
        "7d",
      ),
  },
  {
    section: "alerting",
    title: "a team's own severities sent to the warning receiver on purpose",
    stack: "prod",
    edit: (c) =>
      configSetPath(
        configSetJson(c, "metrics.extraRuleFiles", [
          teamFile("orders-info.rules.yml", ruleFile("OrdersNote", "up == 0").replace("warning", "info")),
        ]),
        "alerting.otherSeverities",
        "warning",
      ),
  },
  {
    section: "alerting",
    title: "a staging namespace's alerts dropped",
    stack: "prod",
    edit: (c) =>
      editAlerting(c, {
        receivers: [{ name: "nowhere", drop: true }],
        routes: [{ matchers: ['namespace="staging"'], receiver: "nowhere" }],
      }),
    secretKeys: ["observability:alerting"],
  },
  {
    section: "alerting",
    title: "a Slack webhook and a PagerDuty routing key",
    stack: "prod",
    edit: (c) =>
      editAlerting(c, {
        slack: { webhookUrl: SLACK_WEBHOOK, channel: "#alerts" },
        receivers: [{ name: "payments", pagerduty: [{ routingKey: "e93facc04764012d7bfb002500d5d1a6" }] }],
        routes: [{ matchers: ['team="payments"'], receiver: "payments" }],
      }),
    secretKeys: ["observability:alerting"],
  },
  {
    section: "alerting",
    title: "a team's nights and weekends muted, year-end as days counted back, in UTC",
    stack: "prod",
    edit: (c) =>
      editAlerting(
        c,
        quietHours([
          {
            times: [
              { start: "00:00", end: "07:00" },
              { start: "19:00", end: "24:00" },
            ],
          },
          { weekdays: ["Saturday", "sunday"] },
          { months: ["december"], daysOfMonth: ["-8:-1"], location: "UTC" },
        ]),
      ),
    secretKeys: ["observability:alerting"],
  },
  {
    section: "alerting",
    title: "a route that notifies only in office hours, months and years as numbers",
    stack: "kind",
    edit: (c) =>
      editAlerting(c, {
        ...quietHours([{ times: [{ start: "09:00", end: "17:00" }], weekdays: ["monday:friday"] }]),
        routes: [
          { matchers: ['namespace="payments"'], receiver: "payments", activeTimeIntervals: ["quiet"] },
        ],
        timeIntervals: [
          {
            name: "quiet",
            periods: [
              { times: [{ start: "09:00", end: "17:00" }], months: [1, "3:12"], years: [2026, "2027:2030"] },
            ],
          },
          { name: "unused", periods: [{}] },
        ],
      }),
    secretKeys: ["observability:alerting"],
  },
  {
    section: "exposure",
    title: "another NodePort",
    stack: "kind",
    edit: (c) => configSetPath(c, "exposure.nodePorts.grafana", "30007"),
  },
  {
    section: "storage",
    title: "volume expansion off",
    stack: "prod",
    edit: (c) => configSetPath(c, "storage.allowVolumeExpansion", "false"),
  },
  {
    section: "images",
    title: "an image pinned by digest",
    stack: "kind",
    edit: (c) => configSetPath(c, "images.grafana", `grafana/grafana:12.1.0@sha256:${"a".repeat(64)}`),
  },
  {
    section: "resources",
    title: "a CPU limit equal to its request, in whole cores as text",
    stack: "kind",
    edit: (c) =>
      configSetPath(
        configSetPath(c, "resources.grafana.requests.cpu", "1"),
        "resources.grafana.limits.cpu",
        "1000m",
      ),
  },
  {
    section: "placement",
    title: "a toleration of a dedicated node pool",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "placement.default.tolerations", [
        { key: "dedicated", operator: "Equal", value: "observability", effect: "NoSchedule" },
      ]),
  },
  {
    section: "demo",
    title: "the demo off",
    stack: "kind",
    edit: (c) => configSetPath(c, "demo.enabled", "false"),
  },
  {
    section: "mesh",
    title: "the app namespace meshed, istiod in its own namespace, Kiali off",
    stack: "prod",
    edit: (c) =>
      configSetJson(c, "mesh.istio", {
        enabled: true,
        namespaces: ["tiketi-spring"],
        istiodNamespace: "istio-control",
        kiali: false,
      }),
  },
];
