import * as path from "path";
import { killLeftovers } from "../kit/leftovers";
import { CLUSTER_TEST_RUN_VARIABLE } from "./globalSetup";

/**
 * Every control-plane process the cluster tests started must be gone once they end, passed or
 * failed: any process of this run still running a binary from the tools cache is reported,
 * killed, and fails the run. Other runs' processes are left alone.
 */
export default function globalTeardown(): void {
  const run = process.env[CLUSTER_TEST_RUN_VARIABLE];
  if (process.env.KUBERNETES_DIR === undefined || run === undefined) {
    return;
  }
  const leftovers = killLeftovers(
    path.dirname(process.env.KUBERNETES_DIR),
    `${CLUSTER_TEST_RUN_VARIABLE}=${run}`,
  );
  if (leftovers.length > 0) {
    throw new Error(`processes left running after the cluster tests (now killed):\n${leftovers.join("\n")}`);
  }
  console.log("\nevery process the cluster tests started has stopped");
}
