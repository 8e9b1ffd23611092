import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { SECRET_PLACEHOLDER } from "../config/secretFormats";

// An encrypted value of a stack file becomes SECRET_PLACEHOLDER offline: the render never holds the key.
export { SECRET_PLACEHOLDER };

export interface StackFileConfig {
  /** `namespace:key` → value as Pulumi passes it to programs (structured values as JSON text). */
  readonly config: Record<string, string>;
  /** Top-level keys that hold an encrypted value somewhere inside. */
  readonly secretKeys: string[];
}

function stackFilePath(stack: string, projectDir: string): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI would hand it to the program. */
export function readStackFile(stack: string, projectDir: string): StackFileConfig {
  const file = stackFilePath(stack, projectDir);
  if (!fs.existsSync(file)) {
    throw new Error(`No stack file ${file}: expected Pulumi.${stack}.yaml in the project root`);
  }
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    const { plain, hadSecret } = replaceSecure(value);
    config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (hadSecret) {
      secretKeys.push(key);
    }
  }
  return { config, secretKeys };
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && Object.keys(value).length === 1 && "secure" in value;
}

function replaceSecure(value: unknown): { plain: unknown; hadSecret: boolean } {
  if (isSecure(value)) {
    return { plain: SECRET_PLACEHOLDER, hadSecret: true };
  }
  if (Array.isArray(value)) {
    const items = value.map(replaceSecure);
    return { plain: items.map((i) => i.plain), hadSecret: items.some((i) => i.hadSecret) };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, replaceSecure(v)] as const);
    return {
      plain: Object.fromEntries(entries.map(([k, v]) => [k, v.plain])),
      hadSecret: entries.some(([, v]) => v.hadSecret),
    };
  }
  return { plain: value, hadSecret: false };
}
