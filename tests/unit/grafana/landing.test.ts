import { parseStackConfig } from "../../../config/load";
import { dashboard, prom } from "../../../components/grafana/dashboard/model";
import { timeSeries } from "../../../components/grafana/dashboard/presets";
import { LINKED_DASHBOARDS, MOVED_DASHBOARDS, allDashboards } from "../../../components/grafana/dashboards";
import { DashboardDefinition, defineDashboard } from "../../../components/grafana/dashboards/definition";
import { landing } from "../../../components/grafana/dashboards/landing";
import { Json } from "../../kit/json";
import { TracingStack } from "../../../components/tracingStack";

// As the stack deploys it: the span rate is the first collector tier's.
const config = { ...parseStackConfig({}, new Set()), spanIngestJob: TracingStack.spanIngestJob };

/** The landing page's JSON for a list of dashboards. */
const landingFor = (linked: readonly DashboardDefinition[]): Json => {
  const page = landing(linked);
  return JSON.parse(JSON.stringify(dashboard({ uid: page.uid, title: page.title, ...page.content(config) })));
};

/** Its header links and its "Dashboards" text panel, as [title, url] pairs. */
const linksOf = (page: Json) => ({
  header: page.links.map((l: Json) => [l.title, l.url]),
  text: [
    ...(page.panels.find((p: Json) => p.type === "text").options.content as string).matchAll(
      /^- \[(.+)\]\((.+)\)$/gm,
    ),
  ].map((m) => [m[1], m[2]]),
});

test("a dashboard added to the list is linked from the landing page, in the header and the text, at its uid", () => {
  const added = defineDashboard({ uid: "obs-added", title: "Added" }, () => ({
    description: "A dashboard added to the list.",
    tags: ["observability"],
    panels: [timeSeries({ title: "Up", queries: [prom("up")] })],
  }));
  const before = linksOf(landingFor(LINKED_DASHBOARDS));
  const after = linksOf(landingFor([...LINKED_DASHBOARDS, added]));
  expect(after.header).toEqual([...before.header, ["Added", "/d/obs-added"]]);
  expect(after.text).toEqual([...before.text, ["Added", "/d/obs-added"]]);
});

test("every landing link points at a provisioned dashboard by its own title, and every other dashboard but the moved pages is linked", () => {
  const [page, ...others] = allDashboards(config).map((d) => JSON.parse(JSON.stringify(d)) as Json);
  expect(page.uid).toBe("obs-landing");
  const moved = new Set(MOVED_DASHBOARDS.map((d) => d.uid));
  expect([...moved]).toEqual(["obs-infrastructure"]);
  const expected = others.filter((d) => !moved.has(d.uid)).map((d) => [d.title, `/d/${d.uid}`]);
  expect(expected).toHaveLength(15);
  const { header, text } = linksOf(page);
  expect(header).toEqual(expected);
  expect(text).toEqual(expected);
  for (const link of page.links)
    expect(link).toMatchObject({ type: "link", keepTime: true, includeVars: true });
});

test("at a glance: services found, targets up and down, alerts firing, and the request, log-line and span rates", () => {
  const page = landingFor(LINKED_DASHBOARDS);
  const tiles = (page.panels as Json[])
    .filter((p) => p.type === "stat")
    .map((p) => [p.title, p.targets[0].expr]);
  expect(tiles).toEqual([
    ["Services found", 'count(count by (namespace, service) (up{tier="app"})) or vector(0)'],
    ["Targets up", "count(up == 1) or vector(0)"],
    ["Targets down", "count(up == 0) or vector(0)"],
    ["Firing alerts", 'count(ALERTS{alertstate="firing", severity!="none"}) or vector(0)'],
    ["Requests / s", "sum(service:http_requests:rate5m)"],
    ["Log lines / s", "sum(rate(loki_distributor_lines_received_total[5m]))"],
    // The first tier only: with aggregators, each span is accepted twice.
    ["Spans / s", 'sum(rate(otelcol_receiver_accepted_spans_total{job="otel-collector"}[5m]))'],
  ]);
});

test("beside collectors it does not know, the span rate is every collector's", () => {
  const withoutJob = { ...config, spanIngestJob: undefined };
  const page = landing(LINKED_DASHBOARDS);
  const json = JSON.parse(
    JSON.stringify(dashboard({ uid: page.uid, title: page.title, ...page.content(withoutJob) })),
  );
  const spans = (json.panels as Json[]).find((p) => p.title === "Spans / s");
  expect(spans?.targets[0].expr).toBe("sum(rate(otelcol_receiver_accepted_spans_total[5m]))");
});
