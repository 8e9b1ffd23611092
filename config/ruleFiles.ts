import * as yaml from "js-yaml";
import { z } from "zod";
import { fileSource, readConfigFile } from "./projectFiles";
import {
  LOG_QUERY_IN_RULE,
  QueryLanguage,
  isLogqlMetricQuery,
  queryParseProblem,
} from "./promql/queryGrammar";

// A team's own rule file, read when the config loads so that a missing or malformed file stops the
// deployment before anything is touched. The shape is the rule file format of Prometheus 3.5 (the
// deployed version; Loki's ruler reads the same format), which both decode strictly, so unknown
// fields are errors here too. Each expression is checked as its server parses it (PromQL with
// Prometheus' type and arity rules, LogQL with Loki's ruler's grammar, and a metric query); npm test
// also runs promtool and Loki's ruler's checks (checks/lokiRules.ts) on every extra file.

/** Prometheus' duration format inside a rule file (model.Duration): 0, 30s, 5m, 1h30m. */
const ruleDuration = z
  .string({ invalid_type_error: "must be a duration such as 5m" })
  .regex(/^(0|([0-9]+(ms|s|m|h|d|w|y))+)$/, "must be a duration such as 5m");

const labels = z.record(z.string({ invalid_type_error: "must be text" }));

const rule = z
  .object({
    record: z.string().min(1, "must not be empty"),
    alert: z.string().min(1, "must not be empty"),
    expr: z.string({ invalid_type_error: "must be an expression (text)" }).min(1, "must not be empty"),
    for: ruleDuration,
    keep_firing_for: ruleDuration,
    labels,
    annotations: labels,
  })
  .partial({ record: true, alert: true, for: true, keep_firing_for: true, labels: true, annotations: true })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.record === undefined) === (value.alert === undefined)) {
      ctx.addIssue({ code: "custom", message: "must have exactly one of alert or record" });
    }
    if (value.record !== undefined) {
      for (const key of ["for", "keep_firing_for", "annotations"] as const) {
        if (value[key] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "is only allowed on an alert, not a recording rule",
          });
        }
      }
    }
  });

const group = z
  .object({
    name: z.string().min(1, "must not be empty"),
    interval: ruleDuration.optional(),
    query_offset: ruleDuration.optional(),
    limit: z.number().int().nonnegative().optional(),
    labels: labels.optional(),
    rules: z.array(rule, { invalid_type_error: "must be a list" }),
  })
  .strict();

const ruleFileContent = z
  .object({ groups: z.array(group, { invalid_type_error: "must be a list" }) })
  .strict();

/** The rules of a rule file, as far as their expressions go. */
interface QueryGroup {
  readonly name: string;
  readonly rules: readonly { readonly alert?: string; readonly record?: string; readonly expr: string }[];
}

/**
 * Every rule whose expression is not valid `language`, each named by group, rule and place:
 * `group "payments", alert PaymentsDown (groups[0].rules[1].expr) does not parse as PromQL at 1:9, …`.
 */
export function ruleQueryProblems(language: QueryLanguage, groups: readonly QueryGroup[]): string[] {
  return groups.flatMap((group, g) =>
    group.rules.flatMap((rule, r) => {
      const problem =
        queryParseProblem(language, rule.expr) ??
        (language === "LogQL" && !isLogqlMetricQuery(rule.expr) ? LOG_QUERY_IN_RULE : undefined);
      const name = rule.alert === undefined ? `record ${rule.record ?? "?"}` : `alert ${rule.alert}`;
      return problem === undefined
        ? []
        : [`group ${JSON.stringify(group.name)}, ${name} (groups[${g}].rules[${r}].expr) ${problem}`];
    }),
  );
}

/** An extra rule file, read and checked at load time. */
export interface ExtraRuleFile {
  /** The path as the config gives it, or the name of content given directly: how errors name it. */
  readonly file: string;
  /** Its ConfigMap key and file name in the pod: the file's own name, so `pulumi preview` shows it. */
  readonly name: string;
  readonly groups: readonly z.output<typeof group>[];
}

/** A problem inside the file, located as `groups[0].rules[2].expr`. */
function describe(issue: z.ZodIssue): string {
  const where = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
  const what =
    issue.code === "unrecognized_keys"
      ? `has unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}`
      : issue.code === "invalid_type" && issue.received === "undefined"
        ? "is required"
        : issue.code === "invalid_type" && issue.message.startsWith("Expected")
          ? `must be ${issue.expected === "object" ? "a mapping" : `a ${issue.expected}`}`
          : issue.message;
  if (where === "") {
    return issue.code === "invalid_type" && issue.received === "undefined"
      ? "the file is empty"
      : `the file ${what}`;
  }
  return `${where} ${what}`;
}

/**
 * A rule file in the standard `groups:` format whose expressions are `language` (a path, relative
 * to the project root, or a name and content); becomes the file's content.
 * Problems are reported on the key and index of the list entry, and the formatter appends the path.
 */
export const extraRuleFile = (language: QueryLanguage) =>
  fileSource.transform((source, ctx): ExtraRuleFile => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    const read = readConfigFile(source, "rule file");
    if ("problem" in read) {
      return fail(read.problem);
    }
    if (!/^[-._a-zA-Z0-9]+$/.test(read.name)) {
      return fail(
        "must name a file of letters, digits, '-', '_' and '.' only (its name becomes a ConfigMap key)",
      );
    }
    let parsed: unknown;
    try {
      parsed = yaml.load(read.text);
    } catch (error) {
      return fail(`must be valid YAML: ${(error as yaml.YAMLException).reason}`);
    }
    const content = ruleFileContent.safeParse(parsed);
    if (!content.success) {
      return fail(`must be a rule file with groups: ${content.error.issues.map(describe).join("; ")}`);
    }
    const queries = ruleQueryProblems(language, content.data.groups);
    if (queries.length > 0) {
      return fail(`must hold valid ${language} in every rule: ${queries.join("; ")}`);
    }
    return { file: read.label, name: read.name, groups: content.data.groups };
  });
