import { PROFILE_DEFAULTS, Profile } from "./defaults";
import { CONFIG_NAMESPACE, ConfigError, SECRET_PATHS, closest, describeIssues, keyPath } from "./errors";
import { concretePaths, isPlainObject } from "./keyPattern";
import { PulumiConfig } from "./pulumiConfig";
import {
  ConfigRead,
  SECTIONS,
  Section,
  ValidStackConfig,
  configSchema,
  sectionsRead,
  stackConfigSchema,
} from "./schema";
import { withProjectRoot } from "./projectFiles";
import { ParsedStackConfig, shapeStackConfig } from "./shape";

/**
 * The config namespaces besides ours that a stack file may hold: the engine's own and those of the
 * providers a program like this one configures there.
 */
const PROVIDER_NAMESPACES = ["pulumi", "kubernetes", "aws", "random", "grafana"] as const;

/** The `observability:` keys of config as Pulumi hands it to programs, each decoded, and the others' problems. */
interface OwnKeys {
  /** Top-level keys without the namespace → their values. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** Those Pulumi holds encrypted. */
  readonly secretKeys: ReadonlySet<string>;
  /** Keys of a namespace nothing reads. */
  readonly strayProblems: readonly string[];
}

/**
 * Our keys of config as Pulumi hands it to programs. Keys of the providers' namespaces (`pulumi:`,
 * `kubernetes:`) are not ours; a key of any other namespace is a typo that nothing would read, and
 * an error.
 */
export function ownKeys(all: PulumiConfig, secretKeys: readonly string[]): OwnKeys {
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
  return { raw, secretKeys: new Set(ours), strayProblems: strayKeys.map(strayKeyProblem) };
}

/** Validates config as Pulumi hands it to programs (see ownKeys and validateStackConfig). */
export function validatePulumiConfig(
  all: PulumiConfig,
  secretKeys: readonly string[],
  root?: string,
): ParsedStackConfig {
  const own = ownKeys(all, secretKeys);
  return validateStackConfig(own.raw, own.secretKeys, own.strayProblems, { root });
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

/** Which sections a validation reads, and where the config's file paths start. */
export interface ValidationScope {
  /** What is read; the cross-section rules among it apply. @default every section */
  readonly reads?: readonly ConfigRead[];
  /** The Pulumi project's root, where the config's file paths are relative to. @default the working directory */
  readonly root?: string;
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
  scope: ValidationScope = {},
): ParsedStackConfig {
  const profile: Profile = raw.profile === "eks" ? "eks" : "kind";
  const read = sectionsRead(scope.reads ?? SECTIONS);
  const defaults = PROFILE_DEFAULTS[profile];
  const merged = deepMerge(
    Object.fromEntries(read.map((section) => [section, defaults[section]])),
    Object.fromEntries(
      Object.entries(raw).filter(
        ([key]) => !SECTIONS.includes(key as Section) || read.includes(key as Section),
      ),
    ),
  );
  const schema = scope.reads === undefined ? stackConfigSchema : configSchema(scope.reads);
  const result = withProjectRoot(scope.root ?? process.cwd(), () => schema.safeParse(merged));
  const problems = [
    ...otherProblems,
    ...(result.success ? [] : describeIssues(result.error.issues, merged, schema)),
    ...plaintextCredentials(raw, secretKeys),
  ];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(problems);
  }
  // A section not read keeps its defaults, unchecked: nothing of the caller's reads it.
  return shapeStackConfig({ ...defaults, ...result.data } as ValidStackConfig);
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
