import { keyPath } from "./errors";
import { concretePaths } from "./keyPattern";

// Credentials are Pulumi secrets from the moment the config is read, so their format is checked
// where the program holds them decrypted: inside an apply, the error naming the key and never the
// value. A malformed webhook would otherwise reach Alertmanager, which reads it only when the first
// alert is sent, and that alert would be lost.

/**
 * What a secret is where nobody holds the stack's key (`npm run render`, the tests): it cannot be
 * checked there, and is not.
 */
export const SECRET_PLACEHOLDER = "[secret]";

interface SecretFormat {
  readonly accepts: (value: string) => boolean;
  /** Follows the key: "<key> must be …". */
  readonly expected: string;
}

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return ["http:", "https:"].includes(url.protocol) && url.hostname !== "" ? url : undefined;
  } catch {
    return undefined;
  }
}

const WEBHOOK_URL: SecretFormat = {
  accepts: (value) => httpUrl(value) !== undefined,
  expected: "must be an http(s) URL with its scheme, such as https://alerts.example.com/hook",
};

// Slack's own hooks have a fixed shape; Slack-compatible receivers (Mattermost, Rocket.Chat) have their own.
const SLACK_WEBHOOK: SecretFormat = {
  accepts: (value) => {
    const url = httpUrl(value);
    return (
      url !== undefined &&
      (url.hostname !== "hooks.slack.com" ||
        /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[\w-]+$|^\/(triggers|workflows)\/[^/]+\/[^/]+/.test(
          url.pathname,
        ))
    );
  },
  expected:
    "must be a Slack incoming webhook URL such as https://hooks.slack.com/services/T…/B…/… (or a Slack-compatible receiver's URL with its scheme)",
};

const PAGERDUTY_ROUTING_KEY: SecretFormat = {
  accepts: (value) => /^[A-Za-z0-9]{32}$/.test(value),
  expected:
    "must be a PagerDuty Events API v2 routing key: the 32 letters and digits of the service's integration key",
};

/** The formats of the secrets that have one, by key pattern (`*`: any list index). */
const SECRET_FORMATS: readonly (readonly [readonly string[], SecretFormat])[] = [
  [["alerting", "slack", "webhookUrl"], SLACK_WEBHOOK],
  [["alerting", "webhook", "url"], WEBHOOK_URL],
  [["alerting", "watchdog", "url"], WEBHOOK_URL],
  [["alerting", "receivers", "*", "slack", "*", "webhookUrl"], SLACK_WEBHOOK],
  [["alerting", "receivers", "*", "pagerduty", "*", "routingKey"], PAGERDUTY_ROUTING_KEY],
  [["alerting", "receivers", "*", "msteams", "*", "webhookUrl"], WEBHOOK_URL],
  [["alerting", "receivers", "*", "webhook", "*", "url"], WEBHOOK_URL],
];

/** A secret of a config that has a format, and the problem a decrypted value of it has, if any. */
interface SecretFormatCheck {
  readonly path: readonly (string | number)[];
  readonly problemOf: (value: string) => string | undefined;
}

/** The checks of every secret of `config` that has a format, each problem saying "<key> must be …". */
export function secretFormatChecks(config: object): SecretFormatCheck[] {
  return SECRET_FORMATS.flatMap(([pattern, format]) =>
    concretePaths(config, pattern).map((path) => ({
      path,
      problemOf: (value: string) =>
        value === SECRET_PLACEHOLDER || (format.accepts(value) && !/\s/.test(value))
          ? undefined
          : `${keyPath(path)} ${format.expected}; its value is not shown`,
    })),
  );
}
