// The real Loki (the deployed version, built from its module) with each stack's generated config
// and rules, a real Alertmanager with the generated config, and a local webhook receiver.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { STACKS } from "../../testkit/stacks";
import { dashboardExprs } from "../support/dashboards";
import { webhookReceiver } from "../../testkit/httpServers";
import { eventually, Servers } from "../../testkit/processes";
import { renderWithAlerting, startAlertmanager } from "../../testkit/alertmanager";
import { getJson, postJson } from "../../testkit/http";
import { alloyPush, springLine } from "../../testkit/springLogs";
import { LocalLoki, hex, startLoki } from "../../testkit/localServers";
import { Json } from "../../testkit/json";

describe.each(STACKS)("Loki with the %s stack's config", (stack) => {
  const servers = new Servers();
  let dir: string;
  let loki: LocalLoki;
  let webhook: Awaited<ReturnType<typeof webhookReceiver>>;
  let objects: readonly KubeObject[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `loki-${stack}-`));
    webhook = await webhookReceiver();
    // Alerts go to a local webhook, grouped after 1 s.
    objects = await renderWithAlerting(stack, {
      webhook: { url: `http://127.0.0.1:${webhook.port}/alerts` },
      groupWait: "1s",
    });
    const alertmanager = await startAlertmanager(servers, objects, dir);
    loki = await startLoki(servers, objects, dir, alertmanager.base);
  });

  afterAll(async () => {
    await servers.stopAll();
    await webhook?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("1. Loki and Alertmanager start with the generated configs and report ready; Loki runs the generated limits", async () => {
    const response = await fetch(`${loki.base}/ready`);
    expect(response.status).toBe(200);
    const config = await (await fetch(`${loki.base}/config`)).text();
    expect(config).toMatch(/allow_structured_metadata: true/);
    expect(config).toMatch(new RegExp(`ingestion_rate_mb: ${stack === "kind" ? 4 : 16}\n`));
  });

  test("2. Spring log lines come back from LogQL with their labels, and the traceId is structured metadata", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    await postJson(
      `${loki.base}/loki/api/v1/push`,
      alloyPush("ticket-service", [
        { level: "INFO", line: springLine("INFO", "ticket-service", traceId, spanId, "reserved seat A-12") },
        { level: "INFO", line: springLine("INFO", "ticket-service", hex(16), hex(8), "another request") },
      ]),
      loki.headers,
    );
    const query = encodeURIComponent(
      `{namespace="tiketi-spring", app="ticket-service"} | trace_id="${traceId}"`,
    );
    const result = await eventually(async () => {
      const { data } = await getJson(
        `${loki.base}/loki/api/v1/query_range?query=${query}&limit=10`,
        loki.headers,
      );
      return (data.result as Json[]).length > 0 ? (data.result as Json[]) : undefined;
    }, "the line by its trace ID");
    expect(result).toHaveLength(1);
    expect(result[0].stream).toMatchObject({
      namespace: "tiketi-spring",
      app: "ticket-service",
      container: "ticket-service",
      level: "info",
      trace_id: traceId,
      span_id: spanId,
    });
    expect(result[0].values).toHaveLength(1);
    expect(result[0].values[0][1]).toContain(`[ticket-service,${traceId},${spanId}]`);
  });

  test("every LogQL query of the dashboards runs in the real Loki", async () => {
    const exprs = [...new Set(dashboardExprs(objects, "loki"))];
    expect(exprs.length).toBeGreaterThanOrEqual(4);
    const end = Date.now() * 1_000_000;
    const failures: string[] = [];
    for (const expr of exprs) {
      // Grafana substitutes its step before the query reaches Loki.
      const query = encodeURIComponent(expr.replaceAll("$__auto", "1m"));
      const response = await fetch(
        `${loki.base}/loki/api/v1/query_range?query=${query}&start=${end - 3600e9}&end=${end}&step=60`,
        { headers: loki.headers },
      );
      if (!response.ok) failures.push(`${expr}: ${response.status} ${await response.text()}`);
    }
    expect(failures).toEqual([]);
    // And a broken query is refused, so the check can fail.
    const broken = encodeURIComponent("sum(count_over_time({app=} [1m]))");
    expect(
      (await fetch(`${loki.base}/loki/api/v1/query_range?query=${broken}`, { headers: loki.headers })).status,
    ).toBe(400);
  });

  test("6. the ruler's error-burst alert reaches Alertmanager and then the webhook", async () => {
    const errors = Array.from({ length: 150 }, (_, i) => ({
      level: "ERROR",
      line: springLine("ERROR", "payment-service", hex(16), hex(8), `payment ${i} declined: gateway timeout`),
    }));
    await postJson(`${loki.base}/loki/api/v1/push`, alloyPush("payment-service", errors), loki.headers);
    // The ruler evaluates every minute; Alertmanager groups for 1 s.
    const alert = await eventually(
      () =>
        Promise.resolve(
          (webhook.received as Json[])
            .flatMap((body) => body.alerts as Json[])
            .find((a) => a.labels.alertname === "LogErrorBurst"),
        ),
      "LogErrorBurst at the webhook",
      150000,
    );
    expect(alert).toMatchObject({
      status: "firing",
      labels: {
        alertname: "LogErrorBurst",
        app: "payment-service",
        service: "payment-service",
        namespace: "tiketi-spring",
        source: "logs",
      },
    });
    expect(alert.annotations.summary).toBe("payment-service logged more than 100 ERROR lines in 5 minutes");
  });
});
