import { Finding } from "../cli/findings";
import { sleep } from "../../tests/kit/sleep";

/** A count in a finding, or `<n>` where the docs' sample stands for one the cluster or the time decides. */
export type Count = number | "<n>";

/** One area of the running stack, checked as a whole; its findings are its output lines. */
export interface Check {
  readonly name: string;
  /** What to do when the check cannot even reach what it checks (it threw). */
  readonly fixWhenUnreachable: string;
  readonly run: () => Promise<Finding[]>;
}

interface RunOptions {
  /** Until when a failing check is tried again: right after `up`, targets and alerts converge. */
  readonly deadline: number;
  /** @default 5000 */
  readonly intervalMs?: number;
  /** Told of every retry, so a waiting run shows what it waits for. */
  readonly progress?: (line: string) => void;
}

const describe = (error: unknown): string => {
  // fetch's TypeError("fetch failed") says why only in its cause (ECONNREFUSED, a reset stream).
  const reason = (error as { cause?: { message?: string } }).cause?.message;
  const cause = reason === undefined ? "" : `: ${reason}`;
  return `${(error as { message?: string }).message ?? String(error)}${cause}`;
};

/** A check's findings, a throw turned into a blocking finding that names the check. */
async function attempt(check: Check): Promise<Finding[]> {
  try {
    return await check.run();
  } catch (error) {
    return [
      {
        status: "blocking",
        message: `${check.name}: cannot check (${describe(error)})`,
        fix: check.fixWhenUnreachable,
      },
    ];
  }
}

/**
 * Runs the checks in order, each again until nothing it finds is blocking or the deadline has
 * passed; the last findings of each count. Warnings do not hold a check back.
 */
export async function runChecks(checks: readonly Check[], options: RunOptions): Promise<Finding[]> {
  const interval = options.intervalMs ?? 5000;
  const all: Finding[] = [];
  for (const check of checks) {
    let findings = await attempt(check);
    for (
      let tries = 1;
      findings.some((f) => f.status === "blocking") && Date.now() + interval < options.deadline;
      tries++
    ) {
      const first = findings.find((f) => f.status === "blocking");
      options.progress?.(`… ${check.name}: waiting (try ${tries}: ${first?.message ?? ""})`);
      await sleep(interval);
      findings = await attempt(check);
    }
    all.push(...findings);
  }
  return all;
}
