import * as fs from "fs";
import * as path from "path";
import type * as Sucrase from "sucrase";

/** The demo's program: its source in the repository (demo/); the package ships it transpiled. */
const DEMO_DIR = path.join(__dirname, "..", "..", "demo");

/**
 * The demo services' program as JavaScript for `node`: demoService.ts transpiled, so the ConfigMap
 * holds exactly what the server tests run, and a change to the source is a change to the ConfigMap
 * (and, through its checksum, a rollout). The package holds the JavaScript the build transpiled
 * (scripts/buildPackage.sh), so a program deploying the demo needs no TypeScript compiler and gets
 * the same ConfigMap whichever compiler it has.
 */
export function demoProgram(): string {
  const shipped = path.join(DEMO_DIR, "demoService.js");
  transpiled ??= fs.existsSync(shipped)
    ? fs.readFileSync(shipped, "utf8")
    : transpile(fs.readFileSync(path.join(DEMO_DIR, "demoService.ts"), "utf8"));
  return transpiled;
}

// Once per process: the source does not change while the program runs.
let transpiled: string | undefined;

function transpile(source: string): string {
  // Sucrase only strips the types and turns the imports into requires, as the tests' transform
  // does; loading the TypeScript compiler for one file was most of a demo program run's start-up.
  // It is loaded only by a program that deploys the demo from this repository's sources.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transform } = require("sucrase") as typeof Sucrase;
  return transform(source, { transforms: ["typescript", "imports"], production: true }).code;
}
