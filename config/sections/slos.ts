import { z } from "zod";
import { dnsLabel, fromCliText, reportDuplicates, strict } from "../fields";
import { queryParseProblem } from "../queryGrammar";
import { selectorParts, selectorProblem } from "../promqlSelector";

/** An SLO's objective: above 0.9 (looser is no objective) and below 1 (which leaves no error budget). */
const sloObjective = fromCliText(
  z
    .number({ invalid_type_error: "must be a ratio above 0.9 and below 1, such as 0.995" })
    .gt(0.9, "must be a ratio above 0.9 and below 1, such as 0.995")
    .lt(1, "must be a ratio above 0.9 and below 1, such as 0.995"),
);

/** Whole days from 7 (more than the 3-day ticket window) to 90. */
export const complianceWindow = z
  .string()
  .regex(/^[0-9]+d$/, "must be a number of days such as 28d or 30d")
  .refine((w) => Number(w.slice(0, -1)) >= 7 && Number(w.slice(0, -1)) <= 90, {
    message: "must be between 7d and 90d",
  });

const selector = (what: string) =>
  z
    .string()
    .superRefine((text, ctx) => {
      const problem = selectorProblem(text);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe(what);

const number = fromCliText(z.number({ invalid_type_error: "must be a number" }));

const ratioIndicator = strict({
  kind: z.literal("ratio"),
  errors: selector('Counter of bad events, e.g. payments_total{outcome="failed"}; or give good.').optional(),
  good: selector("Counter of good events; or give errors.").optional(),
  total: selector("Counter of all events, e.g. payments_total."),
});

const latencyIndicator = strict({
  kind: z.literal("latency"),
  histogram: selector(
    'The histogram family without _bucket, with optional matchers, e.g. queue_wait_seconds{queue="checkout"}.',
  ),
  threshold: number.describe("Events at or below this value are good; one of buckets."),
  buckets: z
    .array(number)
    .min(1, "must list the histogram's bucket boundaries")
    .describe(
      "The bucket boundaries the application publishes for the histogram (e.g. Micrometer's serviceLevelObjectives); threshold must be one of them.",
    ),
});

const thresholdIndicator = strict({
  kind: z.literal("threshold"),
  expr: z
    .string()
    .superRefine((text, ctx) => {
      const problem = queryParseProblem("PromQL", text);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe(
      "A PromQL expression of a gauge or a rate, e.g. a quantile of queue waiting time; every series it returns must hold.",
    ),
  below: number.optional().describe("The expression holds while below this bound; or give above."),
  above: number.optional().describe("The expression holds while above this bound; or give below."),
});

export const sloSpec = strict({
  name: dnsLabel.describe("The SLO's name: the `slo` label of its series and alerts."),
  service: dnsLabel.describe("The service it belongs to: the `service` label of its series and alerts."),
  objective: sloObjective.describe("Share of good events (or of evaluation intervals for threshold)."),
  window: complianceWindow.describe("The compliance window the error budget is counted over."),
  indicator: z
    .discriminatedUnion("kind", [ratioIndicator, latencyIndicator, thresholdIndicator])
    .describe(
      "ratio (errors or good, and total: counter selectors), latency (a histogram and a threshold at one of its buckets) or threshold (an expression and a bound, SLI = share of evaluation intervals in which it holds).",
    ),
}).superRefine((value, ctx) => {
  const issue = (key: string, message: string) =>
    ctx.addIssue({ code: "custom", path: ["indicator", key], message });
  const indicator = value.indicator;
  if (indicator.kind === "ratio" && (indicator.errors === undefined) === (indicator.good === undefined)) {
    issue("errors", "must be given, or good instead: exactly one of them");
  }
  if (indicator.kind === "latency") {
    if (!indicator.buckets.includes(indicator.threshold)) {
      issue("threshold", `must be one of buckets (${indicator.buckets.join(", ")})`);
    }
    const metric = selectorParts(indicator.histogram)?.metric ?? "";
    if (/_(bucket|count|sum)$/.test(metric)) {
      issue("histogram", "must name the histogram family, without _bucket, _count or _sum");
    }
  }
  if (indicator.kind === "threshold" && (indicator.below === undefined) === (indicator.above === undefined)) {
    issue("below", "must be given, or above instead: exactly one of them");
  }
});

export const slosField = z
  .array(sloSpec)
  .superRefine((list, ctx) =>
    reportDuplicates(
      list.map((s, i) => [i, s.name] as const),
      [],
      ctx,
    ),
  )
  .describe(
    "Service level objectives of any indicator, each given recording rules over every burn-rate window and its compliance window, its remaining error budget, a page and a ticket alert.",
  );
