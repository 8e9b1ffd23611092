// Every Prometheus query of a render's dashboards as Grafana sends it for a range, and the time each
// takes to answer over that range.
import { KubeObject } from "../../render/manifest";
import { Json } from "../../tests/kit/json";
import { post } from "./ratedLoad";

/** The parts of a dashboard (or a row of it) the benches read. */
interface Panel {
  readonly panels?: readonly Panel[];
  readonly datasource?: { readonly type?: string };
  readonly targets?: readonly { readonly expr?: string; readonly datasource?: { readonly type?: string } }[];
}

interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query?: { readonly query?: string } | string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly current?: { readonly value?: string };
  readonly options?: readonly { readonly value: string }[];
}

interface Dashboard extends Panel {
  readonly templating?: { readonly list?: readonly Variable[] };
}

/** A variable in a query, `$name` or `${name}`: not label_replace's `$1`. */
const VARIABLE = /\$\{?([A-Za-z_]\w*)\}?/g;

/** The step Grafana asks for a full-width panel of about 1,000 points, never below the scrape interval. */
export const grafanaStep = (rangeS: number) => Math.max(15, Math.round(rangeS / 1000));

function renderedDashboards(objects: readonly KubeObject[]): Dashboard[] {
  return objects.flatMap((object) =>
    object.kind === "ConfigMap" && object.metadata.name.includes("dashboard")
      ? Object.entries((object as { data?: Record<string, string> }).data ?? {})
          .filter(([file]) => file.endsWith(".json"))
          .map(([, text]) => JSON.parse(text) as Dashboard)
      : [],
  );
}

/**
 * The value Grafana gives a variable when the dashboard opens: its set value, else All (`allValue`)
 * where it offers All, else the first value its query lists (`label_values(metric, label)`, sorted
 * as the variable sorts them) or its first option.
 */
async function openingValue(variable: Variable, base: string): Promise<string> {
  if (variable.current?.value !== undefined) return variable.current.value;
  if (variable.includeAll === true) return variable.allValue ?? ".*";
  if (variable.type === "custom") return variable.options?.[0]?.value ?? ".*";
  const query = typeof variable.query === "string" ? variable.query : (variable.query?.query ?? "");
  const labelValues = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
  if (labelValues === null) return ".*";
  const response = await fetch(
    `${base}/api/v1/label/${labelValues[2]}/values?${new URLSearchParams({ "match[]": labelValues[1] }).toString()}`,
  );
  const values = ((await response.json()) as Json).data as string[];
  return [...values].sort()[0] ?? ".*";
}

/**
 * Every Prometheus query of the rendered dashboards, as Grafana sends it for a range from the
 * query endpoint at `base`: its variables at the values the dashboard opens with, its interval
 * variables filled in for the step.
 */
export async function dashboardQueries(
  objects: readonly KubeObject[],
  rangeS: number,
  base: string,
): Promise<string[]> {
  const step = grafanaStep(rangeS);
  const exprs: string[] = [];
  for (const dashboard of renderedDashboards(objects)) {
    const values = new Map<string, string>();
    for (const variable of dashboard.templating?.list ?? []) {
      values.set(variable.name, await openingValue(variable, base));
    }
    const walk = (panels: readonly Panel[]) => {
      for (const panel of panels) {
        walk(panel.panels ?? []);
        for (const target of panel.targets ?? []) {
          const type = target.datasource?.type ?? panel.datasource?.type;
          if (typeof target.expr !== "string" || type === "loki") continue;
          exprs.push(
            target.expr
              // Grafana's $__rate_interval: the step plus a scrape interval, at least four scrape intervals.
              .replace(/\$__rate_interval/g, `${step + 10}s`)
              .replace(/\$__interval/g, `${step}s`)
              .replace(/\$__range/g, `${rangeS}s`)
              .replace(VARIABLE, (whole, name: string) => values.get(name) ?? whole)
              .replace(/(\w+)="\.\*"/g, '$1=~".*"'),
          );
        }
      }
    };
    walk(dashboard.panels ?? []);
  }
  // A variable no dashboard defines is Grafana's own or a mistake: such a query is left out.
  return [...new Set(exprs)].filter((expr) => !new RegExp(VARIABLE.source).test(expr));
}

export interface RangeTimes {
  /** The table's lines, a header first. */
  readonly table: string[];
  /** The slowest answers over every range, slowest first. */
  readonly slowest: readonly string[];
  /** The query that touched most of what `touched` counts, and how much. */
  readonly heaviest?: { readonly expr: string; readonly label: string; readonly touched: Touched };
}

/** What the store read for the queries so far, as running totals. */
export interface Touched {
  readonly series: number;
  readonly chunks: number;
}

/**
 * Each dashboard query over each of `ranges` (label, seconds) ending at `end`, one after another at
 * the step Grafana asks, from the query endpoint at `base`: answers whole and partial, series and
 * samples returned, the median and slowest answer, beside `before` (a range's slowest answer in an
 * earlier record).
 */
export async function timeRanges(
  objects: readonly KubeObject[],
  base: string,
  ranges: readonly (readonly [string, number])[],
  end: number,
  before: ReadonlyMap<string, string>,
  slowestCount: number,
  touched?: () => Promise<Touched>,
): Promise<RangeTimes> {
  const table = [
    "| range | step | dashboard queries | whole answers | partial | series | samples | median | slowest | slowest before |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const answers: { ms: number; label: string; expr: string; warning?: string }[] = [];
  let heaviest: RangeTimes["heaviest"];
  for (const [label, rangeS] of ranges) {
    const times: number[] = [];
    let [seriesCount, samples, partial] = [0, 0, 0];
    const queries = await dashboardQueries(objects, rangeS, base);
    for (const expr of queries) {
      const earlier = await touched?.();
      const start = Date.now();
      const { data, warnings } = await post(`${base}/api/v1/query_range`, {
        query: expr,
        start: String(end - rangeS),
        end: String(end),
        step: String(grafanaStep(rangeS)),
      }).catch((error: Error) => ({ data: { result: [] }, warnings: [`refused: ${error.message}`] }));
      const ms = Date.now() - start;
      if (earlier !== undefined && touched !== undefined) {
        const now = await touched();
        const delta = { series: now.series - earlier.series, chunks: now.chunks - earlier.chunks };
        if (delta.chunks > (heaviest?.touched.chunks ?? -1)) heaviest = { expr, label, touched: delta };
      }
      times.push(ms);
      answers.push({ ms, label, expr, ...(warnings.length > 0 ? { warning: warnings[0] } : {}) });
      if (warnings.length > 0) partial++;
      const { result } = data as { result: { values: unknown[] }[] };
      seriesCount += result.length;
      samples += result.reduce((sum, r) => sum + r.values.length, 0);
    }
    times.sort((a, b) => a - b);
    table.push(
      `| ${label} | ${grafanaStep(rangeS)} s | ${queries.length} | ${queries.length - partial} | ${partial} | ` +
        `${seriesCount} | ${samples} | ${times[Math.floor(times.length / 2)]} ms | ${times[times.length - 1]} ms | ` +
        `${before.get(label) ?? "none recorded"} |`,
    );
  }
  const slowest = answers
    .sort((a, b) => b.ms - a.ms)
    .slice(0, slowestCount)
    .map(
      ({ ms, label, expr, warning }) =>
        `  ${ms} ms over ${label}: ${expr.replace(/\s+/g, " ")}${warning === undefined ? "" : ` (partial: ${warning})`}`,
    );
  return { table, slowest, ...(heaviest === undefined ? {} : { heaviest }) };
}

/** Each range's slowest answer in a record `timeRanges` wrote, with the record's date. */
export function slowestRecorded(record: { readonly written: string; readonly text: string } | undefined) {
  const slowest = new Map<string, string>();
  for (const line of record?.text.split("\n") ?? []) {
    const cells = line.split("|").map((c) => c.trim());
    if (/^\d+[dh]$/.test(cells[1] ?? "") && cells[9] !== undefined) {
      slowest.set(cells[1], `${cells[9]} (${record!.written})`);
    }
  }
  return slowest;
}
