import { ConfigError } from "../../config";
import { parsePulumiConfig, parseStackConfig } from "../../config/load";

/** The problems the config error lists when `parse` refuses a config; a test failure when it accepts it. */
function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

/** The problems of a stack config given as its sections' values; `secretKeys`: sections set with --secret. */
export function sectionProblems(
  raw: Record<string, unknown>,
  secretKeys: readonly string[] = [],
): readonly string[] {
  return problemsOf(() => parseStackConfig(raw, new Set(secretKeys)));
}

/** The problems of a stack file's config, as `pulumi config` stores it. */
export function stackFileProblems(stack: {
  readonly config: Record<string, string>;
  readonly secretKeys: readonly string[];
}): readonly string[] {
  return problemsOf(() => parsePulumiConfig(stack.config, stack.secretKeys));
}
