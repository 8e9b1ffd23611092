// The first look `npm run up` prints: the URLs decode to what Grafana opens, and the path from a
// demo error line to its trace and on to its metrics is wired in the provisioned datasources.
import * as yaml from "js-yaml";
import { DEMO_NAMESPACE } from "../../../components/demo/names";
import {
  FIRST_LOOK_ERRORS,
  FIRST_LOOK_SERVICE,
  PASSWORD_COMMAND,
  firstLook,
  lokiExploreUrl,
} from "../../../components/firstLook";
import { DATASOURCE_UIDS } from "../../../components/common/grafanaUids";
import { rendered } from "../../support/renderedStacks";
import { configMapData } from "../../kit/rendered";
import { Json } from "../../kit/json";

/** The Explore pane a URL opens, decoded as Grafana reads its `panes` parameter. */
function paneOf(url: string): Json {
  const parsed = new URL(url);
  expect(parsed.pathname).toBe("/explore");
  expect(parsed.searchParams.get("schemaVersion")).toBe("1");
  const panes = JSON.parse(parsed.searchParams.get("panes") ?? "{}") as Json;
  expect(Object.keys(panes)).toHaveLength(1);
  return Object.values(panes)[0] as Json;
}

test("the Explore link opens Loki with the query filled in, over the last hour", () => {
  const expr = '{namespace="shop", level="error"} |= "timeout"';
  const pane = paneOf(lokiExploreUrl("http://localhost:30006", expr));
  expect(pane.datasource).toBe(DATASOURCE_UIDS.loki);
  expect(pane.queries).toEqual([
    { refId: "A", datasource: { type: "loki", uid: DATASOURCE_UIDS.loki }, expr, queryType: "range" },
  ]);
  expect(pane.range).toEqual({ from: "now-1h", to: "now" });
});

test("kind prints Grafana with its login, the Landing dashboard and the demo's error lines, service and switch", async () => {
  const { outputs } = await rendered("kind");
  const lines = (outputs.firstLook as string).split("\n");
  const url = (label: string) =>
    lines
      .find((l) => l.startsWith(label))
      ?.split(/\s+/)
      .find((word) => word.startsWith("http")) ?? "";
  expect(url("Grafana")).toBe(outputs.grafanaUrl);
  expect(lines[0]).toContain(`user ${outputs.grafanaAdminUser as string}`);
  expect(lines[0]).toContain(`password: ${PASSWORD_COMMAND.kind})`);
  expect(url("Landing")).toBe(`${outputs.grafanaUrl as string}/d/obs-landing`);
  const pane = paneOf(url("Error logs"));
  expect(pane.queries[0].expr).toBe(FIRST_LOOK_ERRORS);
  expect(FIRST_LOOK_ERRORS).toBe(
    `{namespace="${DEMO_NAMESPACE}", app="${FIRST_LOOK_SERVICE}", level="error"}`,
  );
  expect(url("Service")).toBe(
    `${outputs.grafanaUrl as string}/d/obs-service-detail?var-service=${FIRST_LOOK_SERVICE}`,
  );
  expect(lines.find((l) => l.startsWith("Demo off"))).toContain("demo.enabled false");
});

test("one line per place to look: five with the demo", async () => {
  const { outputs } = await rendered("kind");
  expect((outputs.firstLook as string).split("\n").map((l) => l.split(/\s{2,}/)[0])).toEqual([
    "Grafana",
    "Landing",
    "Error logs",
    "Service",
    "Demo off",
  ]);
});

test("without the demo only Grafana and the Landing dashboard are printed; on eks the password is the stack's own secret", () => {
  const lines = firstLook({
    grafanaUrl: "https://grafana.example.com",
    adminUser: "admin",
    profile: "eks",
    demo: false,
  });
  expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["Grafana", "Landing"]);
  expect(lines[0]).toContain(`password: ${PASSWORD_COMMAND.eks})`);
});

test("from the error line to its trace to its metrics: the datasources link each step", async () => {
  const { objects } = await rendered("kind");
  const provisioning = yaml.load(configMapData(objects, "grafana-provisioning")["datasources.yaml"]) as Json;
  const byUid = (uid: string) => (provisioning.datasources as Json[]).find((d) => d.uid === uid) as Json;
  // A line as the demo prints it (demoService.ts), as the live demo test reads it back from Loki.
  const line =
    "2026-11-23T06:58:45.053Z ERROR [demo-payments,0480decccb3dabc7b8d31de6484bec72,d23a230b2e38f76d] 1 --- [io-18082-exec-3] c.e.demo.payments.PaymentsController     : Request processing failed";
  const [derived] = byUid(DATASOURCE_UIDS.loki).jsonData.derivedFields as Json[];
  expect(derived.datasourceUid).toBe(DATASOURCE_UIDS.tempo);
  expect(new RegExp(derived.matcherRegex as string).exec(line)?.[1]).toBe("0480decccb3dabc7b8d31de6484bec72");
  const tempo = byUid(DATASOURCE_UIDS.tempo).jsonData;
  expect(tempo.tracesToMetrics.datasourceUid).toBe(DATASOURCE_UIDS.prometheus);
  expect(tempo.tracesToMetrics.queries.map((q: Json) => q.name)).toContain("Request rate");
  expect(tempo.tracesToLogsV2.datasourceUid).toBe(DATASOURCE_UIDS.loki);
});
