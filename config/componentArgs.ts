// The edge where a program hands a component its args: the sections of the stack config the
// component reads, validated as the stack config is, each problem named by its arg path.
import * as pulumi from "@pulumi/pulumi";
import { projectRootDirectory } from "../runtime/pulumiSdk";
import { CONFIG_NAMESPACE, ConfigError, valueAt } from "./errors";
import { loaded } from "./loaded";
import { ConfigRead, Section, StackConfigInput, sectionsRead } from "./schema";
import { secretFormatChecks } from "./secretFormats";
import type { ArgsOf } from "./argsOf";
import type { StackConfig } from "./stackConfig";
import { validateStackConfig } from "./validate";

/** The stack config as a program gives it: every section optional, over its profile's defaults. */
export type ConfigArgs = { readonly [S in Section]?: ArgsOf<StackConfigInput[S]> };

/** A stack-config problem about a component's args: `observability:metrics.x` → `args.metrics.x`. */
const argsProblem = (problem: string): string => problem.split(`${CONFIG_NAMESPACE}:`).join("args.");

/** One error for a component's args (`subject`), each stack-config problem named by its arg path. */
export const componentConfigError = (subject: string, problems: readonly string[]): ConfigError =>
  new ConfigError(problems.map(argsProblem), `${subject} args`);

/**
 * The sections of the stack config `reads` names (whole, or some of their keys), from a component's
 * `args`: validated over the profile's defaults with the rules among what it reads (a section not
 * read keeps its defaults, unchecked), files read from the consumer's project root, and
 * credentials made secrets. Throws one ConfigError naming `subject` and every problem by its arg
 * path; a credential given as an Output has its format checked once it is known.
 */
export function componentConfig(subject: string, args: object, reads: readonly ConfigRead[]): StackConfig {
  const given = args as Readonly<Record<string, unknown>>;
  const raw = Object.fromEntries(
    sectionsRead(reads)
      .filter((section) => given[section] !== undefined)
      .map((section) => [section, given[section]]),
  );
  const fail = (problems: readonly string[]) => componentConfigError(subject, problems);
  let config;
  try {
    // A program's values are its own: none is plain text a stack file should have encrypted.
    config = validateStackConfig(raw, new Set(Object.keys(raw)), [], { reads, root: projectRootDirectory() });
  } catch (error) {
    throw error instanceof ConfigError ? fail(error.problems) : error;
  }
  const problems: string[] = [];
  for (const { path, problemOf } of secretFormatChecks(config)) {
    const parent = valueAt(config, path.slice(0, -1)) as Record<string | number, unknown>;
    const key = path[path.length - 1];
    const value = parent[key] as pulumi.Input<string>;
    if (pulumi.Output.isInstance(value)) {
      parent[key] = value.apply((known) => {
        const problem = problemOf(known);
        if (problem !== undefined) {
          throw fail([problem]);
        }
        return known;
      });
    } else {
      const problem = problemOf(value as string);
      if (problem !== undefined) {
        problems.push(problem);
      }
    }
  }
  if (problems.length > 0) {
    throw fail(problems);
  }
  return loaded(config);
}
