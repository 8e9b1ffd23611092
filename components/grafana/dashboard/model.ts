// The dashboards' model: panels, queries and variables as typed specs, laid out on Grafana's
// 24-column grid and written as Grafana's classic dashboard JSON.
// Ours, not @grafana/grafana-foundation-sdk (no 12.x build): its JSON is 3-41% larger, of defaults Grafana
// fills in anyway, without panel ids or refIds, in a key order of its own that cannot reproduce these files.

import { DATASOURCES, DatasourceRef } from "../../common/grafanaUids";

/**
 * The dashboard JSON schema written: 39, Grafana 10.4's and 11.0's. The deployed grafana 12.1.1
 * (config/sections/defaults.ts) is at 41 and migrates older dashboards as it loads them; its two steps past
 * 39 (a `refresh` that is not a string becomes "", `timepicker.time_options` is dropped) touch
 * nothing written here, so 39 loads as 41 would, and raising it would only rewrite every file.
 */
const SCHEMA_VERSION = 39;

/** Grafana's window for `rate()`: never shorter than four scrape intervals, so every rate has samples. */
export const RATE_INTERVAL = "$__rate_interval";

export type Unit =
  | "short"
  | "percentunit"
  | "s"
  | "bytes"
  | "Bps"
  | "pps"
  | "reqps"
  | "ops"
  | "percent"
  | "dateTimeAsIso"
  | "d"
  | "none";

export interface PromQuery {
  readonly kind: "prometheus";
  readonly expr: string;
  readonly legend?: string;
  /** Read only the latest sample of each series, for panels that show one value. */
  readonly instant?: boolean;
}

interface LokiQuery {
  readonly kind: "loki";
  readonly expr: string;
  readonly legend?: string;
}

interface TempoServiceMapQuery {
  readonly kind: "tempo-service-map";
}

interface AlertmanagerQuery {
  readonly kind: "alertmanager";
}

export type Query = PromQuery | LokiQuery | TempoServiceMapQuery | AlertmanagerQuery;

export const prom = (expr: string, legend?: string, options: Pick<PromQuery, "instant"> = {}): PromQuery => ({
  kind: "prometheus",
  expr,
  ...(legend === undefined ? {} : { legend }),
  ...options,
});
export const loki = (expr: string, legend?: string): LokiQuery => ({
  kind: "loki",
  expr,
  ...(legend === undefined ? {} : { legend }),
});

type PanelType = "timeseries" | "stat" | "table" | "nodeGraph" | "logs" | "text" | "bargauge";

/** What every panel has, whatever it shows. */
export interface PanelBase {
  readonly title: string;
  /** Shown behind the panel's (i): where its data comes from, and which services it cannot show. */
  readonly description?: string;
  /** Grid width out of 24. @default 12 */
  readonly width?: number;
  /** Grid height in rows. @default 8 */
  readonly height?: number;
  /**
   * Links from each value to another dashboard, e.g. `/d/<uid>?var-pod=${__field.labels.pod}`:
   * Grafana fills in the labels of the series clicked.
   */
  readonly links?: readonly DataLink[];
}

/** A panel as the model writes it; the presets build the usual ones. */
export interface PanelSpec extends PanelBase {
  readonly type: PanelType;
  readonly queries?: readonly Query[];
  readonly unit?: Unit;
  /** Text panels: markdown. */
  readonly markdown?: string;
  /** Series stacked on top of each other. @default false */
  readonly stacked?: boolean;
}

/** A link from a panel's values, by title and URL. */
export interface DataLink {
  readonly title: string;
  readonly url: string;
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** A `label_values(metric, label)` or `query_result(expr)` query against Prometheus. */
  readonly query: string;
  /** Extracts each value from the query's result lines, e.g. `/workload="([^"]+)"/` for `query_result`. */
  readonly regex?: string;
  /** Several services at once. @default true */
  readonly multi?: boolean;
  /** An "All" entry that selects every value. @default true */
  readonly includeAll?: boolean;
  /** The value selected when the dashboard opens. @default Grafana's: the first, or All */
  readonly current?: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables?: readonly VariableSpec[];
  readonly panels: readonly PanelSpec[];
  /** Links to other dashboards, by uid and title, and to other tools, by URL (opened in a new tab). */
  readonly links?: readonly DashboardLink[];
}

/** A link in a dashboard's header: another dashboard (time range and variables kept) or another tool. */
export type DashboardLink =
  | { readonly uid: string; readonly title: string }
  | { readonly url: string; readonly title: string };

function datasourceOf(query: Query): DatasourceRef {
  switch (query.kind) {
    case "prometheus":
      return DATASOURCES.prometheus;
    case "loki":
      return DATASOURCES.loki;
    case "tempo-service-map":
      return DATASOURCES.tempo;
    case "alertmanager":
      return DATASOURCES.alertmanager;
  }
}

function target(query: Query, refId: string) {
  const datasource = datasourceOf(query);
  switch (query.kind) {
    case "prometheus":
    case "loki":
      return {
        refId,
        datasource,
        expr: query.expr,
        ...(query.legend === undefined ? {} : { legendFormat: query.legend }),
        ...(query.kind === "prometheus" && query.instant === true ? { instant: true, range: false } : {}),
      };
    case "tempo-service-map":
      return { refId, datasource, queryType: "serviceMap" };
    case "alertmanager":
      return { refId, datasource };
  }
}

/** Places panels left to right, wrapping at 24 columns. */
function layout(panels: readonly PanelSpec[]) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((p, i) => {
    const w = p.width ?? 12;
    const h = p.height ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    const queries = p.queries ?? [];
    const datasource = queries.length === 0 ? undefined : datasourceOf(queries[0]);
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      ...(p.description === undefined ? {} : { description: p.description }),
      gridPos,
      ...(datasource === undefined ? {} : { datasource }),
      targets: queries.map((q, j) => target(q, String.fromCharCode(65 + j))),
      fieldConfig: {
        defaults: {
          ...(p.unit === undefined ? {} : { unit: p.unit }),
          ...(p.stacked === true ? { custom: { stacking: { mode: "normal" } } } : {}),
          ...(p.links === undefined ? {} : { links: p.links.map((l) => ({ title: l.title, url: l.url })) }),
        },
        overrides: [],
      },
      options: p.type === "text" ? { mode: "markdown", content: p.markdown ?? "" } : {},
    };
  });
}

/** The dashboard's JSON model, ready for a provisioning file. */
export function dashboard(spec: DashboardSpec) {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [...spec.tags],
    editable: true,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    timezone: "browser",
    links: (spec.links ?? []).map((l) =>
      "uid" in l
        ? { type: "link", title: l.title, url: `/d/${l.uid}`, keepTime: true, includeVars: true }
        : { type: "link", title: l.title, url: l.url, targetBlank: true },
    ),
    templating: {
      list: (spec.variables ?? []).map((v) => ({
        name: v.name,
        label: v.label,
        type: "query",
        datasource: DATASOURCES.prometheus,
        query: { query: v.query, refId: `${v.name}-variable` },
        definition: v.query,
        ...(v.regex === undefined ? {} : { regex: v.regex }),
        refresh: 2,
        includeAll: v.includeAll ?? true,
        multi: v.multi ?? true,
        ...(v.current === undefined ? {} : { current: { text: v.current, value: v.current } }),
        allValue: ".*",
        sort: 1,
      })),
    },
    panels: layout(spec.panels),
  };
}

export type Dashboard = ReturnType<typeof dashboard>;
