// The SDK internals the program relies on stay in runtime/pulumiSdk.ts, so an SDK upgrade has one
// file to check, and product code that imports it runs nothing of the render.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../../../render/renderStack";

const ADAPTER = "runtime/pulumiSdk.ts";
// Its examples below are uses too.
const SELF = path.relative(PROJECT_ROOT, __filename);

const INTERNAL_SDK_USES: readonly RegExp[] = [
  /["']@pulumi\/pulumi\/runtime[/"']/, // the runtime's modules, imported directly
  /\bpulumi\.runtime\b/, // the runtime namespace: untyped and test-only calls
  /import\s*\{[^}]*\bruntime\b[^}]*\}\s*from\s*["']@pulumi\/pulumi["']/,
];

const SOURCE = /\.(ts|js|mjs|cjs)$/;

/** Every source file of the repo, relative to its root: dependencies and git's own files aside. */
function sourceFiles(dir = PROJECT_ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return ["node_modules", ".git", "dist"].includes(entry.name) ? [] : sourceFiles(full);
    }
    return SOURCE.test(entry.name) ? [path.relative(PROJECT_ROOT, full)] : [];
  });
}

const usesInternals = (line: string): boolean => INTERNAL_SDK_USES.some((pattern) => pattern.test(line));

/** `file:line: text` of every line of `file` that uses an SDK internal. */
function internalUses(file: string): string[] {
  return fs
    .readFileSync(path.join(PROJECT_ROOT, file), "utf8")
    .split("\n")
    .flatMap((line, i) => (usesInternals(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

test("no file but runtime/pulumiSdk.ts imports the SDK's runtime modules or uses pulumi.runtime", () => {
  const files = sourceFiles();
  expect(files).toEqual(expect.arrayContaining([ADAPTER, SELF, "index.ts", "config/load.ts"]));
  expect(files.filter((file) => ![ADAPTER, SELF].includes(file)).flatMap(internalUses)).toEqual([]);
  expect(internalUses(ADAPTER).length).toBeGreaterThan(0);
});

test.each([
  `import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";`,
  `const runtime = require("@pulumi/pulumi/runtime");`,
  `await pulumi.runtime.setMocks(mocks);`,
  `const all = pulumi.runtime.allConfig();`,
  `import { Output, runtime } from "@pulumi/pulumi";`,
])("self-test: %s is found", (line) => {
  expect(usesInternals(line)).toBe(true);
});

test.each([`import * as pulumi from "@pulumi/pulumi";`, `pulumi.Output.isInstance(value)`])(
  "self-test: the public API (%s) is not",
  (line) => {
    expect(usesInternals(line)).toBe(false);
  },
);

test("runtime/pulumiSdk.ts imports only packages: config/load.ts, product code, depends on it", () => {
  const imports = ts
    .preProcessFile(fs.readFileSync(path.join(PROJECT_ROOT, ADAPTER), "utf8"))
    .importedFiles.map((file) => file.fileName);
  expect(imports).toContain("@pulumi/pulumi");
  expect(imports.filter((specifier) => specifier.startsWith("."))).toEqual([]);
});
