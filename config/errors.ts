import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { matchesKeyPattern } from "./keyPattern";
import { migrationHint } from "./migrations";

export const CONFIG_NAMESPACE = "observability";

/**
 * Fields that hold credentials: never echoed back in an error, and must be set with --secret.
 * `*` stands for any index of a list.
 */
export const SECRET_PATHS: readonly (readonly string[])[] = [
  ["alerting", "slack", "webhookUrl"],
  ["alerting", "email", "password"],
  ["alerting", "webhook", "url"],
  ["alerting", "watchdog", "url"],
  ["alerting", "receivers", "*", "slack", "*", "webhookUrl"],
  ["alerting", "receivers", "*", "pagerduty", "*", "routingKey"],
  ["alerting", "receivers", "*", "opsgenie", "*", "apiKey"],
  ["alerting", "receivers", "*", "msteams", "*", "webhookUrl"],
  ["alerting", "receivers", "*", "webhook", "*", "url"],
  ["alerting", "receivers", "*", "email", "*", "password"],
  ["metrics", "exporters", "postgres", "*", "dsn"],
  ["metrics", "exporters", "redis", "*", "password"],
  ["grafana", "database", "password"],
  ["grafana", "sso", "clientSecret"],
  ["images", "registryCredentials"],
  ["metrics", "extraScrapeConfigs", "*", "basic_auth", "password"],
  ["metrics", "extraScrapeConfigs", "*", "authorization", "credentials"],
  ["exposure", "ingress", "auth", "clientSecret"],
  ["metrics", "objectStorage", "hub", "tls", "key"],
];

/** Whether a concrete key path is one of SECRET_PATHS. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  return SECRET_PATHS.some((secret) => matchesKeyPattern(secret, path));
}

/**
 * One error for the whole stack config (or a component's args, the `subject`), listing every
 * problem with its key path.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly problems: readonly string[],
    subject = "stack config",
  ) {
    super(
      `Invalid ${subject} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was deployed:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
    // The SDK never shows a RunError's stack, but formats it with util.inspect and colors, which on
    // Node 20.20 loops without end on the SDK's source-mapped frames (nodejs/node#64011).
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** `observability:apps.services[2].port` */
export function keyPath(path: readonly (string | number)[]): string {
  const [top, ...rest] = path;
  return (
    `${CONFIG_NAMESPACE}:${String(top)}` +
    rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")
  );
}

/** Turns zod issues into sentences that name the key, the allowed values and what was given. */
export function describeIssues(
  issues: readonly z.ZodIssue[],
  input: unknown,
  schema: z.ZodTypeAny,
): string[] {
  return issues.flatMap((issue): string[] => {
    const valueOnly = valueBranch(issue);
    if (valueOnly !== undefined) {
      return describeIssues(valueOnly, input, schema);
    }
    const key = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      const allowed = objectKeysAt(schema, issue.path);
      return issue.keys.map((unknownKey) => {
        const where = issue.path.length === 0 ? `${CONFIG_NAMESPACE}:${unknownKey}` : `${key}.${unknownKey}`;
        const hint = closest(unknownKey, allowed);
        return withMigration(
          `${where} is not a known key` +
            (hint === undefined ? "" : ` (did you mean ${hint}?)`) +
            `; allowed: ${allowed.join(", ")}`,
          [...issue.path, unknownKey],
          true,
        );
      });
    }
    // A problem inside a file the key names says which file itself: the key's value is no answer to it.
    const value =
      issue.code === "custom" && issue.params?.insideFile === true ? undefined : valueAt(input, issue.path);
    if (issue.code === "invalid_type" && value === undefined) {
      return [withMigration(`${key} is required`, issue.path, false)];
    }
    return [
      withMigration(
        `${key} ${sentence(issue)}` + (value === undefined ? "" : ` (got ${shown(value, issue.path)})`),
        issue.path,
        value !== undefined,
      ),
    ];
  });
}

/**
 * The issues of a value that fits no branch of a union, as the branch it comes nearest (the fewest
 * issues) states them; an Output branch is for programs only, and a stack file never holds one.
 */
function valueBranch(issue: z.ZodIssue): z.ZodIssue[] | undefined {
  if (issue.code !== "invalid_union") {
    return undefined;
  }
  const branches = issue.unionErrors
    .map((error) => error.issues)
    .filter((issues) => !(issues.length === 1 && issues[0].message === "must be a Pulumi Output"))
    .sort((a, b) => a.length - b.length);
  return branches[0];
}

/** A problem on a key an earlier release used differently ends with how to migrate. */
function withMigration(problem: string, path: readonly (string | number)[], present: boolean): string {
  const hint = migrationHint(path, present);
  return hint === undefined ? problem : `${problem}; ${hint}`;
}

function sentence(issue: z.ZodIssue): string {
  switch (issue.code) {
    case "invalid_enum_value":
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "invalid_literal":
      return `must be ${JSON.stringify(issue.expected)}`;
    case "invalid_union_discriminator":
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "invalid_union":
      return "must be a string or a number";
    case "invalid_type":
      return issue.message.startsWith("Expected") ? `must be ${article(issue.expected)}` : issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === "boolean") {
    return "true or false";
  }
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * The value a problem quotes. Secrets are never quoted, nor is text of several lines: it is no
 * one-line value, and it may be a file's contents with credentials in it (a kubeconfig).
 */
function shown(value: unknown, path: readonly (string | number)[]): string {
  if (isSecretPath(path)) {
    return "a secret value";
  }
  if (typeof value === "string" && value.includes("\n")) {
    return `${value.split("\n").length} lines of text, not shown`;
  }
  return JSON.stringify(value) ?? String(value);
}

/** The value at `path` of a config tree, or undefined. */
export function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined,
    input,
  );
}

/** The keys the schema allows for the object at `path`, looking through wrappers. */
function objectKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): string[] {
  let node: z.ZodTypeAny | undefined = schema;
  for (const segment of [...path, undefined]) {
    while (node instanceof z.ZodEffects || node instanceof z.ZodOptional) {
      node =
        node instanceof z.ZodEffects ? (node.innerType() as z.ZodTypeAny) : (node.unwrap() as z.ZodTypeAny);
    }
    if (segment === undefined) {
      break;
    }
    if (node instanceof z.ZodArray) {
      node = node.element as z.ZodTypeAny;
    } else if (node instanceof z.ZodObject) {
      node = (node.shape as Record<string, z.ZodTypeAny>)[segment];
    } else {
      return [];
    }
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape as object) : [];
}

/** The allowed key nearest to a typo, if it is near enough to be a likely intent. */
export function closest(typo: string, allowed: readonly string[]): string | undefined {
  const ranked = allowed
    .map((candidate) => ({ candidate, distance: editDistance(typo.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  return best !== undefined && best.distance <= Math.max(2, Math.floor(typo.length / 4))
    ? best.candidate
    : undefined;
}

/**
 * The fewest insertions, deletions, substitutions and swaps of two neighbours that turn a into b
 * (optimal string alignment): a swap is one slip of the fingers (pgae, crtiical).
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        rows[i - 1][j] + 1,
        row[j - 1] + 1,
        rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1);
      }
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}
