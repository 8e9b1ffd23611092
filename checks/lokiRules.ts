// Loki's ruler's check of a rule file, in place of lokitool (Loki's own validator is AGPL code the
// project does not build): the file decodes strictly into groups of rules, group names are set and
// unique in the file, each rule is exactly one of an alert or a recording rule with a valid name,
// its expression parses as LogQL with the grammar the config uses (config/promql/queryGrammar.ts) and is a
// metric query (the ruler evaluates samples: a log query, such as a bare stream selector, is
// refused), `for` and `keep_firing_for` are durations of an alert, and labels and annotations map
// valid label names to text.
import * as yaml from "js-yaml";
import { LOG_QUERY_IN_RULE, isLogqlMetricQuery, queryParseProblem } from "../config/promql/queryGrammar";

const GROUP_FIELDS = ["name", "interval", "query_offset", "limit", "labels", "rules"];
const RULE_FIELDS = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];
/** Prometheus' duration format (model.Duration), which the ruler's rule format uses. */
const DURATION = /^(0|([0-9]+(ms|s|m|h|d|w|y))+)$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function unknownFields(value: Mapping, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !allowed.includes(key));
}

/** A labels or annotations map's problems: `kind` names it in the message. */
function labelProblems(value: unknown, kind: "labels" | "annotations"): string[] {
  if (value === undefined) return [];
  if (!isMapping(value)) return [`${kind} must be a mapping of names to text`];
  return Object.entries(value).flatMap(([name, text]) => [
    ...(LABEL_NAME.test(name) && !(kind === "labels" && name === "__name__")
      ? []
      : [
          `${kind} has an invalid name ${JSON.stringify(name)} (letters, digits and _, not starting with a digit)`,
        ]),
    ...(typeof text === "string" ? [] : [`${kind}.${name} must be text`]),
  ]);
}

function ruleProblems(rule: unknown): { name: string; problems: string[] } {
  if (!isMapping(rule)) return { name: "rule", problems: ["must be a mapping"] };
  const { alert, record, expr } = rule;
  const name =
    typeof alert === "string"
      ? `alert ${JSON.stringify(alert)}`
      : typeof record === "string"
        ? `record ${JSON.stringify(record)}`
        : "rule";
  const problems: string[] = unknownFields(rule, RULE_FIELDS).map(
    (key) => `has unknown field ${key} (allowed: ${RULE_FIELDS.join(", ")})`,
  );
  if ((alert === undefined) === (record === undefined)) {
    problems.push("must have exactly one of alert or record");
  }
  if (alert !== undefined && (typeof alert !== "string" || alert === "")) {
    problems.push("alert must be a non-empty name");
  }
  if (record !== undefined && (typeof record !== "string" || !METRIC_NAME.test(record))) {
    problems.push(`record must be a metric name (letters, digits, _ and :), got ${JSON.stringify(record)}`);
  }
  if (typeof expr !== "string" || expr.trim() === "") {
    problems.push("expr must be a LogQL expression (text)");
  } else {
    const parse = queryParseProblem("LogQL", expr);
    if (parse !== undefined) {
      problems.push(`expr ${parse}`);
    } else if (!isLogqlMetricQuery(expr)) {
      problems.push(`expr ${LOG_QUERY_IN_RULE}`);
    }
  }
  for (const key of ["for", "keep_firing_for"] as const) {
    const value = rule[key];
    if (value === undefined) continue;
    if (record !== undefined) problems.push(`${key} is only allowed on an alert, not a recording rule`);
    if (typeof value !== "string" || !DURATION.test(value)) {
      problems.push(`${key} must be a duration such as 5m, got ${JSON.stringify(value)}`);
    }
  }
  if (record !== undefined && rule.annotations !== undefined) {
    problems.push("annotations are only allowed on an alert, not a recording rule");
  }
  problems.push(...labelProblems(rule.labels, "labels"), ...labelProblems(rule.annotations, "annotations"));
  return { name, problems };
}

function groupProblems(file: string, group: unknown, index: number, seen: Set<string>): string[] {
  if (!isMapping(group)) return [`${file}: groups[${index}] must be a mapping`];
  const name = typeof group.name === "string" && group.name !== "" ? group.name : undefined;
  const where = `${file}: group ${name === undefined ? `groups[${index}]` : JSON.stringify(name)}`;
  const problems = unknownFields(group, GROUP_FIELDS).map(
    (key) => `${where} has unknown field ${key} (allowed: ${GROUP_FIELDS.join(", ")})`,
  );
  if (name === undefined) {
    problems.push(`${where}: name must be a non-empty text`);
  } else if (seen.has(name)) {
    problems.push(`${where}: the name is repeated in the file (group names are unique per file)`);
  }
  if (name !== undefined) seen.add(name);
  for (const key of ["interval", "query_offset"] as const) {
    const value = group[key];
    if (value !== undefined && (typeof value !== "string" || !DURATION.test(value))) {
      problems.push(`${where}: ${key} must be a duration such as 1m, got ${JSON.stringify(value)}`);
    }
  }
  if (group.limit !== undefined && !(Number.isInteger(group.limit) && (group.limit as number) >= 0)) {
    problems.push(`${where}: limit must be a whole number, 0 or more`);
  }
  problems.push(...labelProblems(group.labels, "labels").map((p) => `${where}: ${p}`));
  if (!Array.isArray(group.rules)) {
    return [...problems, `${where}: rules must be a list`];
  }
  return [
    ...problems,
    ...group.rules.flatMap((rule, r) => {
      const checked = ruleProblems(rule);
      return checked.problems.map((p) => `${where}, ${checked.name} (rules[${r}]): ${p}`);
    }),
  ];
}

/**
 * What Loki's ruler would refuse in the rule file `text`, each problem naming the file, the group
 * and the rule (`payments.logs.yml: group "payments", alert "X" (rules[0]): expr does not parse as
 * LogQL at 1:5, …`); empty when the ruler loads it.
 */
export function lokiRuleFileProblems(file: string, text: string): string[] {
  let content: unknown;
  try {
    content = yaml.load(text);
  } catch (error) {
    return [`${file}: not valid YAML: ${(error as yaml.YAMLException).reason}`];
  }
  if (!isMapping(content)) return [`${file}: must be a mapping with a groups list`];
  const problems = unknownFields(content, ["groups"]).map(
    (key) => `${file}: has unknown field ${key} (allowed: groups)`,
  );
  if (!Array.isArray(content.groups)) return [...problems, `${file}: groups must be a list`];
  const seen = new Set<string>();
  return [...problems, ...content.groups.flatMap((group, g) => groupProblems(file, group, g, seen))];
}
