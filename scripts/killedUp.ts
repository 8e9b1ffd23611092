// npm run up's first aid after a pulumi that was killed mid-update (a closed laptop, a cancelled
// job, kill -9), for a local (file) backend, as measured through the engine (docs/troubleshooting.md):
// - its lock: `pulumi up` refuses a locked stack, and a killed CLI never releases its lock. A lock
//   names the process and host that took it: when that process is gone from this machine, the lock
//   is stale, and `pulumi cancel` (which, on a file backend, deletes the stack's locks) clears it. A
//   lock held by a running pulumi, or taken on another machine, is left alone: the engine's own
//   message then says who holds it;
// - the state file's sidecar: the backend writes `<stack>.json.attrs` (the file's content type)
//   beside each checkpoint, not atomically; killed while writing it, it leaves it empty, and every
//   command then fails with `failed to load checkpoint: EOF`. An empty one is removed: the
//   checkpoint reads as it is without it;
// - its plugins: the language host and the providers run in process groups of their own, so a
//   kill of the CLI leaves them running, the provider still applying what it was asked to. Those
//   started in this project whose CLI is gone are let finish (or stopped after a bound) before the
//   lock is removed, so the next up does not race them.
//   ts-node scripts/killedUp.ts <stack>   prints what it did; exits 0 unless clearing failed
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exitWith } from "./cli/exitWith";
import { ProcessEntry, processTable } from "../tests/kit/processTable";

/** What the file backend writes into a lock (pkg/backend/diy: lockContent). */
interface Lock {
  readonly file: string;
  readonly pid: number;
  readonly username: string;
  readonly hostname: string;
  readonly timestamp: string;
}

const pulumi = (...args: string[]) => execFileSync("pulumi", args, { encoding: "utf8" });

/** The state directory of a `file://` backend, or undefined for any other backend. */
export function fileBackendDir(backendUrl: string): string | undefined {
  if (!backendUrl.startsWith("file://")) return undefined;
  const dir = backendUrl.slice("file://".length);
  // `pulumi login --local` is file://~, the home directory of the user database's entry.
  return dir === "~" || dir.startsWith("~/") ? path.join(os.userInfo().homedir, dir.slice(1)) : dir;
}

/** The locks the file backend at `dir` holds on `stack` of `project` (project-scoped stacks, and the older layout). */
export function stackLocks(dir: string, project: string, stack: string): Lock[] {
  const candidates = [
    path.join(dir, ".pulumi", "locks", "organization", project, stack),
    path.join(dir, ".pulumi", "locks", stack),
  ];
  return candidates
    .filter((d) => fs.existsSync(d) && fs.statSync(d).isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(d)
        .filter((f) => f.endsWith(".json"))
        .map((f) => ({
          file: path.join(d, f),
          ...(JSON.parse(fs.readFileSync(path.join(d, f), "utf8")) as Omit<Lock, "file">),
        })),
    );
}

/** The stack's checkpoint sidecars in the file backend at `dir` that a killed write left empty. */
export function emptyCheckpointSidecars(dir: string, project: string, stack: string): string[] {
  return [
    path.join(dir, ".pulumi", "stacks", project, `${stack}.json.attrs`),
    path.join(dir, ".pulumi", "stacks", `${stack}.json.attrs`),
  ].filter((file) => fs.existsSync(file) && fs.statSync(file).size === 0);
}

/** Whether the process that took `lock` is gone: taken on this machine, and no pulumi runs as its pid. */
export function isStale(lock: Lock, hostname = os.hostname()): boolean {
  if (lock.hostname !== hostname) return false;
  try {
    const command = fs.readFileSync(`/proc/${lock.pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return path.basename(command) !== "pulumi";
  } catch {
    return true;
  }
}

/**
 * The plugins a killed CLI left running for the project in `projectDir`: the language host, the
 * providers and the policy analyzer (`pulumi-*`, each started in the project's directory in a
 * process group of its own) whose parent is no longer a `pulumi`. Killing the CLI does not stop
 * them: the provider goes on applying what it was asked to, against the cluster, for as long as its
 * calls take.
 */
export function orphanedPlugins(
  projectDir: string,
  all: readonly ProcessEntry[] = processTable(),
): ProcessEntry[] {
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const project = fs.realpathSync(projectDir);
  return all.filter(
    (p) =>
      p.program.startsWith("pulumi-") &&
      p.cwd !== undefined &&
      p.cwd === project &&
      byPid.get(p.ppid)?.program !== "pulumi",
  );
}

/** How long a killed CLI's plugins may go on finishing the calls they had under way. */
export const PLUGINS_FINISH_MS = 120_000;

/**
 * Ends the plugins a killed CLI left: first lets them finish the calls under way (a provider stopped
 * mid-request can leave what the request did half-recorded in the cluster, such as a node port
 * taken for a Service never created), then stops each one still running after `finishMs` with its
 * process group (its children: the program a language host runs), TERM and KILL 5 s later.
 */
export async function endPlugins(
  plugins: readonly ProcessEntry[],
  finishMs = PLUGINS_FINISH_MS,
): Promise<ProcessEntry[]> {
  const runningNow = () => {
    const pids = new Set(processTable().map((p) => p.pid));
    return plugins.filter((p) => pids.has(p.pid));
  };
  const waitUntil = async (deadline: number) => {
    while (runningNow().length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  await waitUntil(Date.now() + finishMs);
  const stopped = runningNow();
  for (const { pid } of stopped) signal(pid, "SIGTERM");
  await waitUntil(Date.now() + 5000);
  for (const { pid } of runningNow()) signal(pid, "SIGKILL");
  return stopped;
}

async function main(): Promise<number> {
  const stack = process.argv[2];
  if (stack === undefined) throw new Error("usage: killedUp.ts <stack>");
  const backend = (JSON.parse(pulumi("whoami", "--json")) as { url?: string }).url ?? "";
  const dir = fileBackendDir(backend);
  if (dir === undefined) return 0;
  const project = /^name:\s*(\S+)/m.exec(fs.readFileSync("Pulumi.yaml", "utf8"))?.[1] ?? "";
  for (const file of emptyCheckpointSidecars(dir, project, stack)) {
    fs.rmSync(file);
    console.log(
      `==> Stack '${stack}''s state could not be read: pulumi was killed while writing ${file}, which it left empty. Removed it: the state reads without it (docs/troubleshooting.md#an-up-was-interrupted).`,
    );
  }
  const locks = stackLocks(dir, project, stack);
  if (locks.length === 0 || !locks.every((lock) => isStale(lock))) return 0;
  for (const lock of locks) {
    console.log(
      `==> Stack '${stack}' was locked by pulumi (pid ${lock.pid}, ${lock.username}@${lock.hostname}, since ${lock.timestamp}), which is no longer running: an up killed before it could unlock (docs/troubleshooting.md#an-up-was-interrupted)`,
    );
  }
  const plugins = orphanedPlugins(process.cwd());
  if (plugins.length > 0) {
    const named = (list: readonly ProcessEntry[]) =>
      list.map((p) => `${p.program} (pid ${p.pid})`).join(", ");
    console.log(
      `    It left ${named(plugins)} running, still applying what they were asked to: waiting up to ${PLUGINS_FINISH_MS / 1000} s for them to finish.`,
    );
    const stopped = await endPlugins(plugins);
    if (stopped.length > 0) console.log(`    Stopped ${named(stopped)}, still running then.`);
  }
  pulumi("cancel", "--yes", "--stack", stack);
  console.log(`    Removed the lock with pulumi cancel --yes --stack ${stack}.`);
  return 0;
}

if (require.main === module) exitWith(main);
