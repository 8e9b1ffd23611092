// `npm run checkov`: Checkov's Kubernetes checks on both stacks' rendered manifests, summed up:
// checks run, results passed, failures accepted by checks/checkov-skips.yaml, failures not.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkovSkips, unexplainedFailures } from "../checks/checkov";
import { toManifest } from "../render/manifest";
import { renderStack } from "../render/renderStack";
import { runCheckov } from "../tests/kit/checkov";
import { checkovExecutable } from "../tests/kit/tools";

async function main(): Promise<void> {
  const checkov = checkovExecutable();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkov-"));
  const skips = checkovSkips();
  let unexplainedTotal = 0;
  try {
    console.log("stack  checks run  results passed  failures accepted  failures unexplained");
    const stacks = ["kind", "prod"];
    const file = (stack: string) => path.join(dir, `${stack}.yaml`);
    for (const stack of stacks) {
      fs.writeFileSync(file(stack), toManifest((await renderStack(stack)).objects));
    }
    const results = await runCheckov(checkov, stacks.map(file));
    for (const stack of stacks) {
      const result = results[file(stack)];
      const unexplained = unexplainedFailures(result.failed, skips);
      unexplainedTotal += unexplained.length;
      console.log(
        [stack.padEnd(5), String(result.checks.length).padStart(10), String(result.passed).padStart(14)]
          .concat([String(result.failed.length - unexplained.length).padStart(17)])
          .concat([String(unexplained.length).padStart(20)])
          .join("  "),
      );
      unexplained.forEach((u) => console.log(`  unexplained: ${u}`));
    }
    console.log(`\nskip list (checks/checkov-skips.yaml), ${skips.length} entries:`);
    for (const skip of skips) {
      const scope = skip.resources === "*" ? "every workload" : skip.resources.join(", ");
      console.log(`  ${skip.check} (${scope}): ${skip.reason}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = unexplainedTotal === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
