import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { emptyCheckpointSidecars, fileBackendDir, isStale, stackLocks } from "../../../scripts/killedUp";

describe("npm run up's first aid after a killed pulumi (scripts/killedUp.ts)", () => {
  test("a local backend's state directory, ~ as the user database's home, as the CLI resolves it; none for other backends", () => {
    expect(fileBackendDir("file://~")).toBe(os.userInfo().homedir);
    expect(fileBackendDir("file:///var/pulumi/state")).toBe("/var/pulumi/state");
    expect(fileBackendDir("https://api.pulumi.com")).toBeUndefined();
    expect(fileBackendDir("s3://bucket/state")).toBeUndefined();
  });

  test("the stack's locks as the file backend writes them, project-scoped or in the older layout, and no other stack's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "locks-"));
    try {
      const write = (folder: string, pid: number) => {
        fs.mkdirSync(path.join(dir, ".pulumi", "locks", folder), { recursive: true });
        fs.writeFileSync(
          path.join(dir, ".pulumi", "locks", folder, `${pid}.json`),
          JSON.stringify({ pid, username: "me", hostname: "laptop", timestamp: "2026-11-26T00:00:00Z" }),
        );
      };
      write("organization/observability/kind", 11);
      write("kind", 12);
      write("organization/observability/prod", 13);
      write("organization/other/kind", 14);
      expect(
        stackLocks(dir, "observability", "kind")
          .map((l) => l.pid)
          .sort(),
      ).toEqual([11, 12]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("stale only when taken on this machine by a process that is gone or is no pulumi", () => {
    const lock = { file: "x.json", username: "me", hostname: os.hostname(), timestamp: "" };
    // A pid no process has: the kernel's maximum is below it.
    const gone = Number(fs.readFileSync("/proc/sys/kernel/pid_max", "utf8")) + 1;
    expect(isStale({ ...lock, pid: gone })).toBe(true);
    // This test's own process runs, but is node, not pulumi: its pid was reused.
    expect(isStale({ ...lock, pid: process.pid })).toBe(true);
    expect(isStale({ ...lock, pid: gone, hostname: "another-machine" })).toBe(false);
  });

  test("a lock held by a pulumi that still runs is left alone", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-"));
    const pulumi = path.join(dir, "pulumi");
    fs.symlinkSync(fs.realpathSync("/bin/sleep"), pulumi);
    const running = spawn(pulumi, ["30"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => running.once("spawn", resolve));
      const lock = { file: "x.json", username: "me", hostname: os.hostname(), timestamp: "" };
      expect(isStale({ ...lock, pid: running.pid as number })).toBe(false);
    } finally {
      running.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a checkpoint sidecar a killed write left empty is found, a written one is not", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-"));
    try {
      const stacks = path.join(dir, ".pulumi", "stacks", "observability");
      fs.mkdirSync(stacks, { recursive: true });
      fs.writeFileSync(path.join(stacks, "kind.json.attrs"), "");
      fs.writeFileSync(
        path.join(stacks, "prod.json.attrs"),
        '{"user.content_type":"text/plain; charset=utf-8"}',
      );
      expect(emptyCheckpointSidecars(dir, "observability", "kind")).toEqual([
        path.join(stacks, "kind.json.attrs"),
      ]);
      expect(emptyCheckpointSidecars(dir, "observability", "prod")).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
