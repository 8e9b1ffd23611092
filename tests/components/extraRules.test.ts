// A team's LogQL rule file (logs.extraRuleFiles) in the real Loki ruler, on both profiles: loaded
// from the rendered ConfigMap beside the stack's own log alerts, and evaluated on real log lines.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACKS } from "../../testkit/stacks";
import { renderedExtended } from "../support/extendedStack";
import { getJson, postJson } from "../../testkit/http";
import { Servers, eventually, freePort } from "../../testkit/processes";
import { LocalLoki, startLoki } from "../../testkit/localServers";
import { Json } from "../../testkit/json";

describe.each(STACKS)("Loki's ruler with the %s stack and a team's rule file", (stack) => {
  const servers = new Servers();
  let dir: string;
  let loki: LocalLoki;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `loki-extra-rules-${stack}-`));
    const { objects } = await renderedExtended(stack);
    // Nothing listens there: these tests read the ruler's own view of its alerts.
    loki = await startLoki(servers, objects, dir, `http://127.0.0.1:${await freePort()}`);
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ruleGroups = async (): Promise<Json[]> =>
    ((await getJson(`${loki.base}/prometheus/api/v1/rules`, loki.headers)).data.groups ?? []) as Json[];

  test("loads the team's file as its own namespace beside the stack's log alerts", async () => {
    const groups = await eventually(async () => {
      const loaded = await ruleGroups();
      return loaded.length >= 2 ? loaded : undefined;
    }, "the ruler to load its rule files");
    expect(groups.map((g) => [g.file, g.name]).sort()).toEqual([
      ["payments.logs.yml", "payments-logs"],
      ["rules.yaml", "logs"],
    ]);
    const payments = groups.find((g) => g.name === "payments-logs") as Json;
    expect(payments.rules.map((r: Json) => [r.type, r.name, r.labels])).toEqual([
      ["alerting", "PaymentsDeclinedBurst", { severity: "warning", team: "payments" }],
    ]);
  });

  test("evaluates the team's LogQL alert on declined payments: pending, then waiting out its `for`", async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const lines = Array.from({ length: 30 }, (_, i) => [
      String(now - BigInt(30 - i) * 1_000_000_000n),
      `2026-11-22 10:00:00.000  WARN [payment-service,,] 1 --- [nio-8080-exec-${i}] c.t.PaymentService : PaymentDeclined order=${i} reason=insufficient_funds`,
    ]);
    await postJson(
      `${loki.base}/loki/api/v1/push`,
      {
        streams: [
          {
            stream: {
              namespace: "tiketi-spring",
              app: "payment-service",
              pod: "payment-service-0",
              container: "payment-service",
              level: "warn",
            },
            values: lines,
          },
        ],
      },
      loki.headers,
    );
    // The ruler evaluates every minute (Loki's default): allow two rounds.
    const alert = await eventually(
      async () => {
        const payments = (await ruleGroups()).find((g) => g.name === "payments-logs");
        const rule = (payments?.rules as Json[] | undefined)?.[0];
        return rule?.state === "pending" ? rule : undefined;
      },
      "the team's alert to go pending",
      150000,
    );
    expect(alert.health).toBe("ok");
    expect(alert.alerts[0].labels).toMatchObject({
      alertname: "PaymentsDeclinedBurst",
      namespace: "tiketi-spring",
      app: "payment-service",
      team: "payments",
    });
    expect(Number(alert.alerts[0].value)).toBe(30);
  });
});
