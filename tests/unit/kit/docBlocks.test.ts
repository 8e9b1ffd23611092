import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { docBlock, unlikeExample } from "../../kit/docBlocks";

// What the real CLI (v3.248.0, pkg/backend/diy/lock.go) prints for a stack a killed up left locked.
const LOCKED = [
  "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
  "  file:///home/ana/.pulumi/locks/organization/observability/kind/3f1c2a9e-5b7d-4a8e-9c0f-1d2e3f4a5b6c.json?no_tmp_dir=true: created by ana@laptop (pid 48213) at 2026-11-27T21:05:11Z",
  "",
].join("\n");

test("troubleshooting.md's locked-stack example is what the CLI prints, placeholders and all", () => {
  const example = docBlock("troubleshooting.md", "example:locked-stack");
  expect(example).toHaveLength(2);
  expect(unlikeExample(example, LOCKED)).toBeUndefined();
  // The lock's path as the page showed it before: without the backend URL's query.
  expect(unlikeExample(example, LOCKED.replace("?no_tmp_dir=true", ""))).toContain(
    "is not in what was printed",
  );
});

test("the page's commands for a killed up, by hand, are read as written, unindented", () => {
  expect(docBlock("troubleshooting.md", "commands:killed-up-by-hand")).toEqual([
    "pulumi cancel --yes --stack kind",
    "pulumi up --stack kind",
    "pulumi refresh --clear-pending-creates --yes --stack kind",
  ]);
  expect(() => docBlock("troubleshooting.md", "commands:nothing-here")).toThrow(
    "has no <!-- commands:nothing-here -->",
  );
});

test("the page's command for an unreadable state, run as written with a home of its own, deletes the stack's empty sidecar and nothing else", () => {
  const [command, ...rest] = docBlock("troubleshooting.md", "commands:unreadable-state-by-hand");
  expect(rest).toEqual([]);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "unreadable-state-"));
  try {
    const stacks = path.join(home, ".pulumi", "stacks", "observability");
    fs.mkdirSync(stacks, { recursive: true });
    const file = (name: string, content: string) => fs.writeFileSync(path.join(stacks, name), content);
    file("kind.json", '{"version": 3}');
    file("kind.json.attrs", "");
    file("prod.json.attrs", "");
    const run = () =>
      execFileSync("sh", ["-c", command], { env: { ...process.env, HOME: home }, encoding: "utf8" });
    expect(run().trim()).toBe(path.join(stacks, "kind.json.attrs"));
    expect(fs.readdirSync(stacks).sort()).toEqual(["kind.json", "prod.json.attrs"]);
    file("kind.json.attrs", '{"user.content_type":"application/json"}');
    expect(run()).toBe("");
    expect(fs.readdirSync(stacks).sort()).toEqual(["kind.json", "kind.json.attrs", "prod.json.attrs"]);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
