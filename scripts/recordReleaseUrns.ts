// `npm run -s record-release-urns -- <release> <commit>`: the URN of every resource a release's
// program registers from that release's own stack files, added to its records
// (tests/upgrades/<release>/renders/<release>.<stack>.json, `urns`). The program runs from a
// checkout of `commit` made for the purpose, under this program's mocks, so that the URNs are read
// the way the upgrade test reads this program's.
import * as fs from "fs";
import * as path from "path";
import { PROJECT, PROJECT_ROOT } from "../render/renderStack";
import { renderRevision, withCheckout } from "../render/revision";
import { UPGRADES_DIR, recordFile } from "../render/upgradeRecords";
import { urnsByKey } from "../render/urns";
import { STACKS } from "../testkit/stacks";

async function run(release: string, commit: string): Promise<void> {
  await withCheckout(commit, async (root) => {
    for (const stack of STACKS) {
      // The release's own stack files, as the stacks it deployed have them.
      fs.copyFileSync(
        path.join(UPGRADES_DIR, release, `Pulumi.${stack}.yaml`),
        path.join(root, `Pulumi.${stack}.yaml`),
      );
      const { registrations } = await renderRevision(root, stack);
      const file = recordFile(release, release, stack);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const urns = urnsByKey(registrations, { stack, project: PROJECT });
      fs.writeFileSync(file, `${JSON.stringify({ ...record, urns }, null, 2)}\n`);
      process.stdout.write(`${path.relative(PROJECT_ROOT, file)}: ${Object.keys(urns).length} URNs\n`);
    }
  });
}

const [release, commit] = process.argv.slice(2);
if (release === undefined || commit === undefined) {
  process.stderr.write("usage: npm run -s record-release-urns -- <release> <commit>\n");
  process.exit(2);
}
run(release, commit).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
