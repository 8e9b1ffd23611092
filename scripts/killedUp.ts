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
//   checkpoint reads as it is without it.
//   ts-node scripts/killedUp.ts <stack>   prints what it did; exits 0 unless clearing failed
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exitWith } from "./cli/exitWith";

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

function main(): Promise<number> {
  const stack = process.argv[2];
  if (stack === undefined) throw new Error("usage: killedUp.ts <stack>");
  const backend = (JSON.parse(pulumi("whoami", "--json")) as { url?: string }).url ?? "";
  const dir = fileBackendDir(backend);
  if (dir === undefined) return Promise.resolve(0);
  const project = /^name:\s*(\S+)/m.exec(fs.readFileSync("Pulumi.yaml", "utf8"))?.[1] ?? "";
  for (const file of emptyCheckpointSidecars(dir, project, stack)) {
    fs.rmSync(file);
    console.log(
      `==> Stack '${stack}''s state could not be read: pulumi was killed while writing ${file}, which it left empty. Removed it: the state reads without it (docs/troubleshooting.md#an-up-was-interrupted).`,
    );
  }
  const locks = stackLocks(dir, project, stack);
  if (locks.length === 0 || !locks.every((lock) => isStale(lock))) return Promise.resolve(0);
  for (const lock of locks) {
    console.log(
      `==> Stack '${stack}' was locked by pulumi (pid ${lock.pid}, ${lock.username}@${lock.hostname}, since ${lock.timestamp}), which is no longer running: an up killed before it could unlock (docs/troubleshooting.md#an-up-was-interrupted)`,
    );
  }
  pulumi("cancel", "--yes", "--stack", stack);
  console.log(`    Removed the lock with pulumi cancel --yes --stack ${stack}.`);
  return Promise.resolve(0);
}

if (require.main === module) exitWith(main);
