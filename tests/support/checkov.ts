// Runs Checkov, an independent checker, on a manifest; checks/checkov.ts decides which failures count.
import { execFile } from "child_process";
import { promisify } from "util";
import { CheckovFailure } from "../../checks/checkov";

const run = promisify(execFile);

export interface CheckovResult {
  readonly passed: number;
  readonly failed: readonly CheckovFailure[];
  /** Distinct check IDs that ran on at least one object. */
  readonly checks: readonly string[];
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
