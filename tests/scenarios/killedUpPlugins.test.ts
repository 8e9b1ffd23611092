// npm run up's first aid (scripts/killedUp.ts) for the plugins a killed CLI leaves running, on real
// processes standing in for them: seconds of waiting, so in the scenarios tier.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { endPlugins, orphanedPlugins } from "../../scripts/killedUp";
import { exited } from "../kit/processes";
import { processTable } from "../kit/processTable";

describe("the plugins a killed pulumi leaves (scripts/killedUp.ts)", () => {
  test("the plugins a killed CLI left in the project are let finish, then stopped with their children; a live CLI's, and another project's, are left alone", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plugins-"));
    const project = path.join(dir, "project");
    const other = path.join(dir, "other");
    fs.mkdirSync(project);
    fs.mkdirSync(other);
    const program = (name: string, target: string) => {
      fs.symlinkSync(fs.realpathSync(target), path.join(dir, name));
      return path.join(dir, name);
    };
    const host = program("pulumi-language-nodejs", "/bin/sh");
    const provider = program("pulumi-resource-kubernetes", "/bin/sleep");
    const cli = program("pulumi", "/bin/sh");
    const sleep = fs.realpathSync("/bin/sleep");
    // As the engine starts them: in the project's directory, each in a group of its own. The
    // language host runs the program as its child.
    const orphanHost = spawn(host, ["-c", `"${sleep}" 60 & wait`], {
      cwd: project,
      detached: true,
      stdio: "ignore",
    });
    const orphanProvider = spawn(provider, ["60"], { cwd: project, detached: true, stdio: "ignore" });
    // One that finishes its calls within the bound (once told to), and exits by itself.
    const done = path.join(dir, "done");
    const finishing = spawn(
      program("pulumi-resource-random", "/bin/sh"),
      ["-c", `while [ ! -e "${done}" ]; do sleep 0.1; done`],
      {
        cwd: project,
        detached: true,
        stdio: "ignore",
      },
    );
    const elsewhere = spawn(provider, ["60"], { cwd: other, detached: true, stdio: "ignore" });
    // A live CLI and its provider.
    const live = spawn(cli, ["-c", `cd "${project}" && "${provider}" 60 & wait`], {
      detached: true,
      stdio: "ignore",
    });
    const all = [orphanHost, orphanProvider, finishing, elsewhere, live];
    try {
      await Promise.all(all.map((c) => new Promise((resolve) => c.once("spawn", resolve))));
      const childOf = async (parent: number | undefined, program: string) => {
        for (let i = 0; i < 100; i++) {
          const found = processTable().find((p) => p.ppid === parent && p.program === program);
          if (found !== undefined) return found;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`no ${program} under ${parent}`);
      };
      const kept = await childOf(live.pid, "pulumi-resource-kubernetes");
      const hostChild = await childOf(orphanHost.pid, "sleep");

      const orphans = orphanedPlugins(project);
      expect(orphans.map((p) => p.pid).sort()).toEqual(
        [orphanHost.pid, orphanProvider.pid, finishing.pid].sort(),
      );

      fs.writeFileSync(done, "");
      const stopped = await endPlugins(orphans, 4000);
      expect(stopped.map((p) => p.pid).sort()).toEqual([orphanHost.pid, orphanProvider.pid].sort());
      await exited(finishing);
      expect(finishing.exitCode).toBe(0);
      await Promise.all([exited(orphanHost), exited(orphanProvider)]);
      const left = processTable().map((p) => p.pid);
      // Exited with its host (a zombie until its new parent reaps it).
      expect(left).not.toContain(hostChild.pid);
      expect(left).toContain(kept.pid);
      expect(left).toContain(elsewhere.pid);
    } finally {
      for (const child of all) {
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          // gone
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
