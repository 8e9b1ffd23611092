import * as path from "path";
import { killLeftovers } from "../kit/leftovers";
import { TEST_RUN_VARIABLE } from "./globalSetup";

/**
 * Every server the server tests started must be gone once they end, passed or failed: any
 * process of this run still running a binary from the tools cache is reported, killed, and fails
 * the run. Processes of other runs (a cluster test running beside it) are not this run's to kill.
 */
export default function globalTeardown(): void {
  const run = process.env[TEST_RUN_VARIABLE];
  if (process.env.LOKI_DIR === undefined || run === undefined) {
    return;
  }
  const leftovers = killLeftovers(path.dirname(process.env.LOKI_DIR), `${TEST_RUN_VARIABLE}=${run}`);
  if (leftovers.length > 0) {
    throw new Error(`servers left running after the server tests (now killed):\n${leftovers.join("\n")}`);
  }
  console.log("\n7. every process the server tests started has stopped");
}
