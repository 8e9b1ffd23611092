import { execFileSync } from "child_process";

/**
 * Every server the component tests started must be gone once they end, passed or failed: any
 * process still running a binary from the tools cache is reported, killed, and fails the run.
 */
export default function globalTeardown(): void {
  const cache = process.env.LOKI_DIR?.replace(/\/[^/]+$/, "");
  if (cache === undefined) {
    return;
  }
  const leftovers = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.split(/\s+/)[1]?.startsWith(cache));
  for (const line of leftovers) {
    process.kill(Number(line.split(/\s+/)[0]), "SIGKILL");
  }
  if (leftovers.length > 0) {
    throw new Error(`servers left running after the component tests (now killed):\n${leftovers.join("\n")}`);
  }
  console.log("\n7. every process the component tests started has stopped");
}
