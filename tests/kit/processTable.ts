import * as fs from "fs";
import * as path from "path";

/** A process as /proc shows it: its parent, the program it runs and its working directory. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** The basename of its argv[0]. */
  readonly program: string;
  readonly cwd?: string;
}

/** Every running process this user may read, from /proc; a zombie (exited, not yet reaped) runs nothing. */
export function processTable(): ProcessEntry[] {
  return fs.readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z") return [];
      const argv0 = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")[0] ?? "";
      let cwd: string | undefined;
      try {
        cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        cwd = undefined;
      }
      return [{ pid: Number(entry), ppid: Number(ppid), program: path.basename(argv0), cwd }];
    } catch {
      // Ended while listed.
      return [];
    }
  });
}
