import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";

// `npm run up` ends with the end-to-end check on kind, and its exit code is up's.
test("npm run up runs npm run verify -- kind last, under set -e", () => {
  const script = fs.readFileSync(path.join(PROJECT_ROOT, "scripts/up.sh"), "utf8");
  const commands = script.split("\n").filter((line) => line.trim() !== "" && !/^\s*(#|echo\b)/.test(line));
  expect(script).toMatch(/^set -euo pipefail$/m);
  expect(script).toMatch(/^readonly STACK=kind$/m);
  expect(commands.at(-1)).toBe('npm run -s verify -- "$STACK"');
  expect(commands.findIndex((c) => c.startsWith("pulumi up "))).toBeLessThan(commands.length - 1);
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.verify).toBe("ts-node --transpile-only scripts/verify.ts");
});
