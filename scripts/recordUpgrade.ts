// `npm run record-upgrade`, at a release, once its stack files are copied to
// tests/support/upgrades/<version>/: what this program renders from them and from the previous release's,
// written as digests beside them (tests/support/upgrades/<release>/renders/<version>.<stack>.json). The
// upgrade notes in docs/day-two.md compare these records (`npm run docs`); a later program cannot
// render as this one does, so they are kept.
import * as fs from "fs";
import * as path from "path";
import { KEY_CHANGES } from "../config/migrations";
import { PROJECT_ROOT } from "../render/renderStack";
import { keptReleases, recordFile, recordRender } from "../render/upgradeRecords";
import { renderUpgraded } from "../render/upgradeEdits";
import { STACKS } from "../tests/kit/stacks";

async function run(): Promise<void> {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const releases = keptReleases();
  if (releases.at(-1) !== version) {
    throw new Error(
      `copy Pulumi.kind.yaml and Pulumi.prod.yaml to tests/support/upgrades/${version}/ first: this program is release ${version}`,
    );
  }
  const unreleased = KEY_CHANGES.filter((change) => change.release === undefined);
  if (unreleased.length > 0) {
    throw new Error(
      `config/migrations.ts: set release: "${version}" on the key changes this release makes (${unreleased.map((c) => c.path.join(".")).join(", ")})`,
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
      const record = await recordRender(version, stack, () => renderUpgraded(stack, release));
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
