// A stack's config as the program reads it (render/stackFile.ts: `namespace:key` → text, structured
// values as JSON, encrypted values as SECRET_PLACEHOLDER) written back as a stack file the CLI reads:
// structured values as YAML, and each encrypted value set again through the CLI, with a value of
// its own, since the committed files' ciphertexts are for keys the tests do not hold.
import type { PulumiConfig } from "../../config";
import { CONFIG_NAMESPACE, keyPath } from "../../config/errors";
import { secretFormatChecks } from "../../config/secretFormats";
import { SECRET_PLACEHOLDER } from "../../render/stackFile";
import { StackFile } from "./workspace";

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

type Json = unknown;

/** The value without its secrets, and the path (`a.b.c`) of each secret it held. */
function withoutSecrets(value: Json, at: string): { plain: Json; secretPaths: string[] } {
  if (value === SECRET_PLACEHOLDER) {
    return { plain: undefined, secretPaths: [at] };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => withoutSecrets(item, `${at}[${i}]`));
    return { plain: items.map((i) => i.plain), secretPaths: items.flatMap((i) => i.secretPaths) };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, withoutSecrets(v, `${at}.${k}`)] as const);
    return {
      plain: Object.fromEntries(
        entries.filter(([, v]) => v.plain !== undefined).map(([k, v]) => [k, v.plain]),
      ),
      secretPaths: entries.flatMap(([, v]) => v.secretPaths),
    };
  }
  return { plain: value, secretPaths: [] };
}

/** Text that holds a JSON object or list is a structured value; anything else is text as the CLI stored it. */
function parsed(text: string): Json {
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** The test value of each secret path (`observability:a.b[0].c`): one its format accepts. */
function testSecrets(config: PulumiConfig, secretPaths: readonly string[]): Record<string, string> {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const sections = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, text]) => [key.slice(prefix.length), parsed(text)]),
  );
  const formats = new Map(
    secretFormatChecks(sections).map((check) => [keyPath(check.path), check.problemOf]),
  );
  return Object.fromEntries(
    secretPaths.map((path) => {
      const problemOf = formats.get(path);
      const value = TEST_SECRETS.find((candidate) => problemOf?.(candidate) === undefined);
      if (value === undefined) {
        throw new Error(`no test value of testkit/engine/stackFile.ts has the format of ${path}`);
      }
      return [path, value];
    }),
  );
}

export function stackFileOf(config: PulumiConfig): StackFile {
  const plain: Record<string, Json> = {};
  const secretPaths: string[] = [];
  for (const [key, text] of Object.entries(config)) {
    const value = withoutSecrets(parsed(text), key);
    if (value.plain !== undefined) plain[key] = value.plain;
    secretPaths.push(...value.secretPaths);
  }
  return { config: plain, secrets: testSecrets(config, secretPaths) };
}
