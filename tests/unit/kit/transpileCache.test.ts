// tests/support/transpileCache.js, which the engine tests' programs and stand-in providers load
// TypeScript through: run as they run it, under the Pulumi SDK's source-map-support, a stack taken
// while a module loads (the hook's own frame on it) names the TypeScript file and line, the first
// time and from the cache.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";

const TRANSPILE = path.join(PROJECT_ROOT, "tests", "support", "transpileCache.js");
// The SDK's program runner starts with `require("source-map-support/register")`.
const SOURCE_MAPS = require.resolve("source-map-support/register", {
  paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [PROJECT_ROOT] }))],
});

// Types to strip, and a stack taken while the module itself loads: the hook's own frame is on it.
const PROGRAM = [
  "interface Shape { sides: number }",
  "const square: Shape = { sides: 4 };",
  'const stack: string = String(new Error("while loading").stack);',
  "console.log(JSON.stringify({ sides: square.sides, top: stack.split('\\n')[1].trim() }));",
  "",
].join("\n");

let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "transpile-cache-"));
  fs.writeFileSync(path.join(scratch, "program.ts"), PROGRAM);
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The program's output: what it computed, and the top frame of its stack. */
function run(): { sides: number; top: string } {
  const output = execFileSync(process.execPath, ["-r", SOURCE_MAPS, "-r", TRANSPILE, "program.ts"], {
    cwd: scratch,
    env: { ...process.env, OBSERVABILITY_TRANSPILE_CACHE: path.join(scratch, "cache") },
    encoding: "utf8",
  });
  return JSON.parse(output) as { sides: number; top: string };
}

test("a stack taken while a module loads names its TypeScript line, transformed and then read from the cache", () => {
  const expected = {
    sides: 4,
    top: expect.stringMatching(/^at Object\.<anonymous> \(.*\/program\.ts:3:\d+\)$/),
  };
  expect(run()).toEqual(expected);
  expect(fs.readdirSync(path.join(scratch, "cache"))).toHaveLength(1);
  expect(run()).toEqual(expected);
});

test("a module whose source changed is transformed again, not read from the cache", () => {
  run();
  fs.writeFileSync(path.join(scratch, "program.ts"), PROGRAM.replace("sides: 4", "sides: 3"));
  expect(run().sides).toBe(3);
  expect(fs.readdirSync(path.join(scratch, "cache"))).toHaveLength(2);
});
