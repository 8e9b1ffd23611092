import { execFileSync } from "child_process";
import * as fs from "fs";
import { TEST_RUN_VARIABLE } from "./globalSetup";

/** Whether a process carries this run's marker in its environment (inherited from the jest run). */
function startedByThisRun(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker);
  } catch {
    return false;
  }
}

/**
 * Every server the component tests started must be gone once they end, passed or failed: any
 * process of this run still running a binary from the tools cache is reported, killed, and fails
 * the run. Processes of other runs (a cluster test running beside it) are not this run's to kill.
 */
export default function globalTeardown(): void {
  const cache = process.env.LOKI_DIR?.replace(/\/[^/]+$/, "");
  const run = process.env[TEST_RUN_VARIABLE];
  if (cache === undefined || run === undefined) {
    return;
  }
  const marker = `${TEST_RUN_VARIABLE}=${run}`;
  const leftovers = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.split(/\s+/)[1]?.startsWith(cache))
    .filter((line) => startedByThisRun(Number(line.split(/\s+/)[0]), marker));
  for (const line of leftovers) {
    process.kill(Number(line.split(/\s+/)[0]), "SIGKILL");
  }
  if (leftovers.length > 0) {
    throw new Error(`servers left running after the component tests (now killed):\n${leftovers.join("\n")}`);
  }
  console.log("\n7. every process the component tests started has stopped");
}
