// `npm run docs`: regenerates docs/configuration.md (from the config schema and profile defaults),
// docs/architecture.svg (from the wiring graph of Pulumi.prod.yaml), the figures and samples marked
// in the README and the pages under docs/ (scripts/docs/figures.ts), day-two.md's table of what each
// config edit does, from the review of each (scripts/docs/dayTwo.ts), and the API reference in
// docs/api/ (TypeDoc, from lib.ts and the doc comments of what it exports).
import * as fs from "fs";
import * as path from "path";
import { API_REFERENCE_DIR, apiReference } from "./docs/apiReference";
import { reviewDayTwoEdits } from "./docs/dayTwo";
import { GeneratedFile, generatedDocs } from "./docs/generated";
import { toolDirectory } from "../tests/kit/tools";

function write(file: GeneratedFile): void {
  fs.mkdirSync(path.dirname(file.path), { recursive: true });
  fs.writeFileSync(file.path, file.content);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file.path)}\n`);
}

async function run(): Promise<void> {
  const dayTwo = await reviewDayTwoEdits(path.join(toolDirectory("prometheus"), "promtool"));
  (await generatedDocs(undefined, dayTwo)).forEach(write);
  const reference = apiReference();
  // A page of an export that is gone goes with it.
  fs.rmSync(API_REFERENCE_DIR, { recursive: true, force: true });
  reference.files.forEach(write);
  reference.warnings.forEach((warning) => process.stderr.write(`typedoc: ${warning}\n`));
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
