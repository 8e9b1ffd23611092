// `npm run render -- <stack>`: every Kubernetes object the program would create for
// Pulumi.<stack>.yaml, as multi-document YAML on stdout, then the server-side apply patches it
// makes to objects that exist before them. No cluster, no pulumi CLI.
import { ConfigError } from "../config";
import { toManifest } from "../render/manifest";
import { renderStack } from "../render/renderStack";
import { endQuietlyWhenPipeCloses } from "./closedPipe";

endQuietlyWhenPipeCloses();

async function run(): Promise<void> {
  const stack = process.argv[2];
  if (stack === undefined || process.argv.length > 3) {
    throw new Error("usage: npm run render -- <stack>   (reads Pulumi.<stack>.yaml)");
  }
  const rendered = await renderStack(stack);
  process.stdout.write(toManifest([...rendered.objects, ...rendered.patches]));
}

run().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
