// Bad per-team routing config (alerting.receivers, alerting.routes, alerting.externalUrls): each
// edit of tests/unit/extend/Pulumi.extended.yaml fails before anything is registered, and the error names
// the key.
import { ConfigError } from "../../../config";
import main = require("../../../index");
import { recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { EXTEND_DIR, EXTENDED_STACK } from "../../support/extendedStack";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

/** The routes stack's `alerting` block, edited; `secret: false` leaves it out of the encrypted keys. */
async function attempt(edit: (alerting: Json) => void, { secret = true } = {}) {
  const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const alerting = JSON.parse(config["observability:alerting"]) as Json;
  edit(alerting);
  const mocks = await recordDeployment(
    "routes-bad",
    { ...config, "observability:alerting": JSON.stringify(alerting) },
    secret ? secretKeys : secretKeys.filter((key) => key !== "observability:alerting"),
  );
  const error = await main().then(
    () => undefined,
    (e: unknown) => e,
  );
  await sleep(50);
  expect(error).toBeInstanceOf(ConfigError);
  expect(mocks.registrations).toEqual([]);
  return (error as ConfigError).problems;
}

const receiver = (alerting: Json, name: string) =>
  (alerting.receivers as Json[]).find((r) => r.name === name) as Json;

describe("bad alert routing config renders nothing and names the key", () => {
  test("a route to an unknown receiver lists the known ones", async () => {
    expect(
      await attempt((a) => {
        a.routes[2].receiver = "community-pager";
      }),
    ).toEqual([
      "observability:alerting.routes[2].receiver must name a receiver of alerting.receivers: " +
        'payments-oncall, data-team, community-mail, audit-hook (got "community-pager")',
    ]);
  });

  test("a route when no receiver is configured", async () => {
    expect(
      await attempt((a) => {
        a.receivers = [];
      }),
    ).toEqual([
      ...[0, 1, 2, 3].map(
        (i) =>
          `observability:alerting.routes[${i}].receiver must name a receiver of alerting.receivers, and none is configured (got "${
            ["payments-oncall", "data-team", "community-mail", "audit-hook"][i]
          }")`,
      ),
      // The OpenSLO file's alert policy notifies payments-oncall too.
      expect.stringMatching(
        /^observability:metrics\.openSloFiles\[0\] must name Alertmanager receivers in its notification targets: the SLO checkout-availability's alert CheckoutFastBurn notifies payments-oncall/,
      ),
    ]);
  });

  test("duplicate receiver names", async () => {
    expect(
      await attempt((a) => {
        a.receivers[3].name = "data-team";
      }),
    ).toEqual([
      expect.stringMatching(
        /^observability:alerting\.receivers\[3\] must be unique: data-team appears more than once/,
      ),
      // The route to the renamed receiver now names one that is gone.
      expect.stringMatching(/^observability:alerting\.routes\[3\]\.receiver must name a receiver/),
    ]);
  });

  test("a receiver named like one of the platform's", async () => {
    expect(
      await attempt((a) => {
        a.receivers[0].name = "critical";
        a.routes[0].receiver = "critical";
      }),
    ).toEqual([
      "observability:alerting.receivers[0].name must not be one of the platform's receivers " +
        '(critical, warning, watchdog, default) (got "critical")',
      // The OpenSLO file's alert policy notifies the receiver renamed away.
      expect.stringMatching(/^observability:metrics\.openSloFiles\[0\] must name Alertmanager receivers/),
    ]);
  });

  test("a receiver name that is not a DNS label", async () => {
    expect(
      await attempt((a) => {
        a.receivers[1].name = "Data Team";
      }),
    ).toEqual([
      expect.stringMatching(/^observability:alerting\.receivers\[1\]\.name must be a DNS-1123 label/),
      // Its route now names a receiver that is gone.
      expect.stringMatching(/^observability:alerting\.routes\[1\]\.receiver must name a receiver/),
    ]);
  });

  test.each([
    ["an unquoted value", "namespace=payments"],
    ["an unknown operator", 'namespace=="payments"'],
    ["a label name with a dash", 'k8s-namespace="payments"'],
    ["a regular expression that does not compile", 'team=~"(data|analytics"'],
  ])("a matcher with %s", async (_, matcher) => {
    const problems = await attempt((a) => {
      a.routes[1].matchers[0] = matcher;
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^observability:alerting\.routes\[1\]\.matchers\[0\] must (be a matcher|have a regular expression in RE2 syntax)/,
    );
  });

  test("a route without matchers", async () => {
    expect(
      await attempt((a) => {
        a.routes[0].matchers = [];
      }),
    ).toEqual([
      expect.stringMatching(/^observability:alerting\.routes\[0\]\.matchers must list at least one matcher/),
    ]);
  });

  test("a receiver with no integrations", async () => {
    expect(
      await attempt((a) => {
        a.receivers[3] = { name: "audit-hook", webhook: [] };
      }),
    ).toEqual([
      expect.stringMatching(
        /^observability:alerting\.receivers\[3\] must configure at least one integration \(slack, pagerduty, opsgenie, msteams, webhook, email\), or drop: true to notify no one/,
      ),
    ]);
  });

  test("a required credential left out", async () => {
    expect(
      await attempt((a) => {
        delete receiver(a, "payments-oncall").pagerduty[0].routingKey;
        delete receiver(a, "data-team").opsgenie[0].apiKey;
      }),
    ).toEqual([
      "observability:alerting.receivers[0].pagerduty[0].routingKey is required",
      "observability:alerting.receivers[1].opsgenie[0].apiKey is required",
    ]);
  });

  test("a credential in plain text", async () => {
    const problems = await attempt(
      (a) => {
        receiver(a, "data-team").msteams[0].webhookUrl =
          "https://prod.westeurope.logic.azure.com/workflows/x";
      },
      { secret: false },
    );
    expect(problems).toContain(
      "observability:alerting.receivers[1].msteams[0].webhookUrl holds a credential and must be set with " +
        "`pulumi config set --secret --path 'observability:alerting.receivers[1].msteams[0].webhookUrl' <value>`",
    );
    expect(problems.join("\n")).not.toContain("logic.azure.com");
  });

  test("wrong types: a text continue, a numeric matcher list, a port that is not one", async () => {
    expect(
      await attempt((a) => {
        a.routes[0].continue = "yes";
        a.routes[3].matchers = "alertname=~Audit.+";
        receiver(a, "audit-hook").webhook[0].port = "https";
      }),
    ).toEqual([
      expect.stringMatching(
        /^observability:alerting\.receivers\[3\]\.webhook\[0\]\.port must be a port number/,
      ),
      expect.stringMatching(/^observability:alerting\.routes\[0\]\.continue /),
      expect.stringMatching(/^observability:alerting\.routes\[3\]\.matchers /),
    ]);
  });

  test("an unknown integration type names the allowed ones", async () => {
    const problems = await attempt((a) => {
      receiver(a, "data-team").victorops = [{ apiKey: "k" }];
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^observability:alerting\.receivers\[1\]\.victorops is not a known key; allowed: name, slack, pagerduty, opsgenie, msteams, webhook, email/,
      ),
    ]);
  });

  test("an external URL with a trailing slash, and a duration that is not one", async () => {
    expect(
      await attempt((a) => {
        a.externalUrls.alertmanager = "https://alertmanager.tiketi.example.com/";
        a.routes[0].repeatInterval = "half an hour";
      }),
    ).toEqual([
      expect.stringMatching(
        /^observability:alerting\.routes\[0\]\.repeatInterval must be a duration such as 30s/,
      ),
      expect.stringMatching(
        /^observability:alerting\.externalUrls\.alertmanager must be an http\(s\) URL without a trailing slash/,
      ),
    ]);
  });
});
