// Runs Checkov, an independent checker, on a manifest; checks/checkov.ts decides which failures count.
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { CheckovFailure } from "../../checks/checkov";

const run = promisify(execFile);

/** How long one Checkov run may take: its start-up alone is most of a minute on a busy machine. */
const CHECKOV_BOUND_MS = 12 * 60_000;

export interface CheckovResult {
  readonly passed: number;
  readonly failed: readonly CheckovFailure[];
  /** Distinct check IDs that ran on at least one object. */
  readonly checks: readonly string[];
}

/**
 * Runs every Checkov Kubernetes check on manifest files, in one Checkov process (its
 * start-up is most of its time), and returns each file's result by path. `--skip-download`: Checkov
 * otherwise asks its vendor's API for check metadata on every run.
 */
export async function runCheckov(
  checkov: string,
  manifests: readonly string[],
  boundMs = CHECKOV_BOUND_MS,
): Promise<Record<string, CheckovResult>> {
  // Checkov exits 1 when a check fails; the JSON report is what counts. Bounded, generously for a
  // busy machine, and reported with what it printed when it gives up.
  const started = Date.now();
  const { stdout } = await run(
    checkov,
    [
      ...manifests.flatMap((m) => ["-f", m]),
      "--framework",
      "kubernetes",
      "--compact",
      "--skip-download",
      "-o",
      "json",
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: boundMs },
  ).catch((error: { stdout?: string; stderr?: string; killed?: boolean }) => {
    if (error.killed === true) {
      throw new Error(
        `Checkov did not finish in ${Math.round((Date.now() - started) / 1000)} s and was stopped; ` +
          `its output ended: ${(error.stderr ?? "").trim().split("\n").slice(-5).join(" | ") || "(nothing)"}`,
      );
    }
    return { stdout: error.stdout ?? "" };
  });
  type Check = { check_id: string; resource: string; file_abs_path: string };
  const report = JSON.parse(stdout) as { results: { passed_checks: Check[]; failed_checks: Check[] } } | [];
  // An empty list: nothing Checkov could check.
  const { passed_checks: passed, failed_checks: failed } = Array.isArray(report)
    ? { passed_checks: [], failed_checks: [] }
    : report.results;
  const of = (manifest: string) => (c: Check) => c.file_abs_path === path.resolve(manifest);
  return Object.fromEntries(
    manifests.map((manifest) => {
      const own = { passed: passed.filter(of(manifest)), failed: failed.filter(of(manifest)) };
      return [
        manifest,
        {
          passed: own.passed.length,
          failed: own.failed.map((f) => ({ check: f.check_id, resource: f.resource })),
          checks: [...new Set([...own.passed, ...own.failed].map((c) => c.check_id))].sort(),
        },
      ];
    }),
  );
}
