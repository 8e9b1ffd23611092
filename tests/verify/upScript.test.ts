import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";

// `npm run up` ends with the end-to-end check on kind and exits with its code; the first look is
// printed after it either way.
test("npm run up runs npm run verify -- kind after pulumi up, and exits with its code", () => {
  const script = fs.readFileSync(path.join(PROJECT_ROOT, "scripts/up.sh"), "utf8");
  const commands = script.split("\n").filter((line) => line.trim() !== "" && !/^\s*(#|echo\b)/.test(line));
  expect(script).toMatch(/^set -euo pipefail$/m);
  expect(script).toMatch(/^readonly STACK=kind$/m);
  const verify = commands.indexOf('npm run -s verify -- "$STACK" || verified=$?');
  expect(verify).toBeGreaterThan(commands.findIndex((c) => c.startsWith("pulumi up ")));
  expect(commands.slice(verify + 1)).toEqual([
    'pulumi stack output --stack "$STACK" --json firstLook |',
    `  node -e 'for (const line of JSON.parse(require("fs").readFileSync(0, "utf8"))) console.log(line)'`,
    'exit "$verified"',
  ]);
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.verify).toBe("ts-node --transpiler sucrase/ts-node-plugin scripts/verify.ts");
});
