import { StackConfig } from "../../config";
import { selectorParts } from "../../config/promqlSelector";
import { anyLeMatcher } from "../common/httpSources";
import { RecordingRule, RuleGroup } from "../common/prometheusTypes";
import { alertFactory } from "../common/alertFactory";
import {
  BUDGET_EVALUATION_INTERVAL,
  BURN_WINDOWS,
  SloAlertNames,
  burnRatesInWords,
  errorBudget,
  sloBudgetAndAlerts,
} from "./sloEngine";

type Slo = StackConfig["metrics"]["slos"][number];
type Indicator = Slo["indicator"];

/** The alerts of every `metrics.slos` entry, told apart by their `slo` label. */
export const CONFIGURED_SLO_ALERTS: SloAlertNames = { page: "SLOBurnFast", ticket: "SLOBurnSlow" };

/** The recorded series of `metrics.slos`, each labelled `slo` and `service`. */
export const SLO_SERIES = {
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  /** Threshold indicators: 1 in an evaluation interval in which the bound is broken, else 0. */
  errorSample: "slo:sli_error:sample",
  objective: "slo:objective:ratio",
  budgetRemaining: "slo:error_budget_remaining:ratio",
  /** 1 while the indicator selects series, 0 while it selects none. */
  present: "slo:sli:present",
} as const;

/** Warns of an SLO of `metrics.slos` whose indicator has selected no series for 30 minutes. */
export const SLO_INDICATOR_MISSING = "SLOIndicatorMissing";

const sumRate = (selector: string, window: string) => `sum(rate(${selector}[${window}]))`;

/** A selector of the histogram's bucket at `bound`: `<family>_bucket{<matchers>, le=…}`. */
function bucket(histogram: string, bound: string): string {
  const { metric, matchers } = selectorParts(histogram)!;
  return `${metric}_bucket{${[matchers, bound].filter((m) => m !== "").join(", ")}}`;
}

/** The share of bad events (or of evaluation intervals) over `window`. */
function errorRatio(indicator: Indicator, sample: string, window: string): string {
  switch (indicator.kind) {
    case "ratio": {
      // A counter of one outcome is often exported only once it counts (Micrometer registers a
      // tagged counter at its first increment): until then it is 0, not absent.
      const total = sumRate(indicator.total, window);
      const counted = (selector: string) => `(${sumRate(selector, window)} or 0 * ${total})`;
      return indicator.errors !== undefined
        ? `${counted(indicator.errors)} / ${total}`
        : `1 - ${counted(indicator.good!)} / ${total}`;
    }
    case "latency":
      return `1 - ${sumRate(bucket(indicator.histogram, anyLeMatcher(indicator.threshold)), window)} / ${sumRate(bucket(indicator.histogram, 'le="+Inf"'), window)}`;
    case "threshold":
      return `avg_over_time(${sample}[${window}])`;
  }
}

/** The series an indicator has whenever its service publishes it: a ratio's total, a histogram's +Inf bucket. */
function indicatorSeries(indicator: Indicator): string {
  switch (indicator.kind) {
    case "ratio":
      return indicator.total;
    case "latency":
      return bucket(indicator.histogram, 'le="+Inf"');
    case "threshold":
      return indicator.expr;
  }
}

/**
 * Whether the threshold indicator's bound is broken now, as 1 or 0: by any of the series the
 * expression returns (the highest against `below`, the lowest against `above`).
 */
function brokenBound(indicator: Extract<Indicator, { kind: "threshold" }>): string {
  return indicator.below !== undefined
    ? `max(${indicator.expr}) >= bool ${indicator.below}`
    : `min(${indicator.expr}) <= bool ${indicator.above!}`;
}

/**
 * Two rule groups per SLO of `metrics.slos`: its error ratio over every burn-rate window, its page
 * and ticket alerts (one group, so that the alerts read the ratios of the same evaluation) and
 * whether its indicator has data; and its error ratio over the compliance window, objective and
 * remaining error budget.
 */
export function configuredSloRules(slos: readonly Slo[], runbookBaseUrl: string): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  return slos.flatMap((slo): RuleGroup[] => {
    const labels = { slo: slo.name, service: slo.service };
    const selector = `slo="${slo.name}"`;
    const sample = `${SLO_SERIES.errorSample}{${selector}}`;
    const samples: RecordingRule[] =
      slo.indicator.kind === "threshold"
        ? [{ record: SLO_SERIES.errorSample, expr: brokenBound(slo.indicator), labels }]
        : [];
    const ratio = (window: string): RecordingRule => ({
      record: SLO_SERIES.errorRatio(window),
      expr: errorRatio(slo.indicator, sample, window),
      labels,
    });
    const { budget, alerts } = sloBudgetAndAlerts(
      {
        errorRatio: SLO_SERIES.errorRatio,
        selector,
        budget: String(errorBudget(slo.objective)),
        window: slo.window,
        budgetRemaining: SLO_SERIES.budgetRemaining,
        alerts: CONFIGURED_SLO_ALERTS,
        alertLabels: labels,
        alertText: {
          page: {
            summary: "{{ $labels.service }}'s SLO {{ $labels.slo }} burns its error budget fast",
            description: `The error budget of {{ $labels.slo }} (objective ${slo.objective} over ${slo.window}) burns ${burnRatesInWords("page")}.`,
          },
          ticket: {
            summary: "{{ $labels.service }}'s SLO {{ $labels.slo }} burns its error budget",
            description: `The error budget of {{ $labels.slo }} (objective ${slo.objective} over ${slo.window}) burns ${burnRatesInWords("ticket")}.`,
          },
        },
      },
      runbookBaseUrl,
    );
    const present: RecordingRule = {
      record: SLO_SERIES.present,
      expr: `group(${indicatorSeries(slo.indicator)}) or vector(0)`,
      labels,
    };
    const missing = alert(
      SLO_INDICATOR_MISSING,
      "warning",
      `${SLO_SERIES.present}{${selector}} == 0`,
      "30m",
      "{{ $labels.service }}'s SLO {{ $labels.slo }} has no data",
      `The indicator of {{ $labels.slo }} has selected no series for 30 minutes (${indicatorSeries(slo.indicator)}), so its burn-rate alerts cannot fire. Check the metric's name and labels against what {{ $labels.service }} publishes.`,
    );
    return [
      {
        name: `slo/${slo.name}`,
        rules: [
          ...samples,
          ...BURN_WINDOWS.map(ratio),
          present,
          ...alerts,
          { ...missing, labels: { ...labels, ...missing.labels } },
        ],
      },
      {
        name: `slo/${slo.name}/budget`,
        interval: BUDGET_EVALUATION_INTERVAL,
        rules: [
          ratio(slo.window),
          { record: SLO_SERIES.objective, expr: `vector(${slo.objective})`, labels },
          { ...budget, labels },
        ],
      },
    ];
  });
}
