import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The demo services' program as JavaScript for `node`: demoService.ts transpiled at render time,
 * so the ConfigMap holds exactly what the component tests run, and a change to the source is a
 * change to the ConfigMap (and, through its checksum, a rollout).
 */
export function demoProgram(): string {
  const source = fs.readFileSync(path.join(__dirname, "demoService.ts"), "utf8");
  return ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      removeComments: false,
    },
    fileName: "demoService.ts",
  }).outputText;
}
