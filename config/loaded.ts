import * as pulumi from "@pulumi/pulumi";
import { SECRET_PATHS, valueAt } from "./errors";
import { concretePaths } from "./keyPattern";
import { ParsedStackConfig } from "./shape";
import type { StackConfig } from "./stackConfig";

/** Wraps every credential as a Pulumi secret and freezes the rest. */
export function loaded(config: ParsedStackConfig): StackConfig {
  return deepFreeze(asSecrets(config)) as unknown as StackConfig;
}

/** `config` with every credential wrapped as a Pulumi secret, in place. */
export function asSecrets<T extends object>(config: T): T {
  for (const path of SECRET_PATHS.flatMap((pattern) => concretePaths(config, pattern))) {
    const parent = valueAt(config, path.slice(0, -1)) as Record<string | number, unknown>;
    const key = path[path.length - 1];
    parent[key] = pulumi.secret(parent[key] as pulumi.Input<string>);
  }
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value)) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}
