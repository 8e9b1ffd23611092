import * as fs from "fs";
import * as path from "path";
import type * as TypeScript from "typescript";

/**
 * The demo services' program as JavaScript for `node`: demoService.ts transpiled at render time,
 * so the ConfigMap holds exactly what the component tests run, and a change to the source is a
 * change to the ConfigMap (and, through its checksum, a rollout).
 */
export function demoProgram(): string {
  transpiled ??= transpile(fs.readFileSync(path.join(__dirname, "demoService.ts"), "utf8"));
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
