// The unit tier's resolver (jestResolver.js) leaves out only what the Pulumi SDK loads and this
// program never uses.
import { spawnSync } from "child_process";
import * as path from "path";

/* eslint-disable @typescript-eslint/no-require-imports */
const resolve = require("../../support/jestResolver.js") as (
  request: string,
  options: { basedir: string; defaultResolver: (request: string, options: object) => string },
) => string;
const NOT_LOADED = path.join(__dirname, "..", "..", "support", "notLoaded.js");
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
  expect(resolved("typescript", path.join(__dirname, "..", "..", "..", "components", "demo"))).toBe(
    "node_modules/typescript",
  );
  const ts = require("typescript") as typeof import("typescript");
  expect(ts.transpileModule("let a: number = 1;", {}).outputText.trim()).toBe("var a = 1;");
});

test("a program the engine tests run, preloaded so, loads the SDK without the compiler and Arborist, and the real compiler where it asks for it; neither the SDK runner's nor its provider server's source maps are installed", () => {
  const preload = path.join(__dirname, "..", "..", "support", "programPreload.js");
  const script = [
    "require('@pulumi/pulumi');",
    "const loaded = Object.keys(require.cache);",
    "const compiler = /node_modules\\/typescript\\//;",
    "const arborist = /node_modules\\/@npmcli\\/arborist\\//;",
    "const before = [loaded.some((f) => compiler.test(f)), loaded.some((f) => arborist.test(f))];",
    "const ts = require('typescript');",
    "const formatter = Error.prepareStackTrace;",
    "require('source-map-support/register');",
    "require('source-map-support').install();",
    "const mapped = Error.prepareStackTrace !== formatter;",
    "console.log(JSON.stringify({ before, version: typeof ts.version, mapped }));",
  ].join(" ");
  const run = spawnSync(process.execPath, ["--require", preload, "-e", script], {
    cwd: path.join(__dirname, "../../.."),
    encoding: "utf8",
  });
  expect(run.stderr).toBe("");
  expect(JSON.parse(run.stdout)).toEqual({ before: [false, false], version: "string", mapped: false });
});
