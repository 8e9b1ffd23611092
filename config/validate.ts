import { PROFILE_DEFAULTS, Profile } from "./defaults";
import { CONFIG_NAMESPACE, ConfigError, SECRET_PATHS, closest, describeIssues, keyPath } from "./errors";
import { concretePaths, isPlainObject } from "./keyPattern";
import { PulumiConfig } from "./pulumiConfig";
import { stackConfigSchema } from "./schema";
import { ParsedStackConfig, shapeStackConfig } from "./shape";

/**
 * The config namespaces besides ours that a stack file may hold: the engine's own and those of the
 * providers a program like this one configures there.
 */
const PROVIDER_NAMESPACES = ["pulumi", "kubernetes", "aws", "random", "grafana"] as const;

/**
 * Validates config as Pulumi hands it to programs. Keys of the providers' namespaces (`pulumi:`,
 * `kubernetes:`) are not ours; a key of any other namespace is a typo that nothing would read, and
 * an error.
 */
export function validatePulumiConfig(all: PulumiConfig, secretKeys: readonly string[]): ParsedStackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  const strayKeys: string[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    if (fullKey.startsWith(prefix)) {
      raw[fullKey.slice(prefix.length)] = decodeConfigValue(value);
    } else if (!(PROVIDER_NAMESPACES as readonly string[]).includes(fullKey.split(":")[0])) {
      strayKeys.push(fullKey);
    }
  }
  const ours = secretKeys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
  return validateStackConfig(raw, new Set(ours), strayKeys.map(strayKeyProblem));
}

function strayKeyProblem(fullKey: string): string {
  const namespace = fullKey.includes(":") ? fullKey.slice(0, fullKey.indexOf(":")) : "";
  const key = fullKey.slice(namespace.length + 1);
  const known = [CONFIG_NAMESPACE, ...PROVIDER_NAMESPACES];
  const hint = closest(namespace, known);
  return (
    `${fullKey} is in namespace ${JSON.stringify(namespace)}, which nothing reads` +
    (hint === undefined ? "" : ` (did you mean ${hint}:${key}?)`) +
    `; the stack's keys are ${CONFIG_NAMESPACE}:<key>, beside the namespaces ${PROVIDER_NAMESPACES.map((n) => `${n}:`).join(", ")}`
  );
}

/**
 * Validates raw stack config (top-level keys without the namespace) over its profile's defaults,
 * then shapes it. Throws one ConfigError listing every problem. `secretKeys` are the top-level keys
 * Pulumi holds encrypted: credentials must be among them. `otherProblems` were found outside the
 * `observability:` keys, and are listed with theirs.
 */
export function validateStackConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
  otherProblems: readonly string[] = [],
): ParsedStackConfig {
  const profile: Profile = raw.profile === "eks" ? "eks" : "kind";
  const merged = deepMerge(PROFILE_DEFAULTS[profile], raw);
  const result = stackConfigSchema.safeParse(merged);
  const problems = [
    ...otherProblems,
    ...(result.success ? [] : describeIssues(result.error.issues, merged, stackConfigSchema)),
    ...plaintextCredentials(raw, secretKeys),
  ];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(problems);
  }
  return shapeStackConfig(result.data);
}

function plaintextCredentials(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
): string[] {
  return SECRET_PATHS.filter(([top]) => !secretKeys.has(top))
    .flatMap((pattern) => concretePaths(raw, pattern))
    .map(
      (path) =>
        `${keyPath(path)} holds a credential and must be set with ` +
        `\`pulumi config set --secret --path '${keyPath(path)}' <value>\``,
    );
}

/** Pulumi hands structured config to programs as JSON text. */
function decodeConfigValue(value: string): unknown {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" || typeof parsed === "number" || typeof parsed === "boolean"
      ? parsed
      : value;
  } catch {
    return value;
  }
}

/** Objects merge key by key; arrays and scalars from `override` replace the default. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return override === undefined ? base : override;
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = deepMerge(base[key], value);
  }
  return merged;
}
