import { AlertRule, RecordingRule } from "../common/prometheusTypes";
import { alertFactory } from "../common/alertFactory";

// One engine for every SLO, whatever its indicator: given where an SLO's error ratio is recorded
// per window and its error budget, it records the remaining budget and writes the
// multi-window, multi-burn-rate page and ticket alerts of the Google SRE workbook (chapter 5).

/** The windows the burn-rate alerts read, shortest first. */
export const BURN_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

interface BurnRatePair {
  readonly long: BurnWindow;
  readonly short: BurnWindow;
  /** How many times faster than the objective allows the budget burns. */
  readonly factor: number;
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

/** How long a burn must last before its alert fires. */
const FOR = { page: "2m", ticket: "15m" } as const;

interface AlertText {
  readonly summary: string;
  readonly description: string;
}

/** The names of an SLO family's two alerts; the page inhibits the ticket of the same SLO. */
export interface SloAlertNames {
  readonly page: string;
  readonly ticket: string;
}

/** What the engine needs of one SLO (or of a family of SLOs recorded as one series per service). */
export interface SloDefinition {
  /** The recording rule of the error ratio (share of bad events) over a window. */
  readonly errorRatio: (window: string) => string;
  /** Matchers that select this SLO's series of the recorded error ratios, e.g. `slo="checkout"`. */
  readonly selector: string;
  /** Its error budget, 1 - objective: a number, or an expression matching the error ratios' labels. */
  readonly budget: string;
  /** The compliance window (e.g. 30d): the engine reads `errorRatio(window)`. */
  readonly window: string;
  /** The recording rule of the share of the error budget left over the compliance window. */
  readonly budgetRemaining: string;
  readonly alerts: SloAlertNames;
  /** Labels the alerts carry besides `severity`: one SLO's alerts must differ from another's by their labels. */
  readonly alertLabels: Readonly<Record<string, string>>;
  readonly alertText: Readonly<Record<keyof SloAlertNames, AlertText>>;
}

/**
 * How often the rules over the compliance window are evaluated: a rate over 30 days reads a month of
 * samples, and the remaining budget moves slowly; the burn-rate rules keep the global interval.
 */
export const BUDGET_EVALUATION_INTERVAL = "5m";

/** 1 - objective, written without floating-point noise (1 - 0.995 is 0.0050000000000000044). */
export const errorBudget = (objective: number): number => +(1 - objective).toFixed(10);

/** The remaining error budget and the page and ticket alerts of one SLO. */
export function sloBudgetAndAlerts(
  slo: SloDefinition,
  runbookBaseUrl: string,
): { budget: RecordingRule; alerts: AlertRule[] } {
  const alert = alertFactory(runbookBaseUrl);
  const ratio = (window: string) =>
    `${slo.errorRatio(window)}${slo.selector === "" ? "" : `{${slo.selector}}`}`;
  const burning = (pairs: readonly BurnRatePair[]) =>
    pairs
      .map(
        ({ long, short, factor }) =>
          `(${ratio(long)} > ${factor} * ${slo.budget} and ${ratio(short)} > ${factor} * ${slo.budget})`,
      )
      .join(" or ");
  return {
    budget: { record: slo.budgetRemaining, expr: `1 - ${ratio(slo.window)} / ${slo.budget}` },
    alerts: (["page", "ticket"] as const).map((kind) => {
      const rule = alert(
        slo.alerts[kind],
        kind === "page" ? "critical" : "warning",
        burning(BURN_RATES[kind]),
        FOR[kind],
        slo.alertText[kind].summary,
        slo.alertText[kind].description,
      );
      return { ...rule, labels: { ...slo.alertLabels, ...rule.labels } };
    }),
  };
}

/** Burn-rate pairs in words, for alert descriptions: "14.4x over 1h and 5m, or 6x over 6h and 30m". */
export function burnRatesInWords(kind: keyof SloAlertNames): string {
  return BURN_RATES[kind].map((p) => `${p.factor}x over ${p.long} and ${p.short}`).join(", or ");
}
