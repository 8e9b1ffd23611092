import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);

export const CHECKOV_SKIPS_FILE = path.resolve(__dirname, "checkov-skips.yaml");

/** Installs Checkov once per version (scripts/tools/checkov.sh, outside the repo) and returns its path. */
export function checkovExecutable(): string {
  return execFileSync("bash", [path.resolve(__dirname, "../scripts/tools/checkov.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

export interface CheckovSkip {
  readonly check: string;
  /** `Kind.namespace.name` of the objects the failure is accepted for, or "*" for every one. */
  readonly resources: "*" | readonly string[];
  readonly reason: string;
}

export interface CheckovFailure {
  readonly check: string;
  readonly resource: string;
}

export interface CheckovResult {
  readonly passed: number;
  readonly failed: readonly CheckovFailure[];
  /** Distinct check IDs that ran on at least one object. */
  readonly checks: readonly string[];
}

export function checkovSkips(): CheckovSkip[] {
  return yaml.load(fs.readFileSync(CHECKOV_SKIPS_FILE, "utf8")) as CheckovSkip[];
}

/** Runs every Checkov Kubernetes check on a manifest file. */
export async function runCheckov(checkov: string, manifest: string): Promise<CheckovResult> {
  // Checkov exits 1 when a check fails; the JSON report is what counts.
  const { stdout } = await run(
    checkov,
    ["-f", manifest, "--framework", "kubernetes", "--compact", "-o", "json"],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  type Check = { check_id: string; resource: string };
  const report = JSON.parse(stdout) as
    | { summary: { passed: number }; results: { passed_checks: Check[]; failed_checks: Check[] } }
    | [];
  if (Array.isArray(report)) {
    return { passed: 0, failed: [], checks: [] }; // nothing Checkov could check
  }
  const { passed_checks: passed, failed_checks: failed } = report.results;
  return {
    passed: report.summary.passed,
    failed: failed.map((f) => ({ check: f.check_id, resource: f.resource })),
    checks: [...new Set([...passed, ...failed].map((c) => c.check_id))].sort(),
  };
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
