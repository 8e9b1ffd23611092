// `npm run docs`: regenerates docs/configuration.md (from the config schema and profile defaults),
// docs/architecture.svg (from the wiring graph of Pulumi.prod.yaml) and the figures and samples
// marked in the README and the pages under docs/ (scripts/docs/figures.ts).
import * as fs from "fs";
import * as path from "path";
import { generatedDocs } from "./docs/generated";

async function run(): Promise<void> {
  for (const file of await generatedDocs()) {
    fs.writeFileSync(file.path, file.content);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file.path)}\n`);
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
