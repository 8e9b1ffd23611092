// A stack's config as the program reads it (render/stackFile.ts: `namespace:key` → text, structured
// values as JSON, encrypted values as SECRET_PLACEHOLDER) written back as a stack file the CLI reads:
// structured values as YAML, and every credential of a key Pulumi holds encrypted set through the
// CLI with --secret, as a user sets it. A committed file's ciphertext is for a key the tests do not
// hold: that credential gets a test value of the format the program checks it against.
import type { PulumiConfig } from "../../config";
import { CONFIG_NAMESPACE, isSecretPath, keyPath } from "../../config/errors";
import { SECRET_PLACEHOLDER } from "../../render/stackFile";
import { StackFile } from "./workspace";

type Path = readonly (string | number)[];

/** A value the program accepts for the credential at `path` (config/secretFormats.ts). */
export function testSecret(path: Path): string {
  const last = String(path[path.length - 1]);
  if (last === "routingKey") return "0123456789abcdef0123456789abcdef";
  if (last === "webhookUrl") return "https://hooks.slack.com/services/T0ENGINE/B0TEST/engine-test";
  if (last === "url") return "https://alerts.example.com/engine-test";
  return "engine-test-secret";
}

/** The value with its credentials taken out, each credential's path and value beside it. */
function split(value: unknown, path: Path): { plain: unknown; secrets: [Path, string][] } {
  if (path.length > 1 && isSecretPath(path) && typeof value === "string") {
    return { plain: undefined, secrets: [[path, value === SECRET_PLACEHOLDER ? testSecret(path) : value]] };
  }
  if (value === SECRET_PLACEHOLDER) {
    return { plain: undefined, secrets: [[path, testSecret(path)]] };
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

/** The stack file of `config`, whose `secretKeys` Pulumi holds encrypted. */
export function stackFileOf(config: PulumiConfig, secretKeys: readonly string[]): StackFile {
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [key, text] of Object.entries(config)) {
    const ours = key.startsWith(`${CONFIG_NAMESPACE}:`);
    const value =
      secretKeys.includes(key) && ours
        ? split(parsed(text), [key.slice(CONFIG_NAMESPACE.length + 1)])
        : undefined;
    if (value === undefined) {
      plain[key] = parsed(text);
      continue;
    }
    if (value.plain !== undefined) plain[key] = value.plain;
    for (const [path, secret] of value.secrets) secrets[keyPath(path)] = secret;
  }
  return { config: plain, secrets };
}
