import { z } from "zod";
import { anchoredRe2Problem } from "../promql/re2";
import { OTHER_SEVERITIES, PLATFORM_SEVERITIES } from "./severities";
import {
  Identity,
  dnsLabel,
  duration,
  hostPort,
  httpsUrl,
  labelName,
  named,
  nonEmpty,
  port,
  reportDuplicates,
  secretString,
  strict,
} from "../fields";
import { timeInterval } from "./timeIntervals";

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
/** An e-mail receiver: its recipients and the SMTP smarthost it sends through. */
export interface EmailReceiver extends Identity<z.input<typeof emailReceiver>> {}

/** An external URL as people open it: no trailing slash, so links can append paths. */
const externalUrl = z
  .string()
  .url("must be a URL")
  .regex(/^https?:\/\/[^\s?#]*[^/?#]$/, "must be an http(s) URL without a trailing slash, query or fragment");

/** The integrations of a team's receiver: each a list, so one receiver can post to several channels. */
const RECEIVER_INTEGRATIONS = ["slack", "pagerduty", "opsgenie", "msteams", "webhook", "email"] as const;
const slackReceiver = strict({ webhookUrl: secretString, channel: slackChannel });
/** A Slack incoming webhook and its channel. */
export interface SlackReceiver extends Identity<z.input<typeof slackReceiver>> {}
const pagerDutyReceiver = strict({ routingKey: secretString });
/** A PagerDuty Events API v2 routing key. */
export interface PagerDutyReceiver extends Identity<z.input<typeof pagerDutyReceiver>> {}
const opsgenieResponder = strict({
  type: z.enum(["team", "user", "escalation", "schedule"]),
  name: nonEmpty,
});
/** Whom Opsgenie notifies: a team, user, escalation or schedule, by name. */
export interface OpsgenieResponder extends Identity<z.input<typeof opsgenieResponder>> {}
const opsgenieReceiver = strict({
  apiKey: secretString,
  apiUrl: httpsUrl
    .optional()
    .describe(
      "Alertmanager's https://api.opsgenie.com/ when unset (EU accounts: https://api.eu.opsgenie.com).",
    ),
  responders: z.array(named<OpsgenieResponder>()(opsgenieResponder)).optional(),
}).describe("Who Opsgenie notifies.");
/** An Opsgenie API key, with the EU API's URL where needed, and its responders. */
export interface OpsgenieReceiver extends Identity<z.input<typeof opsgenieReceiver>> {}
const msTeamsReceiver = strict({ webhookUrl: secretString });
/** A Teams Workflows webhook URL. */
export interface MsTeamsReceiver extends Identity<z.input<typeof msTeamsReceiver>> {}
const webhookReceiver = strict({
  url: secretString,
  port: port.default(443).describe("The port the URL names, for Alertmanager's egress NetworkPolicy."),
});
/** A generic webhook, with the port its URL names for the egress NetworkPolicy. */
export interface WebhookReceiver extends Identity<z.input<typeof webhookReceiver>> {}
const teamReceiver = strict({
  name: dnsLabel.describe("The receiver's name, which alerting.routes name; not one of the platform's."),
  slack: z.array(named<SlackReceiver>()(slackReceiver)).optional().describe("Slack incoming webhooks."),
  pagerduty: z
    .array(named<PagerDutyReceiver>()(pagerDutyReceiver))
    .optional()
    .describe("PagerDuty Events API v2 routing keys."),
  opsgenie: z
    .array(named<OpsgenieReceiver>()(opsgenieReceiver))
    .optional()
    .describe("Opsgenie API keys, with the EU apiUrl where needed."),
  msteams: z
    .array(named<MsTeamsReceiver>()(msTeamsReceiver))
    .optional()
    .describe('Teams Workflows ("Post to a channel when a webhook request is received") URLs.'),
  webhook: z
    .array(named<WebhookReceiver>()(webhookReceiver))
    .optional()
    .describe("Generic webhooks, with the port the URL names for the egress NetworkPolicy."),
  email: z
    .array(named<EmailReceiver>()(emailReceiver))
    .optional()
    .describe("E-mail through an SMTP smarthost."),
  drop: z
    .literal(true)
    .optional()
    .describe(
      "Notify no one: the alerts its routes take stay in Alertmanager's UI and API and go nowhere else. Takes no integration.",
    ),
}).superRefine((value, ctx) => {
  const configured = RECEIVER_INTEGRATIONS.filter((type) => (value[type]?.length ?? 0) > 0);
  if (value.drop === true && configured.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["drop"],
      message: `must not be set beside an integration (${configured.join(", ")}): a receiver that drops notifies no one`,
    });
  } else if (value.drop !== true && configured.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: `must configure at least one integration (${RECEIVER_INTEGRATIONS.join(", ")}), or drop: true to notify no one`,
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
  muteTimeIntervals: z
    .array(dnsLabel)
    .optional()
    .describe(
      "Time intervals of alerting.timeIntervals during which the route notifies no one; it still takes the alerts it matches.",
    ),
  activeTimeIntervals: z
    .array(dnsLabel)
    .optional()
    .describe(
      "Time intervals of alerting.timeIntervals outside which the route notifies no one; it still takes the alerts it matches.",
    ),
});

/** A team's receiver (`alerting.receivers`): its name, and at least one integration. */
export interface AlertReceiver extends Identity<z.input<typeof teamReceiver>> {}
/** A team's route (`alerting.routes`): the alerts its matchers select go to its receiver. */
export interface AlertRoute extends Identity<z.input<typeof teamRoute>> {}

/**
 * A matcher's quoted value as Alertmanager reads it: `\n`, `\"` and `\\` are escapes, any other
 * backslash is itself (`\d` stays `\d`).
 */
function unquoted(value: string): string {
  return value.replace(/\\([n"\\])/g, (_, escaped: string) => (escaped === "n" ? "\n" : escaped));
}

const alertingSectionSchema = strict({
  slack: strict({
    webhookUrl: secretString.describe("The Slack incoming webhook."),
    channel: slackChannel.describe("The channel alerts are posted to."),
  })
    .optional()
    .describe("The platform's Slack channel."),
  email: named<EmailReceiver>()(emailReceiver).optional().describe("The platform's e-mail receiver."),
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
    .array(named<AlertReceiver>()(teamReceiver))
    .describe("Teams' receivers, by name; the platform's own (critical, warning, watchdog, default) stay."),
  routes: z
    .array(named<AlertRoute>()(teamRoute))
    .describe("Routes below the Watchdog's and above the platform's severity routes; the first match wins."),
  timeIntervals: z
    .array(timeInterval)
    .describe(
      "Named time intervals, in UTC, that routes mute during or notify only during; the Watchdog's route has none.",
    ),
  otherSeverities: z
    .enum(OTHER_SEVERITIES)
    .optional()
    .describe(
      `Where an alert goes whose severity no route reads (the platform's routes read ${PLATFORM_SEVERITIES.join(" and ")}; alerting.routes may read others): warning sends it to the warning receiver, critical to the critical one; refuse refuses every team rule, SLO and SLO document that gives such a severity, naming the routes. Unset: Sloth's page (sloth_severity page) goes to the critical receiver and its ticket to the warning one, an SLO alert to the receivers it names, and any other such alert is refused, since nothing says whether it should page. Whatever this says short of refuse, Sloth's page goes to the critical receiver unless a route of alerting.routes takes it, and so does a severity a route names for a receiver that pages (PagerDuty, Opsgenie). A near-miss of a routed severity (critcal) is refused whatever this says.`,
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
    const intervals = value.timeIntervals.map((t) => t.name);
    reportDuplicates([...intervals.entries()], ["timeIntervals"], ctx);
    value.routes.forEach((route, i) => {
      for (const key of ["muteTimeIntervals", "activeTimeIntervals"] as const) {
        (route[key] ?? []).forEach((name, j) => {
          if (!intervals.includes(name)) {
            ctx.addIssue({
              code: "custom",
              path: ["routes", i, key, j],
              message:
                intervals.length === 0
                  ? "must name a time interval of alerting.timeIntervals, and none is configured"
                  : `must name a time interval of alerting.timeIntervals: ${[...new Set(intervals)].join(", ")}`,
            });
          }
        });
      }
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
  .describe("Where the platform's alerts go, and teams' receivers and routes.");

/** The schema of the `alerting` section, by name (see Identity). */
export interface AlertingSectionSchema extends Identity<typeof alertingSectionSchema> {}
export const alertingSection: AlertingSectionSchema = alertingSectionSchema;
