// Critical alerts that reach no one: a production stack is refused before anything is registered,
// naming the keys that would deliver them; a kind stack deploys and says so once.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config";
import {
  UNDELIVERED_CRITICAL,
  criticalAlertDestinations,
  undeliveredCriticalProblems,
} from "../../config/alerting/criticalAlerts";
import { parsePulumiConfig } from "../../config/load";
import main = require("../../index");
import { recordDeployment, renderWithConfig } from "../../render/renderStack";
import { PROJECT_ROOT } from "../../render/renderStack";
import { SECRET_PLACEHOLDER, readStackFile } from "../../render/stackFile";
import { Json } from "../kit/json";
import { sleep } from "../kit/sleep";

const ALERTING = "observability:alerting";

/** A committed stack file with its `alerting` block replaced (none: the key left out). */
function withAlerting(stack: "kind" | "prod", alerting: Json | undefined) {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const rest = Object.fromEntries(Object.entries(config).filter(([key]) => key !== ALERTING));
  return {
    config: alerting === undefined ? rest : { ...rest, [ALERTING]: JSON.stringify(alerting) },
    secretKeys: alerting === undefined ? secretKeys.filter((k) => k !== ALERTING) : [...secretKeys, ALERTING],
  };
}

async function refusal(alerting: Json | undefined): Promise<readonly string[] | undefined> {
  const { config, secretKeys } = withAlerting("prod", alerting);
  const mocks = await recordDeployment("prod-undelivered", config, secretKeys);
  const error = await main().then(
    () => undefined,
    (e: unknown) => e,
  );
  await sleep(50);
  if (error === undefined) {
    return undefined;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect(mocks.registrations).toEqual([]);
  return (error as ConfigError).problems;
}

const ONCALL = { name: "oncall", pagerduty: [{ routingKey: SECRET_PLACEHOLDER }] };

describe("a production stack whose critical alerts reach no one", () => {
  test("is refused before anything is registered, naming the keys that would deliver them", async () => {
    expect(await refusal(undefined)).toEqual([
      "observability:alerting: critical alerts reach no one: set observability:alerting.slack, " +
        "observability:alerting.email or observability:alerting.webhook (the critical receiver's integrations), " +
        'or a route of observability:alerting.routes whose matchers take severity="critical" to a receiver of ' +
        "observability:alerting.receivers that notifies (profile eks); changed in the next release: a production " +
        "stack (profile eks) must deliver its critical alerts somewhere; a stack file that names no receiver for " +
        "them is refused until it does",
    ]);
  });

  test("a team's receiver that drops, or a route that takes only some critical alerts, delivers none", async () => {
    const dropped = {
      receivers: [{ name: "void", drop: true }],
      routes: [{ matchers: ['severity="critical"'], receiver: "void" }],
    };
    expect(await refusal(dropped)).toHaveLength(1);
    const some = {
      receivers: [ONCALL],
      routes: [{ matchers: ['severity="critical"', 'namespace="payments"'], receiver: "oncall" }],
    };
    expect(await refusal(some)).toHaveLength(1);
  });

  test("passes the config phase with a route that takes every critical alert to a receiver that notifies", () => {
    for (const matcher of ['severity="critical"', 'severity=~"critical|page"']) {
      const { config, secretKeys } = withAlerting("prod", {
        receivers: [ONCALL],
        routes: [{ matchers: [matcher], receiver: "oncall" }],
      });
      expect(undeliveredCriticalProblems(parsePulumiConfig(config, secretKeys))).toEqual([]);
    }
  });
});

describe("where critical alerts go", () => {
  const none = { routes: [], receivers: [] };
  test("the platform's integrations and the routes that take every critical alert, by key", () => {
    expect(criticalAlertDestinations(none)).toEqual([]);
    expect(
      criticalAlertDestinations({
        ...none,
        webhook: { url: pulumi.secret(SECRET_PLACEHOLDER) },
        receivers: [ONCALL] as never,
        routes: [
          { matchers: ['severity=~"warning"'], receiver: "oncall" },
          { matchers: ['severity=~"crit.*"'], receiver: "oncall" },
        ] as never,
      }),
    ).toEqual(["observability:alerting.webhook", "observability:alerting.routes[1]"]);
  });
});

describe("a kind stack whose critical alerts reach no one", () => {
  afterEach(() => jest.restoreAllMocks());

  test("deploys, and says so once", async () => {
    const warn = jest.spyOn(pulumi.log, "warn");
    const { config, secretKeys } = withAlerting("kind", undefined);
    const { objects } = await renderWithConfig("kind-undelivered", config, secretKeys);
    expect(objects.length).toBeGreaterThan(0);
    expect(warn.mock.calls.filter(([message]) => message === UNDELIVERED_CRITICAL)).toHaveLength(1);
  });

  test("with a webhook, says nothing of it", async () => {
    const warn = jest.spyOn(pulumi.log, "warn");
    const { config, secretKeys } = withAlerting("kind", { webhook: { url: SECRET_PLACEHOLDER } });
    await renderWithConfig("kind-delivered", config, secretKeys);
    expect(warn.mock.calls.filter(([message]) => message === UNDELIVERED_CRITICAL)).toEqual([]);
  });
});
