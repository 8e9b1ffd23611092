import { DAY_MS, durationMs } from "../../config/durations";
import { AlertRule, RecordingRule } from "../common/prometheusTypes";
import { alertFactory } from "../common/alertFactory";

// One engine for every SLO, whatever its indicator: given where an SLO's error ratio is recorded
// per window and its error budget, it records the remaining budget and writes its burn-rate
// alerts, by default the multi-window, multi-burn-rate page and ticket of the Google SRE workbook
// (chapter 5).

/** The windows the burn-rate alerts read, shortest first. */
export const BURN_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

/** A burn-rate condition: the budget burns `factor` times faster than the objective allows over `long` (and `short`). */
export interface BurnRateCondition {
  readonly long: string;
  /** A shorter window that must burn as fast, so that the alert stops soon after the burn does. */
  readonly short?: string;
  /** How many times faster than the objective allows the budget burns. */
  readonly factor: number;
  /** At or above the factor, rather than above it. */
  readonly inclusive?: boolean;
}

interface BurnRatePair extends BurnRateCondition {
  readonly long: BurnWindow;
  readonly short: BurnWindow;
}

/**
 * Over a 30-day window: the page fires when 2 % of the budget goes in an hour (14.4x) or 5 % in
 * six hours (6x); the ticket when 10 % goes in a day (3x) or 10 % in three days (1x). The short
 * window, a twelfth of the long one, lets the alert stop soon after the burn does.
 */
export const BURN_RATES: Readonly<Record<"page" | "ticket", readonly BurnRatePair[]>> = {
  page: [
    { long: "1h", short: "5m", factor: 14.4 },
    { long: "6h", short: "30m", factor: 6 },
  ],
  ticket: [
    { long: "1d", short: "2h", factor: 3 },
    { long: "3d", short: "6h", factor: 1 },
  ],
};

/** How long a burn must last before the default page and ticket fire. */
const FOR = { page: "2m", ticket: "15m" } as const;

interface AlertText {
  readonly summary: string;
  readonly description: string;
}

/** The names of an SLO family's default page and ticket; the page inhibits the ticket of the same SLO. */
export interface SloAlertNames {
  readonly page: string;
  readonly ticket: string;
}

/** One burn-rate alert of an SLO: it fires while any of its conditions holds. */
export interface SloAlert extends AlertText {
  readonly name: string;
  /** The severity label: critical and warning are the platform's page and ticket; another routes as alerting says. */
  readonly severity: string;
  readonly when: readonly BurnRateCondition[];
  readonly for?: string;
  /** Labels besides the SLO's and `severity`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations over summary, description and runbook_url. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The runbook section (docs/runbooks.md) when it is not the alert's name. */
  readonly runbook?: string;
}

/** What the engine needs of one SLO (or of a family of SLOs recorded as one series per service). */
export interface SloDefinition {
  /** The recording rule of the error ratio (share of bad events) over a window. */
  readonly errorRatio: (window: string) => string;
  /** Matchers that select this SLO's series of the recorded error ratios, e.g. `slo="checkout"`. */
  readonly selector: string;
  /** Its error budget, 1 - objective: a number, or an expression matching the error ratios' labels. */
  readonly budget: string;
  /**
   * The error ratio over the compliance window (a rolling one, or the calendar period to date), as
   * an expression, not the series that records it: the remaining budget is computed from it in the
   * same evaluation. Thanos Ruler writes what it records by remote write, so a rule after it in its
   * group would read the last evaluation's value, one that a store's outage leaves standing.
   */
  readonly complianceRatio: string;
  /** The recording rule of the share of the error budget left over the compliance window. */
  readonly budgetRemaining: string;
  readonly alerts: readonly SloAlert[];
  /** Labels the alerts carry besides `severity`: one SLO's alerts must differ from another's by their labels. */
  readonly alertLabels: Readonly<Record<string, string>>;
}

/** The default page (critical) and ticket (warning) of the SRE workbook's burn-rate pairs. */
export function pageAndTicket(
  names: SloAlertNames,
  text: Readonly<Record<keyof SloAlertNames, AlertText>>,
): SloAlert[] {
  return (["page", "ticket"] as const).map((kind) => ({
    name: names[kind],
    severity: kind === "page" ? "critical" : "warning",
    when: BURN_RATES[kind],
    for: FOR[kind],
    ...text[kind],
  }));
}

/**
 * How often the rules over the compliance window are evaluated: a rate over 30 days reads a month of
 * samples, and the remaining budget moves slowly; the burn-rate rules keep the global interval.
 */
export const BUDGET_EVALUATION_INTERVAL = "5m";

/**
 * A window longer than a day is not read from the raw series: Prometheus records each SLO's events
 * (or its error ratio) of every hour once, at the hour's end (`CHUNK`, a rule group evaluated once
 * an hour), and a long window adds those hourly chunks up. A month's budget then reads one sample an
 * hour, 720 per series, wherever it is evaluated (Thanos Ruler reads them back from the bucket), not
 * every scraped sample of every series of the month. Such a window ends at the last whole hour.
 */
export const fromChunks = (window: string): boolean => durationMs(window) > DAY_MS;

/** What each chunk covers, and how often the group recording chunks runs. */
export const CHUNK = "1h";

/** The events of the chunks of `window`. */
export const chunkSum = (chunk: string, window: string): string => `sum_over_time(${chunk}[${window}])`;

/** 1 - objective, written without floating-point noise (1 - 0.995 is 0.0050000000000000044). */
export const errorBudget = (objective: number): number => +(1 - objective).toFixed(10);

/** The remaining error budget and the burn-rate alerts of one SLO. */
export function sloBudgetAndAlerts(
  slo: SloDefinition,
  runbookBaseUrl: string,
): { budget: RecordingRule; alerts: AlertRule[] } {
  const alert = alertFactory(runbookBaseUrl);
  const ratio = (window: string) =>
    `${slo.errorRatio(window)}${slo.selector === "" ? "" : `{${slo.selector}}`}`;
  const above = (window: string, { factor, inclusive }: BurnRateCondition) =>
    `${ratio(window)} ${inclusive === true ? ">=" : ">"} ${factor} * ${slo.budget}`;
  const burning = (conditions: readonly BurnRateCondition[]) =>
    conditions
      .map((c) => `(${above(c.long, c)}${c.short === undefined ? "" : ` and ${above(c.short, c)}`})`)
      .join(" or ");
  return {
    budget: {
      record: slo.budgetRemaining,
      expr: `1 - (${slo.complianceRatio}) / ${slo.budget}`,
    },
    alerts: slo.alerts.map((spec) => {
      const rule = alert(
        spec.name,
        spec.severity,
        burning(spec.when),
        spec.for,
        spec.summary,
        spec.description,
        spec.runbook,
      );
      return {
        ...rule,
        labels: { ...slo.alertLabels, ...spec.labels, ...rule.labels },
        annotations: { ...rule.annotations, ...spec.annotations },
      };
    }),
  };
}

/** Burn-rate conditions in words, for alert descriptions: "14.4x over 1h and 5m, or 6x over 6h and 30m". */
export function burnRatesInWords(conditions: readonly BurnRateCondition[]): string {
  return conditions
    .map(
      (c) =>
        `${c.inclusive === true ? "at least " : ""}${c.factor}x over ${c.long}${c.short === undefined ? "" : ` and ${c.short}`}`,
    )
    .join(", or ");
}
