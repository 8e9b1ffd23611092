// The unit tier's resolver (jest.resolver.js) leaves out only what the Pulumi SDK loads and this
// program never uses.
import * as path from "path";

/* eslint-disable @typescript-eslint/no-require-imports */
const resolve = require("../../jest.resolver.js") as (
  request: string,
  options: { basedir: string; defaultResolver: (request: string, options: object) => string },
) => string;
const NOT_LOADED = path.join(__dirname, "..", "support", "notLoaded.ts");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi"));

const resolved = (request: string, basedir: string) =>
  resolve(request, { basedir, defaultResolver: () => `node_modules/${request}` });

test("inside @pulumi/pulumi, the TypeScript compiler and Arborist resolve to a module that exports nothing", () => {
  for (const request of ["typescript", "@npmcli/arborist"]) {
    expect(resolved(request, path.join(pulumiDir, "runtime", "closure"))).toBe(NOT_LOADED);
  }
  expect(resolved("semver", pulumiDir)).toBe("node_modules/semver");
  expect(Object.keys(require("@pulumi/pulumi/typescript-shim") as object)).toEqual([]);
});

test("anywhere else, typescript is the real compiler", () => {
  expect(resolved("typescript", path.join(__dirname, "..", "..", "components", "demo"))).toBe(
    "node_modules/typescript",
  );
  const ts = require("typescript") as typeof import("typescript");
  expect(ts.transpileModule("let a: number = 1;", {}).outputText.trim()).toBe("var a = 1;");
});
