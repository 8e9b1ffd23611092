import * as fs from "fs";
import * as path from "path";
import type * as TypeScript from "typescript";

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
  // The compiler is loaded only by a program that deploys the demo: it is most of the package's
  // start-up, and every other program would load it for nothing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof TypeScript;
  return ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      removeComments: false,
    },
    fileName: "demoService.ts",
  }).outputText;
}
