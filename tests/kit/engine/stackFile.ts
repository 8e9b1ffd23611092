// A stack's config as the program reads it (render/stackFile.ts: `namespace:key` → text, structured
// values as JSON, encrypted values as SECRET_PLACEHOLDER) written back as a stack file the CLI reads:
// structured values as YAML, and every credential of a key Pulumi holds encrypted set through the
// CLI with --secret, as a user sets it. A committed file's ciphertext is for a key the tests do not
// hold: that credential gets a test value its format accepts.
import type { PulumiConfig } from "../../../config";
import { CONFIG_NAMESPACE, isSecretPath, keyPath } from "../../../config/errors";
import { secretFormatChecks } from "../../../config/secretFormats";
import { SECRET_PLACEHOLDER } from "../../../render/stackFile";
import { StackFile } from "./workspace";

type Path = readonly (string | number)[];

/**
 * What an encrypted value of a committed stack file holds in the engine's copy of it: the first of
 * these its key's format accepts (config/secretFormats.ts), as the program refuses a webhook that is
 * no URL or a routing key that is not 32 letters and digits.
 */
const TEST_SECRETS = [
  "engine-test-secret",
  "https://hooks.example.com/engine-test-secret",
  "EngineTestSecret0123456789abcdef",
] as const;

/** The value with its credentials taken out: each one's path, and its value unless the file's is encrypted. */
function split(value: unknown, path: Path): { plain: unknown; secrets: [Path, string | undefined][] } {
  if (value === SECRET_PLACEHOLDER) {
    return { plain: undefined, secrets: [[path, undefined]] };
  }
  if (path.length > 1 && isSecretPath(path) && typeof value === "string") {
    return { plain: undefined, secrets: [[path, value]] };
  }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === "object"
      ? Object.entries(value)
      : [];
  if (entries.length === 0) {
    return { plain: value, secrets: [] };
  }
  const parts = entries.map(([k, v]) => [k, split(v, [...path, k])] as const);
  const kept = parts.filter(([, p]) => p.plain !== undefined).map(([k, p]) => [k, p.plain] as const);
  return {
    plain: Array.isArray(value) ? kept.map(([, v]) => v) : Object.fromEntries(kept),
    secrets: parts.flatMap(([, p]) => p.secrets),
  };
}

/** Text that holds a JSON object or list is a structured value; anything else is text as the CLI stored it. */
function parsed(text: string): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The test value for the encrypted credential at `path` of `config`: one its format accepts. */
function testSecret(config: PulumiConfig, path: Path): string {
  const sections = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith(`${CONFIG_NAMESPACE}:`))
      .map(([key, text]) => [key.slice(CONFIG_NAMESPACE.length + 1), parsed(text)]),
  );
  const problemOf = secretFormatChecks(sections).find(
    (check) => keyPath(check.path) === keyPath(path),
  )?.problemOf;
  const value = TEST_SECRETS.find((candidate) => problemOf?.(candidate) === undefined);
  if (value === undefined) {
    throw new Error(`no test value of tests/kit/engine/stackFile.ts has the format of ${keyPath(path)}`);
  }
  return value;
}

/** The stack file of `config`, whose `secretKeys` Pulumi holds encrypted. */
export function stackFileOf(config: PulumiConfig, secretKeys: readonly string[]): StackFile {
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [key, text] of Object.entries(config)) {
    const ours = key.startsWith(`${CONFIG_NAMESPACE}:`);
    if (!ours || !secretKeys.includes(key)) {
      plain[key] = parsed(text);
      continue;
    }
    const value = split(parsed(text), [key.slice(CONFIG_NAMESPACE.length + 1)]);
    if (value.plain !== undefined) plain[key] = value.plain;
    for (const [path, secret] of value.secrets) secrets[keyPath(path)] = secret ?? testSecret(config, path);
  }
  return { config: plain, secrets };
}
