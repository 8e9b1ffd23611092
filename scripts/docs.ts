// `npm run docs`: regenerates docs/configuration.md (from the config schema and profile defaults),
// docs/architecture.svg (from the wiring graph of Pulumi.prod.yaml) and the figures and samples
// marked in the README and the pages under docs/ (scripts/docs/figures.ts), and day-two.md's table of
// what each config edit does, from the review of each (scripts/docs/dayTwo.ts).
import * as fs from "fs";
import * as path from "path";
import { reviewDayTwoEdits } from "./docs/dayTwo";
import { generatedDocs } from "./docs/generated";
import { toolDirectory } from "../testkit/tools";

async function run(): Promise<void> {
  const dayTwo = await reviewDayTwoEdits(path.join(toolDirectory("prometheus"), "promtool"));
  for (const file of await generatedDocs(undefined, dayTwo)) {
    fs.writeFileSync(file.path, file.content);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file.path)}\n`);
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
