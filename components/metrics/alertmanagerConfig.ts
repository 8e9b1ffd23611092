import { StackConfig } from "../../config";
import { ALERTMANAGER_PATHS } from "./names";

// The subset of Alertmanager's configuration the stack writes; field names are Alertmanager's.

interface SlackConfig {
  readonly api_url_file: string;
  readonly channel: string;
  readonly send_resolved: boolean;
}
interface EmailConfig {
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly require_tls: boolean;
  readonly auth_username?: string;
  readonly auth_password_file?: string;
  readonly send_resolved: boolean;
}
interface WebhookConfig {
  readonly url_file: string;
  readonly send_resolved: boolean;
}
export interface Receiver {
  readonly name: string;
  readonly slack_configs?: readonly SlackConfig[];
  readonly email_configs?: readonly EmailConfig[];
  readonly webhook_configs?: readonly WebhookConfig[];
}
interface Route {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly routes?: readonly Route[];
}
export interface AlertmanagerConfig {
  readonly route: Route;
  readonly inhibit_rules: readonly {
    readonly source_matchers: readonly string[];
    readonly target_matchers: readonly string[];
    readonly equal: readonly string[];
  }[];
  readonly receivers: readonly Receiver[];
}

/** Keys of the receivers Secret, mounted as files at ALERTMANAGER_PATHS.secretsDir. */
export const RECEIVER_SECRET_KEYS = {
  slackWebhookUrl: "slack-webhook-url",
  emailPassword: "email-password",
  webhookUrl: "webhook-url",
  watchdogUrl: "watchdog-url",
} as const;

export const RECEIVERS = {
  critical: "critical",
  warning: "warning",
  watchdog: "watchdog",
  fallback: "default",
} as const;

const secretFile = (key: string) => `${ALERTMANAGER_PATHS.secretsDir}/${key}`;

/**
 * Routing by severity: critical to every configured integration, warning to chat and webhook
 * (not e-mail), Watchdog to its own receiver (a dead man's switch, if configured). Alerts group by
 * alertname and service; a critical alert of a service silences that service's warnings.
 * Credentials are read from mounted files, so this config holds none.
 */
export function alertmanagerConfig(alerting: StackConfig["alerting"]): AlertmanagerConfig {
  const slack: SlackConfig[] =
    alerting.slack === undefined
      ? []
      : [
          {
            api_url_file: secretFile(RECEIVER_SECRET_KEYS.slackWebhookUrl),
            channel: alerting.slack.channel,
            send_resolved: true,
          },
        ];
  const webhook: WebhookConfig[] =
    alerting.webhook === undefined
      ? []
      : [{ url_file: secretFile(RECEIVER_SECRET_KEYS.webhookUrl), send_resolved: true }];
  const email: EmailConfig[] =
    alerting.email === undefined
      ? []
      : [
          {
            to: alerting.email.to.join(", "),
            from: alerting.email.from,
            smarthost: alerting.email.smarthost,
            require_tls: true,
            ...(alerting.email.username === undefined ? {} : { auth_username: alerting.email.username }),
            ...(alerting.email.password === undefined
              ? {}
              : { auth_password_file: secretFile(RECEIVER_SECRET_KEYS.emailPassword) }),
            send_resolved: true,
          },
        ];
  const receiver = (name: string, s: SlackConfig[], e: EmailConfig[], w: WebhookConfig[]): Receiver => ({
    name,
    ...(s.length === 0 ? {} : { slack_configs: s }),
    ...(e.length === 0 ? {} : { email_configs: e }),
    ...(w.length === 0 ? {} : { webhook_configs: w }),
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
        { receiver: RECEIVERS.critical, matchers: ['severity="critical"'], repeat_interval: "1h" },
        { receiver: RECEIVERS.warning, matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      {
        // Only alerts that name a service inhibit: an empty label would otherwise match every warning.
        source_matchers: ['severity="critical"', 'service=~".+"'],
        target_matchers: ['severity="warning"'],
        equal: ["service"],
      },
    ],
    receivers: [
      receiver(RECEIVERS.fallback, [], [], []),
      receiver(RECEIVERS.critical, slack, email, webhook),
      receiver(RECEIVERS.warning, slack, [], webhook),
      receiver(RECEIVERS.watchdog, [], [], watchdog),
    ],
  };
}

/** The receivers Secret's content: only the credentials that are configured. */
export function receiverSecrets(alerting: StackConfig["alerting"]) {
  return {
    ...(alerting.slack === undefined
      ? {}
      : { [RECEIVER_SECRET_KEYS.slackWebhookUrl]: alerting.slack.webhookUrl }),
    ...(alerting.email?.password === undefined
      ? {}
      : { [RECEIVER_SECRET_KEYS.emailPassword]: alerting.email.password }),
    ...(alerting.webhook === undefined ? {} : { [RECEIVER_SECRET_KEYS.webhookUrl]: alerting.webhook.url }),
    ...(alerting.watchdog === undefined ? {} : { [RECEIVER_SECRET_KEYS.watchdogUrl]: alerting.watchdog.url }),
  };
}
