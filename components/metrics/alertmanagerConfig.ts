import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_RECEIVERS, StackConfig } from "../../config";
import { SLOTH_SEVERITY, pagingSeverities } from "../../config/alerting/paging";
import { TEMPLATE, useTemplate } from "./notificationTemplates";
import { ALERTMANAGER_PATHS } from "./names";
import { HTTP_SLO_ALERTS } from "./sloRules";
import { CONFIGURED_SLO_ALERTS, sloAlertRoutes } from "./configuredSlos";

// The subset of Alertmanager's configuration the stack writes; field names are Alertmanager's.

interface SlackConfig {
  readonly api_url_file: string;
  readonly channel: string;
  readonly send_resolved: boolean;
  readonly title: string;
  readonly title_link: string;
  readonly text: string;
}
interface EmailConfig {
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly require_tls: boolean;
  readonly auth_username?: string;
  readonly auth_password_file?: string;
  readonly send_resolved: boolean;
  readonly headers: { readonly Subject: string };
  readonly text: string;
}
interface WebhookConfig {
  readonly url_file: string;
  readonly send_resolved: boolean;
}
interface PagerdutyConfig {
  readonly routing_key_file: string;
  readonly description: string;
  readonly links: readonly { readonly href: string; readonly text: string }[];
  readonly send_resolved: boolean;
}
interface OpsgenieConfig {
  readonly api_key_file: string;
  readonly api_url?: string;
  readonly message: string;
  readonly description: string;
  readonly responders?: readonly { readonly type: string; readonly name: string }[];
  readonly send_resolved: boolean;
}
/** Teams Workflows (Power Automate) webhooks; the Office 365 connectors msteams_configs posts to are retired. */
interface MsteamsV2Config {
  readonly webhook_url_file: string;
  readonly title: string;
  readonly text: string;
  readonly send_resolved: boolean;
}
interface Receiver {
  readonly name: string;
  readonly slack_configs?: readonly SlackConfig[];
  readonly pagerduty_configs?: readonly PagerdutyConfig[];
  readonly opsgenie_configs?: readonly OpsgenieConfig[];
  readonly msteamsv2_configs?: readonly MsteamsV2Config[];
  readonly email_configs?: readonly EmailConfig[];
  readonly webhook_configs?: readonly WebhookConfig[];
}
interface Route {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly continue?: boolean;
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly mute_time_intervals?: readonly string[];
  readonly active_time_intervals?: readonly string[];
  readonly routes?: readonly Route[];
}
interface TimeIntervalSpec {
  readonly times?: readonly { readonly start_time: string; readonly end_time: string }[];
  readonly weekdays?: readonly string[];
  readonly days_of_month?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
  readonly location?: string;
}
interface TimeInterval {
  readonly name: string;
  readonly time_intervals: readonly TimeIntervalSpec[];
}
interface AlertmanagerConfig {
  readonly route: Route;
  readonly inhibit_rules: readonly {
    readonly source_matchers: readonly string[];
    readonly target_matchers: readonly string[];
    readonly equal: readonly string[];
  }[];
  readonly receivers: readonly Receiver[];
  readonly time_intervals?: readonly TimeInterval[];
  readonly templates: readonly string[];
}

/** Keys of the receivers Secret, mounted as files at ALERTMANAGER_PATHS.secretsDir. */
const RECEIVER_SECRET_KEYS = {
  slackWebhookUrl: "slack-webhook-url",
  emailPassword: "email-password",
  webhookUrl: "webhook-url",
  watchdogUrl: "watchdog-url",
} as const;

export const RECEIVERS = PLATFORM_RECEIVERS;

const secretFile = (key: string) => `${ALERTMANAGER_PATHS.secretsDir}/${key}`;

type Alerting = StackConfig["alerting"];
type Slo = StackConfig["metrics"]["slos"][number];
type TeamReceiver = Alerting["receivers"][number];
type TeamTimeInterval = Alerting["timeIntervals"][number];
type Credentialed = "slack" | "pagerduty" | "opsgenie" | "msteams" | "webhook" | "email";

/** The Secret key of a team receiver's credential: receiver names are DNS labels, so the dots keep keys distinct. */
const teamSecretKey = (receiver: string, type: Credentialed, index: number): string =>
  `${receiver}.${type}.${index}`;

const title = useTemplate(TEMPLATE.title);
const text = useTemplate(TEMPLATE.text);

const slackConfig = (file: string, channel: string): SlackConfig => ({
  api_url_file: file,
  channel,
  send_resolved: true,
  title,
  title_link: useTemplate(TEMPLATE.grafanaUrl),
  text,
});

const emailConfig = (email: NonNullable<Alerting["email"]>, passwordFile: string): EmailConfig => ({
  to: email.to.join(", "),
  from: email.from,
  smarthost: email.smarthost,
  require_tls: true,
  ...(email.username === undefined ? {} : { auth_username: email.username }),
  ...(email.password === undefined ? {} : { auth_password_file: passwordFile }),
  send_resolved: true,
  headers: { Subject: title },
  text,
});

const ifAny = <K extends keyof Receiver>(key: K, list: NonNullable<Receiver[K]>) =>
  list.length === 0 ? {} : { [key]: list };

/** A team's receiver: every credential read from its file in the receivers Secret. */
function teamReceiver(r: TeamReceiver): Receiver {
  const file = (type: Credentialed, i: number) => secretFile(teamSecretKey(r.name, type, i));
  return {
    name: r.name,
    ...ifAny(
      "slack_configs",
      (r.slack ?? []).map((s, i) => slackConfig(file("slack", i), s.channel)),
    ),
    ...ifAny(
      "pagerduty_configs",
      (r.pagerduty ?? []).map(
        (_, i): PagerdutyConfig => ({
          routing_key_file: file("pagerduty", i),
          description: title,
          links: [
            { href: useTemplate(TEMPLATE.runbookUrl), text: "Runbook" },
            { href: useTemplate(TEMPLATE.silenceUrl), text: "Silence" },
          ],
          send_resolved: true,
        }),
      ),
    ),
    ...ifAny(
      "opsgenie_configs",
      (r.opsgenie ?? []).map(
        (o, i): OpsgenieConfig => ({
          api_key_file: file("opsgenie", i),
          ...(o.apiUrl === undefined ? {} : { api_url: o.apiUrl }),
          message: title,
          description: text,
          ...(o.responders === undefined ? {} : { responders: o.responders }),
          send_resolved: true,
        }),
      ),
    ),
    ...ifAny(
      "msteamsv2_configs",
      (r.msteams ?? []).map(
        (_, i): MsteamsV2Config => ({
          webhook_url_file: file("msteams", i),
          title,
          text,
          send_resolved: true,
        }),
      ),
    ),
    ...ifAny(
      "email_configs",
      (r.email ?? []).map((e, i) => emailConfig(e, file("email", i))),
    ),
    ...ifAny(
      "webhook_configs",
      (r.webhook ?? []).map((_, i): WebhookConfig => ({ url_file: file("webhook", i), send_resolved: true })),
    ),
  };
}

const teamRoute = (route: Alerting["routes"][number]): Route => ({
  receiver: route.receiver,
  matchers: route.matchers,
  ...(route.continue ? { continue: true } : {}),
  ...(route.groupBy === undefined ? {} : { group_by: route.groupBy }),
  ...(route.groupWait === undefined ? {} : { group_wait: route.groupWait }),
  ...(route.groupInterval === undefined ? {} : { group_interval: route.groupInterval }),
  ...(route.repeatInterval === undefined ? {} : { repeat_interval: route.repeatInterval }),
  ...(route.muteTimeIntervals === undefined ? {} : { mute_time_intervals: route.muteTimeIntervals }),
  ...(route.activeTimeIntervals === undefined ? {} : { active_time_intervals: route.activeTimeIntervals }),
});

/** A time interval under Alertmanager's names; the config's values are Alertmanager's text already. */
export const timeInterval = (interval: TeamTimeInterval): TimeInterval => ({
  name: interval.name,
  time_intervals: interval.periods.map((period) => ({
    ...(period.times === undefined
      ? {}
      : { times: period.times.map((t) => ({ start_time: t.start, end_time: t.end })) }),
    ...(period.weekdays === undefined ? {} : { weekdays: period.weekdays }),
    ...(period.daysOfMonth === undefined ? {} : { days_of_month: period.daysOfMonth }),
    ...(period.months === undefined ? {} : { months: period.months }),
    ...(period.years === undefined ? {} : { years: period.years }),
    ...(period.location === undefined ? {} : { location: period.location }),
  })),
});

/**
 * Routing by severity: critical to every configured integration, warning to chat and webhook
 * (not e-mail), Watchdog to its own receiver (a dead man's switch, if configured), first and with
 * no time interval, so no team's quiet hours can mute it. SLO alerts that
 * name their receivers (`metrics.slos[].alerts[].receivers`) go to them first; teams' routes come
 * between those and the severity routes, in their order: the first that matches takes the alert,
 * unless it says `continue`, which lets the platform's receivers have it too. Pages no team route
 * took go to the critical receiver: critical, a severity a team's route names for a paging
 * receiver, and Sloth's page (sloth_severity="page", before warning: a page with the severity
 * warning still pages). An alert no route takes (a severity no route reads, or none) goes where
 * alerting.otherSeverities says, critical or warning; under refuse the config admits no such
 * alert, and the root's receiver notifies no one.
 * Alerts group by alertname and service; a critical alert of a service silences that service's
 * warnings. Credentials are read from mounted files, so this config holds none.
 */
export function alertmanagerConfig(alerting: Alerting, slos: readonly Slo[]): AlertmanagerConfig {
  const slack: SlackConfig[] =
    alerting.slack === undefined
      ? []
      : [slackConfig(secretFile(RECEIVER_SECRET_KEYS.slackWebhookUrl), alerting.slack.channel)];
  const webhook: WebhookConfig[] =
    alerting.webhook === undefined
      ? []
      : [{ url_file: secretFile(RECEIVER_SECRET_KEYS.webhookUrl), send_resolved: true }];
  const email: EmailConfig[] =
    alerting.email === undefined
      ? []
      : [emailConfig(alerting.email, secretFile(RECEIVER_SECRET_KEYS.emailPassword))];
  const receiver = (name: string, s: SlackConfig[], e: EmailConfig[], w: WebhookConfig[]): Receiver => ({
    name,
    ...ifAny("slack_configs", s),
    ...ifAny("email_configs", e),
    ...ifAny("webhook_configs", w),
  });
  const watchdog: WebhookConfig[] =
    alerting.watchdog === undefined
      ? []
      : [{ url_file: secretFile(RECEIVER_SECRET_KEYS.watchdogUrl), send_resolved: false }];

  return {
    route: {
      receiver: RECEIVERS.fallback,
      group_by: ["alertname", "service"],
      group_wait: alerting.groupWait,
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        {
          receiver: RECEIVERS.watchdog,
          matchers: ['alertname="Watchdog"'],
          group_wait: "0s",
          group_interval: "1m",
          repeat_interval: "5m",
        },
        ...sloAlertRoutes(slos),
        ...alerting.routes.map(teamRoute),
        ...[
          'severity="critical"',
          ...pagingSeverities(alerting.routes, alerting.receivers).map((s) => `severity="${s}"`),
          `${SLOTH_SEVERITY.label}="${SLOTH_SEVERITY.page}"`,
        ].map((matcher) => ({ receiver: RECEIVERS.critical, matchers: [matcher], repeat_interval: "1h" })),
        { receiver: RECEIVERS.warning, matchers: ['severity="warning"'] },
        // What no route above took: a severity no route reads, or none. Unset, otherSeverities
        // admits only Sloth's tickets and templated severities here.
        ...(alerting.otherSeverities === "refuse"
          ? []
          : [{ receiver: RECEIVERS[alerting.otherSeverities ?? "warning"] }]),
      ],
    },
    inhibit_rules: [
      {
        // Only alerts that name a service inhibit: an empty label would otherwise match every warning.
        source_matchers: ['severity="critical"', 'service=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ["service"],
      },
      // A node that is not ready explains everything about it and its pods: their alerts, its
      // kubelet's and cAdvisor's target-down, its exporters'.
      {
        source_matchers: ['alertname="NodeNotReady"'],
        target_matchers: ['node=~".+"', 'alertname!="NodeNotReady"'],
        equal: ["node"],
      },
      // An SLO's page over its ticket: the fast burn already says what the slow one would.
      ...[...Object.values(HTTP_SLO_ALERTS), CONFIGURED_SLO_ALERTS].map(({ page, ticket }) => ({
        source_matchers: [`alertname="${page}"`],
        target_matchers: [`alertname="${ticket}"`],
        equal: ["service", "slo"],
      })),
      // Critical over warning of the same object: a pod, a volume claim, a node's filesystem.
      ...[
        ["namespace", "pod"],
        ["namespace", "persistentvolumeclaim"],
        ["node", "mountpoint"],
      ].map((object) => ({
        source_matchers: ['severity="critical"', `${object[object.length - 1]}=~".+"`],
        target_matchers: ['severity="warning"'],
        equal: object,
      })),
    ],
    receivers: [
      receiver(RECEIVERS.fallback, [], [], []),
      receiver(RECEIVERS.critical, slack, email, webhook),
      receiver(RECEIVERS.warning, slack, [], webhook),
      receiver(RECEIVERS.watchdog, [], [], watchdog),
      ...alerting.receivers.map(teamReceiver),
    ],
    ...(alerting.timeIntervals.length === 0
      ? {}
      : { time_intervals: alerting.timeIntervals.map(timeInterval) }),
    templates: [ALERTMANAGER_PATHS.templatesFile],
  };
}

/** The credential of each team integration that has one, under its Secret key. */
function teamSecrets(r: TeamReceiver) {
  const keyed = <T>(
    type: Credentialed,
    list: readonly T[] | undefined,
    value: (item: T) => pulumi.Output<string> | undefined,
  ) =>
    (list ?? []).flatMap((item, i) => {
      const secret = value(item);
      return secret === undefined ? [] : [[teamSecretKey(r.name, type, i), secret] as const];
    });
  return [
    ...keyed("slack", r.slack, (s) => s.webhookUrl),
    ...keyed("pagerduty", r.pagerduty, (p) => p.routingKey),
    ...keyed("opsgenie", r.opsgenie, (o) => o.apiKey),
    ...keyed("msteams", r.msteams, (m) => m.webhookUrl),
    ...keyed("webhook", r.webhook, (w) => w.url),
    ...keyed("email", r.email, (e) => e.password),
  ];
}

/** The receivers Secret's content: only the credentials that are configured. */
export function receiverSecrets(alerting: Alerting) {
  return {
    ...(alerting.slack === undefined
      ? {}
      : { [RECEIVER_SECRET_KEYS.slackWebhookUrl]: alerting.slack.webhookUrl }),
    ...(alerting.email?.password === undefined
      ? {}
      : { [RECEIVER_SECRET_KEYS.emailPassword]: alerting.email.password }),
    ...(alerting.webhook === undefined ? {} : { [RECEIVER_SECRET_KEYS.webhookUrl]: alerting.webhook.url }),
    ...(alerting.watchdog === undefined ? {} : { [RECEIVER_SECRET_KEYS.watchdogUrl]: alerting.watchdog.url }),
    ...Object.fromEntries(alerting.receivers.flatMap(teamSecrets)),
  };
}
