// A team's LogQL rule file (logs.extraRuleFiles), on both profiles: rendered into the ruler's
// ConfigMap beside the stack's own log alerts, and its alert expression evaluated by the Loki
// stand-in (tests/kit/lokiStandIn.ts; Loki's ruler is AGPL and not run here) on lines pushed as
// Alloy pushes them: the value the ruler would alert on, and none without the lines. The ruler's
// own loading and `for` were shown on Loki 3.7.8 until 2026-11-25
// (docs/measured/loki-real-until-2026-11-25.md).
import * as yaml from "js-yaml";
import { STACKS } from "../kit/stacks";
import { renderedExtended } from "../support/extendedStack";
import { getJson, postJson } from "../kit/http";
import { Servers } from "../kit/processes";
import { configMapData } from "../kit/rendered";
import { startLoki } from "../kit/localServers";
import { LokiStandIn } from "../kit/lokiStandIn";
import { Json } from "../kit/json";

describe.each(STACKS)("a team's LogQL rule file with the %s stack, on the Loki stand-in", (stack) => {
  const servers = new Servers();
  let loki: LokiStandIn;
  let files: Record<string, string>;

  beforeAll(async () => {
    const { objects } = await renderedExtended(stack);
    files = configMapData(objects, "loki-rules");
    loki = await startLoki(servers, objects);
  });

  afterAll(() => servers.stopAll());

  const declinedBurst = (): Json => {
    const file = yaml.load(files["payments.logs.yml"]) as Json;
    return (file.groups as Json[])
      .flatMap((g) => g.rules as Json[])
      .find((r) => r.alert === "PaymentsDeclinedBurst") as Json;
  };

  const evaluate = async (expr: string): Promise<Json[]> =>
    (await getJson(`${loki.base}/loki/api/v1/query?query=${encodeURIComponent(expr)}`, loki.headers)).data
      .result as Json[];

  test("the team's file is rendered as its own file beside the stack's log alerts", () => {
    expect(Object.keys(files).sort()).toEqual(["payments.logs.yml", "rules.yaml"]);
    expect(declinedBurst().labels).toEqual({ severity: "warning", team: "payments" });
  });

  test("its alert expression selects the declined payments: silent before them, 30 after 30 lines", async () => {
    const rule = declinedBurst();
    expect(await evaluate(rule.expr)).toEqual([]);
    const now = BigInt(Date.now()) * 1_000_000n;
    const lines = Array.from({ length: 30 }, (_, i) => [
      String(now - BigInt(30 - i) * 1_000_000_000n),
      `2026-11-22 10:00:00.000  WARN [payment-service,,] 1 --- [nio-8080-exec-${i}] c.t.PaymentService : PaymentDeclined order=${i} reason=insufficient_funds`,
    ]);
    const stream = {
      namespace: "tiketi-spring",
      app: "payment-service",
      pod: "payment-service-0",
      container: "payment-service",
      level: "warn",
    };
    await postJson(
      `${loki.base}/loki/api/v1/push`,
      {
        streams: [
          { stream, values: lines },
          // Lines without the marker do not count.
          { stream: { ...stream, level: "info" }, values: [[String(now), "payment accepted order=31"]] },
        ],
      },
      loki.headers,
    );
    const firing = await evaluate(rule.expr);
    expect(firing.map((s) => [s.metric, Number(s.value[1])])).toEqual([
      [{ namespace: "tiketi-spring", app: "payment-service" }, 30],
    ]);
  });
});
