import { PanelSpec, dashboard, loki, prom } from "../../../components/grafana/dashboard/model";
import { statTile, table, timeSeries } from "../../../components/grafana/dashboard/presets";
import { Json } from "../../kit/json";

/** The JSON Grafana reads for each panel, as the provisioning file carries it. */
const rendered = (...panels: PanelSpec[]): Json[] =>
  JSON.parse(
    JSON.stringify(dashboard({ uid: "test", title: "Test", description: "", tags: [], panels }).panels),
  );

describe("statTile", () => {
  test("reads the latest value of its expression, four tiles to a row", () => {
    const [tile] = rendered(statTile({ title: "Services up", expr: 'count(up{tier="app"} == 1)' }));
    expect(tile).toMatchObject({
      type: "stat",
      title: "Services up",
      gridPos: { x: 0, y: 0, w: 6, h: 8 },
      datasource: { type: "prometheus", uid: "prometheus" },
      targets: [
        {
          refId: "A",
          datasource: { type: "prometheus", uid: "prometheus" },
          expr: 'count(up{tier="app"} == 1)',
          instant: true,
          range: false,
        },
      ],
      fieldConfig: { defaults: {}, overrides: [] },
    });
    expect(tile.targets[0]).not.toHaveProperty("legendFormat");
  });

  test("a sparkline queries the whole range; legend, unit and size pass through", () => {
    const [tile] = rendered(
      statTile({
        title: "Requests / s",
        expr: "sum(service:http_requests:rate5m)",
        legend: "{{service}}",
        unit: "reqps",
        sparkline: true,
        width: 8,
        height: 4,
      }),
    );
    expect(tile.gridPos).toEqual({ x: 0, y: 0, w: 8, h: 4 });
    expect(tile.fieldConfig.defaults).toEqual({ unit: "reqps" });
    expect(tile.targets[0]).toEqual({
      refId: "A",
      datasource: { type: "prometheus", uid: "prometheus" },
      expr: "sum(service:http_requests:rate5m)",
      legendFormat: "{{service}}",
    });
  });
});

describe("timeSeries", () => {
  test("a line per query, refIds in order, half a row by default", () => {
    const [series] = rendered(
      timeSeries({
        title: "Latency",
        description: "From histograms.",
        queries: [prom("a", "p50"), prom("b", "p99")],
        unit: "s",
      }),
    );
    expect(series).toMatchObject({
      type: "timeseries",
      description: "From histograms.",
      gridPos: { x: 0, y: 0, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: "s" }, overrides: [] },
      options: {},
    });
    expect(series.targets.map((t: Json) => [t.refId, t.expr, t.legendFormat])).toEqual([
      ["A", "a", "p50"],
      ["B", "b", "p99"],
    ]);
    expect(series.targets[0]).not.toHaveProperty("instant");
  });

  test("stacked series, Loki queries on the Loki datasource", () => {
    const [series] = rendered(
      timeSeries({
        title: "Lines",
        queries: [loki('sum by (level) (count_over_time({a=~".+"} [$__auto]))')],
        stacked: true,
      }),
    );
    expect(series.datasource).toEqual({ type: "loki", uid: "loki" });
    expect(series.fieldConfig.defaults).toEqual({ custom: { stacking: { mode: "normal" } } });
  });
});

describe("table", () => {
  test("every query reads only its latest values", () => {
    const [rows] = rendered(
      table({
        title: "Down",
        queries: [prom("up == 0"), prom("sum by (service) (x)", "{{service}}")],
        width: 24,
      }),
    );
    expect(rows.type).toBe("table");
    expect(rows.gridPos).toEqual({ x: 0, y: 0, w: 24, h: 8 });
    expect(rows.targets.map((t: Json) => [t.refId, t.instant, t.range])).toEqual([
      ["A", true, false],
      ["B", true, false],
    ]);
  });
});

test("presets fill rows left to right and wrap at 24 columns", () => {
  const positions = rendered(
    statTile({ title: "1", expr: "a" }),
    statTile({ title: "2", expr: "b" }),
    timeSeries({ title: "3", queries: [prom("c")], width: 16 }),
    table({ title: "4", queries: [prom("d")], height: 5 }),
  ).map((p) => p.gridPos as Json);
  expect(positions).toEqual([
    { x: 0, y: 0, w: 6, h: 8 },
    { x: 6, y: 0, w: 6, h: 8 },
    { x: 0, y: 8, w: 16, h: 8 },
    { x: 0, y: 16, w: 12, h: 5 },
  ]);
});
