// Which Checkov failures the stacks may have: the documented skips, and whether each is still
// needed. Running Checkov is test support (tests/kit/checkov.ts): a check here spawns nothing.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

const CHECKOV_SKIPS_FILE = path.resolve(__dirname, "checkov-skips.yaml");

interface CheckovSkip {
  readonly check: string;
  /** `Kind.namespace.name` of the objects the failure is accepted for, or "*" for every one. */
  readonly resources: "*" | readonly string[];
  readonly reason: string;
}

export interface CheckovFailure {
  readonly check: string;
  readonly resource: string;
}

export function checkovSkips(): CheckovSkip[] {
  return yaml.load(fs.readFileSync(CHECKOV_SKIPS_FILE, "utf8")) as CheckovSkip[];
}

function covers(skip: CheckovSkip, failure: CheckovFailure): boolean {
  return (
    skip.check === failure.check && (skip.resources === "*" || skip.resources.includes(failure.resource))
  );
}

/** Failures no documented skip accepts. */
export function unexplainedFailures(
  failures: readonly CheckovFailure[],
  skips: readonly CheckovSkip[],
): string[] {
  return failures
    .filter((failure) => !skips.some((skip) => covers(skip, failure)))
    .map((f) => `${f.check} ${f.resource}`);
}

/** Skip entries (check and each named resource) that match no failure of any of the runs. */
export function staleSkips(failures: readonly CheckovFailure[], skips: readonly CheckovSkip[]): string[] {
  return skips.flatMap((skip) => {
    const matching = failures.filter((f) => covers(skip, f));
    if (matching.length === 0) {
      return [`${skip.check} matches no failure`];
    }
    return skip.resources === "*"
      ? []
      : skip.resources
          .filter((r) => !matching.some((f) => f.resource === r))
          .map((r) => `${skip.check} ${r} matches no failure`);
  });
}
