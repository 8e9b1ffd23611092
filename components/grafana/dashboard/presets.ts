// The panel shapes the dashboards repeat, each with named options. A panel that appears once is
// written as a PanelSpec literal instead of a preset of its own.

import { PanelBase, PanelSpec, PromQuery, Query, Unit, prom } from "./model";

/** A panel that shows one value per series reads only the latest sample, not the whole range. */
const latest = (query: PromQuery): PromQuery => ({ ...query, instant: true });

interface StatTileOptions extends PanelBase {
  /** PromQL whose latest value is the tile's number (one per series). */
  readonly expr: string;
  /** The name of each series, e.g. `{{service}}`, where the expression returns several. */
  readonly legend?: string;
  readonly unit?: Unit;
  /**
   * Query the whole time range instead of the latest value, so the tile draws the series behind
   * its number.
   * @default false
   */
  readonly sparkline?: boolean;
  /** Grid width out of 24: four tiles to a row. @default 6 */
  readonly width?: number;
}

/** One number to read at a glance: a count, a rate, an objective. */
export function statTile(options: StatTileOptions): PanelSpec {
  const { expr, legend, sparkline, width, ...panel } = options;
  const query = prom(expr, legend);
  return {
    ...panel,
    type: "stat",
    queries: [(sparkline ?? false) ? query : latest(query)],
    width: width ?? 6,
  };
}

interface TimeSeriesOptions extends PanelBase {
  /** A line per series, the queries' in order. */
  readonly queries: readonly Query[];
  readonly unit?: Unit;
  /** Stack the series, so that their top line is the total. @default false */
  readonly stacked?: boolean;
}

/** Values over time: the rate, errors and duration (RED) panels, and every other trend. */
export function timeSeries(options: TimeSeriesOptions): PanelSpec {
  return { ...options, type: "timeseries" };
}

interface TableOptions extends PanelBase {
  /** Read for their latest values only. */
  readonly queries: readonly PromQuery[];
}

/** The series of right now, one row each: what is down, firing, or restarting. */
export function table(options: TableOptions): PanelSpec {
  return { ...options, type: "table", queries: options.queries.map(latest) };
}
