import * as yaml from "js-yaml";
import { z } from "zod";
import { fileSource, readConfigFile } from "./projectFiles";
import { sloSpec } from "./sections/slos";

// OpenSLO v1 `SLO` documents, translated to the spec of metrics.slos. The schema below is the part
// of OpenSLO the translation reads; every other field is refused by name rather than ignored, so a
// document never means more than the rules it becomes.

type SloSpec = z.output<typeof sloSpec>;

/** A Prometheus metric source: OpenSLO's `metricSource` with `type: Prometheus` and a query. */
const prometheusSource = z
  .object({
    metricSource: z
      .object({
        type: z.literal("Prometheus", { errorMap: () => ({ message: "must be Prometheus" }) }),
        spec: z.object({ query: z.string({ required_error: "is required" }) }).strict(),
      })
      .strict(),
  })
  .strict();

const indicator = z
  .object({
    metadata: z.object({ name: z.string(), displayName: z.string().optional() }).strict().optional(),
    spec: z
      .object({
        ratioMetric: z
          .object({
            counter: z.literal(true, {
              errorMap: () => ({ message: "must be true: the SLI is a ratio of counters' rates" }),
            }),
            good: prometheusSource.optional(),
            bad: prometheusSource.optional(),
            total: prometheusSource,
          })
          .strict()
          .optional(),
        thresholdMetric: prometheusSource.optional(),
      })
      .strict(),
  })
  .strict();

const openSloDocument = z
  .object({
    apiVersion: z.literal("openslo/v1", { errorMap: () => ({ message: "must be openslo/v1" }) }),
    kind: z.literal("SLO", { errorMap: () => ({ message: "must be SLO (the only kind translated)" }) }),
    metadata: z
      .object({
        name: z.string({ required_error: "is required" }),
        displayName: z.string().optional(),
        labels: z.record(z.unknown()).optional(),
        annotations: z.record(z.unknown()).optional(),
      })
      .strict(),
    spec: z
      .object({
        description: z.string().optional(),
        service: z.string({ required_error: "is required" }),
        indicator,
        timeWindow: z
          .array(
            z
              .object({
                duration: z.string(),
                isRolling: z.literal(true, {
                  errorMap: () => ({ message: "must be true: only rolling windows are supported" }),
                }),
              })
              .strict(),
          )
          .length(1, "must hold exactly one window"),
        budgetingMethod: z.enum(["Occurrences", "Timeslices"], {
          errorMap: () => ({ message: "must be Occurrences (ratioMetric) or Timeslices (thresholdMetric)" }),
        }),
        objectives: z
          .array(
            z
              .object({
                displayName: z.string().optional(),
                target: z.number({ required_error: "is required" }),
                op: z
                  .enum(["lt", "gt"], {
                    errorMap: () => ({ message: "must be lt or gt (lte and gte are not supported)" }),
                  })
                  .optional(),
                value: z.number().optional(),
              })
              .strict(),
          )
          .length(1, "must hold exactly one objective"),
      })
      .strict(),
  })
  .strict();

type OpenSloDocument = z.output<typeof openSloDocument>;

/** Where in the document a problem is: `spec.objectives[0].op`. */
const fieldPath = (at: readonly (string | number)[]) =>
  at.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

function describeIssue(issue: z.ZodIssue): string {
  const at = fieldPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${fieldPath([...issue.path, key])} is not supported`).join("; ");
  }
  const what =
    issue.code === "invalid_type" && issue.received === "undefined" ? "is required" : issue.message;
  return at === "" ? `the document ${what}` : `${at} ${what}`;
}

/** The metrics.slos entry a decoded document means, or why it has none. */
function translate(doc: OpenSloDocument): { slo: unknown } | { problem: string } {
  const { ratioMetric, thresholdMetric } = doc.spec.indicator.spec;
  const [objective] = doc.spec.objectives;
  const base = {
    name: doc.metadata.name,
    service: doc.spec.service,
    objective: objective.target,
    window: doc.spec.timeWindow[0].duration,
  };
  if ((ratioMetric === undefined) === (thresholdMetric === undefined)) {
    return { problem: "spec.indicator.spec must hold exactly one of ratioMetric and thresholdMetric" };
  }
  if (ratioMetric !== undefined) {
    if (doc.spec.budgetingMethod !== "Occurrences") {
      return { problem: "spec.budgetingMethod must be Occurrences for a ratioMetric" };
    }
    if (objective.op !== undefined || objective.value !== undefined) {
      return { problem: "spec.objectives[0].op and value are for a thresholdMetric, not a ratioMetric" };
    }
    if ((ratioMetric.good === undefined) === (ratioMetric.bad === undefined)) {
      return { problem: "spec.indicator.spec.ratioMetric must hold exactly one of good and bad" };
    }
    const query = (source: z.output<typeof prometheusSource> | undefined) => source?.metricSource.spec.query;
    return {
      slo: {
        ...base,
        indicator: {
          kind: "ratio",
          ...(ratioMetric.bad === undefined
            ? { good: query(ratioMetric.good) }
            : { errors: query(ratioMetric.bad) }),
          total: query(ratioMetric.total),
        },
      },
    };
  }
  if (doc.spec.budgetingMethod !== "Timeslices") {
    return {
      problem:
        "spec.budgetingMethod must be Timeslices for a thresholdMetric: the SLI is the share of evaluation intervals in which the bound holds",
    };
  }
  if (objective.op === undefined || objective.value === undefined) {
    return { problem: "spec.objectives[0].op (lt or gt) and value are required for a thresholdMetric" };
  }
  return {
    slo: {
      ...base,
      indicator: {
        kind: "threshold",
        expr: thresholdMetric!.metricSource.spec.query,
        ...(objective.op === "lt" ? { below: objective.value } : { above: objective.value }),
      },
    },
  };
}

/** Every SLO of one OpenSLO file's documents, or the problems, each naming its document and field. */
export function openSloFileSlos(text: string): { slos: SloSpec[]; problems: string[] } {
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text);
  } catch (error) {
    return { slos: [], problems: [`must be valid YAML: ${(error as yaml.YAMLException).reason}`] };
  }
  const slos: SloSpec[] = [];
  const problems: string[] = [];
  documents.forEach((raw, i) => {
    const name = (raw as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    const where = `document ${i + 1}${typeof name === "string" ? ` (${name})` : ""}`;
    const decoded = openSloDocument.safeParse(raw);
    if (!decoded.success) {
      problems.push(...decoded.error.issues.map((issue) => `${where}: ${describeIssue(issue)}`));
      return;
    }
    const translated = translate(decoded.data);
    if ("problem" in translated) {
      problems.push(`${where}: ${translated.problem}`);
      return;
    }
    const spec = sloSpec.safeParse(translated.slo);
    if (!spec.success) {
      problems.push(
        ...spec.error.issues.map((issue) => `${where}: as metrics.slos, ${describeIssue(issue)}`),
      );
      return;
    }
    slos.push(spec.data);
  });
  return { slos, problems };
}

/** A file of OpenSLO v1 `SLO` documents (a path, relative to the project root, or a name and content); becomes its SLOs. */
export const openSloFile = fileSource.transform((source, ctx): SloSpec[] => {
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  const read = readConfigFile(source, "file");
  if ("problem" in read) {
    return fail(read.problem);
  }
  const { slos, problems } = openSloFileSlos(read.text);
  return problems.length > 0
    ? fail(`must hold OpenSLO v1 SLOs the stack can translate: ${problems.join("; ")}`)
    : slos;
});
