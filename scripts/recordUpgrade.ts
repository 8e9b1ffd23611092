// `npm run record-upgrade`, at a release, once its stack files are copied to
// tests/upgrades/<version>/: what this program renders from them and from the previous release's,
// written as digests beside them (tests/upgrades/<release>/renders/<version>.<stack>.json). The
// upgrade notes in docs/day-two.md compare these records (`npm run docs`); a later program cannot
// render as this one does, so they are kept.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, renderStack } from "../render/renderStack";
import { UPGRADES_DIR, keptReleases, recordFile, recordRender } from "../render/upgradeRecords";
import { STACKS } from "../testkit/stacks";

async function run(): Promise<void> {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const releases = keptReleases();
  if (releases.at(-1) !== version) {
    throw new Error(
      `copy Pulumi.kind.yaml and Pulumi.prod.yaml to tests/upgrades/${version}/ first: this program is release ${version}`,
    );
  }
  for (const release of releases.slice(-2)) {
    for (const stack of STACKS) {
      const file = recordFile(release, version, stack);
      if (fs.existsSync(file)) {
        throw new Error(
          `${path.relative(PROJECT_ROOT, file)} is recorded already: a release records its renders once, when it is cut (bump package.json's version first)`,
        );
      }
      const record = await recordRender(version, stack, () =>
        renderStack(stack, path.join(UPGRADES_DIR, release)),
      );
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      process.stdout.write(`wrote ${path.relative(PROJECT_ROOT, file)}\n`);
    }
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
