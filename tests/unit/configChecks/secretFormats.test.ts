// Credentials are checked where the program holds them decrypted: the program runs with each secret
// as the engine hands it over (the decrypted text, its key listed as secret), and a malformed one
// stops it before anything is registered, naming the key and never printing the value.
import { ConfigError } from "../../../config";
import { parsePulumiConfig, secretFormatProblems } from "../../../config/load";
import main = require("../../../index");
import { PROJECT_ROOT, recordDeployment } from "../../../render/renderStack";
import { SECRET_PLACEHOLDER, readStackFile } from "../../../render/stackFile";
import { Json } from "../../kit/json";

/** Pulumi.kind.yaml with `observability:alerting` edited, that key held encrypted as `--secret` leaves it. */
function withAlerting(edit: (alerting: Json) => void): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const alerting = JSON.parse(config["observability:alerting"] ?? "{}") as Json;
  edit(alerting);
  return {
    config: { ...config, "observability:alerting": JSON.stringify(alerting) },
    secretKeys: [...secretKeys, "observability:alerting"],
  };
}

const SLACK = "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdEFGH1234";
const ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6";
const team = (integration: Json) => (a: Json) => {
  a.receivers = [{ name: "payments", ...integration }];
  a.routes = [{ matchers: ['team="payments"'], receiver: "payments" }];
};

describe("a malformed secret fails the program, naming the key and not the value", () => {
  test.each([
    [
      "a Slack webhook without its scheme",
      (a: Json) =>
        (a.slack = {
          webhookUrl: "hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdEFGH1234",
          channel: "#ops",
        }),
      "observability:alerting.slack.webhookUrl must be a Slack incoming webhook URL such as https://hooks.slack.com/services/T…/B…/… (or a Slack-compatible receiver's URL with its scheme); its value is not shown",
    ],
    [
      "a Slack webhook cut short when pasted",
      team({ slack: [{ webhookUrl: "https://hooks.slack.com/services/T0123ABCD", channel: "#payments" }] }),
      "observability:alerting.receivers[0].slack[0].webhookUrl must be a Slack incoming webhook URL such as https://hooks.slack.com/services/T…/B…/… (or a Slack-compatible receiver's URL with its scheme); its value is not shown",
    ],
    [
      "a webhook URL without a scheme",
      (a: Json) => (a.webhook = { url: "alert-sink.payments.internal/hook" }),
      "observability:alerting.webhook.url must be an http(s) URL with its scheme, such as https://alerts.example.com/hook; its value is not shown",
    ],
    [
      "a PagerDuty routing key with a trailing newline",
      team({ pagerduty: [{ routingKey: `${ROUTING_KEY}\n` }] }),
      "observability:alerting.receivers[0].pagerduty[0].routingKey must be a PagerDuty Events API v2 routing key: the 32 letters and digits of the service's integration key; its value is not shown",
    ],
  ])("%s", async (_, edit, message) => {
    const { config, secretKeys } = withAlerting(edit);
    const mocks = await recordDeployment("kind", config, secretKeys);
    const error: unknown = await main().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([message]);
    expect((error as ConfigError).message).not.toMatch(/T0123ABCD|alert-sink|e93facc/);
    expect(mocks.registrations).toEqual([]);
  });
});

describe("well-formed secrets, and those the offline render cannot decrypt, pass", () => {
  test.each([
    ["Slack's own webhook", (a: Json) => (a.slack = { webhookUrl: SLACK, channel: "#ops" })],
    [
      "a Slack-compatible receiver (Mattermost)",
      team({ slack: [{ webhookUrl: "https://chat.example.com/hooks/xyz", channel: "#payments" }] }),
    ],
    ["a webhook on a port", (a: Json) => (a.webhook = { url: "http://alert-sink.tools.svc:8080/alerts" })],
    ["a PagerDuty routing key", team({ pagerduty: [{ routingKey: ROUTING_KEY }] })],
    ["a secret the render could not decrypt", team({ pagerduty: [{ routingKey: SECRET_PLACEHOLDER }] })],
  ])("%s", async (_, edit) => {
    const { config, secretKeys } = withAlerting(edit);
    await expect(secretFormatProblems(parsePulumiConfig(config, secretKeys))).resolves.toEqual([]);
  });
});
