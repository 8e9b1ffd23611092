// Spring log lines pushed as Alloy pushes them (labels and structured metadata extracted with the
// expressions of Alloy's config) into the Loki stand-in with each stack's rendered tenant and
// limits, and read back with the LogQL the stack's trace links and dashboards send.
import { KubeObject } from "../../render/manifest";
import { STACKS } from "../kit/stacks";
import { rendered } from "../support/renderedStacks";
import { dashboardExprs } from "../support/dashboards";
import { eventually, Servers } from "../kit/processes";
import { getJson, postJson } from "../kit/http";
import { alloyPush, springLine } from "../kit/springLogs";
import { hex, startLoki } from "../kit/localServers";
import { LokiStandIn } from "../kit/lokiStandIn";
import { Json } from "../kit/json";

describe.each(STACKS)("the log path into the Loki stand-in with the %s stack's config", (stack) => {
  const servers = new Servers();
  let loki: LokiStandIn;
  let objects: readonly KubeObject[];

  beforeAll(async () => {
    objects = (await rendered(stack)).objects;
    loki = await startLoki(servers, objects);
  });

  afterAll(() => servers.stopAll());

  test("Spring log lines come back from LogQL with their labels, and the traceId is structured metadata", async () => {
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

  test("every LogQL query of the dashboards is answered with data for the lines pushed", async () => {
    await postJson(
      `${loki.base}/loki/api/v1/push`,
      alloyPush("payment-service", [
        { level: "ERROR", line: springLine("ERROR", "payment-service", hex(16), hex(8), "declined") },
      ]),
      loki.headers,
    );
    // A pod's event, labelled as the event collector labels it.
    const pod = "payment-service-7d9f8b6c5-abcde";
    await postJson(
      `${loki.base}/loki/api/v1/push`,
      {
        streams: [
          {
            stream: {
              job: "kubernetes-events",
              namespace: "tiketi-spring",
              kind: "Pod",
              name: pod,
              reason: "BackOff",
              type: "Warning",
            },
            values: [
              [
                String(Date.now() * 1_000_000),
                `name=${pod} kind=Pod reason=BackOff type=Warning msg="Back-off restarting failed container"`,
              ],
            ],
          },
        ],
      },
      loki.headers,
    );
    // The dashboards' variables as Grafana fills them in for that pod and its workload.
    const variables = { namespace: "tiketi-spring", pod, workload: "payment-service" };
    const exprs = [...new Set(dashboardExprs(objects, "loki"))].map((expr) =>
      Object.entries(variables).reduce((e, [name, value]) => e.replaceAll(`$${name}`, value), expr),
    );
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
      const text = await response.text();
      if (!response.ok || (JSON.parse(text) as Json).data.result.length === 0) {
        failures.push(`${expr}: ${response.status} ${text}`);
      }
    }
    expect(failures).toEqual([]);
    // And a broken query is refused, so the check can fail.
    const broken = encodeURIComponent("sum(count_over_time({app=} [1m]))");
    expect(
      (await fetch(`${loki.base}/loki/api/v1/query_range?query=${broken}`, { headers: loki.headers })).status,
    ).toBe(400);
  });
});
