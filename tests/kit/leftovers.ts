import { execFileSync } from "child_process";
import * as fs from "fs";

/** Whether a process carries `marker` (`NAME=value`) in its environment, inherited from a jest run. */
function startedByRun(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker);
  } catch {
    return false;
  }
}

/**
 * The processes of one test run still running a binary from the tools cache `cache`: those whose
 * environment holds `marker`, which the run's global setup put into its own environment and every
 * server inherited. They are killed and listed; processes of other runs are left alone.
 */
export function killLeftovers(cache: string, marker: string): string[] {
  const leftovers = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.split(/\s+/)[1]?.startsWith(`${cache}/`))
    .filter((line) => startedByRun(Number(line.split(/\s+/)[0]), marker));
  for (const line of leftovers) {
    process.kill(Number(line.split(/\s+/)[0]), "SIGKILL");
  }
  return leftovers;
}
