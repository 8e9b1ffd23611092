// `npm run render -- <stack> [--out <file>]`: every Kubernetes object the program would create for
// Pulumi.<stack>.yaml, as multi-document YAML, then the server-side apply patches it makes to
// objects that exist before them; on stdout, or in <file> (its directory created). No cluster, no
// pulumi CLI.
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { toManifest } from "../render/manifest";
import { renderStack } from "../render/renderStack";
import { endQuietlyWhenPipeCloses } from "./closedPipe";

endQuietlyWhenPipeCloses();

const USAGE = "usage: npm run render -- <stack> [--out <file>]   (reads Pulumi.<stack>.yaml)";

function parseArgs(args: readonly string[]): { stack: string; out?: string } {
  const [stack, ...flags] = args;
  if (stack === undefined || stack.startsWith("-")) {
    throw new Error(USAGE);
  }
  if (flags.length === 0) {
    return { stack };
  }
  if (flags.length !== 2 || flags[0] !== "--out" || flags[1] === "") {
    throw new Error(USAGE);
  }
  return { stack, out: flags[1] };
}

async function run(): Promise<void> {
  const { stack, out } = parseArgs(process.argv.slice(2));
  const rendered = await renderStack(stack);
  const manifest = toManifest([...rendered.objects, ...rendered.patches]);
  if (out === undefined) {
    process.stdout.write(manifest);
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, manifest);
}

run().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
