// `npm run -s record-release-urns -- <release> <commit> [<older release>]`: the URN of every
// resource a release's program registers from that release's own stack files, added to its records
// (tests/support/upgrades/<release>/renders/<release>.<stack>.json, `urns`), and its objects' digests
// written again as render/upgradeDigest.ts takes them now (a digest rule that changes, such as an
// empty content map counting as none, changes the release's side of its upgrade notes too). With
// an older release, the program renders that release's stack files instead, and only the digests
// are written (tests/support/upgrades/<older release>/renders/<release>.<stack>.json). The program runs
// from a checkout of `commit` made for the purpose, under this program's mocks, so that the URNs
// and digests are read the way the upgrade test reads this program's.
import * as fs from "fs";
import * as path from "path";
import { PROJECT, PROJECT_ROOT } from "../render/renderStack";
import { renderRevision, withCheckout } from "../render/revision";
import { kubeObjects, kubePatches, toManifest } from "../render/manifest";
import { UPGRADES_DIR, manifestDigest, recordFile } from "../render/upgradeRecords";
import { urnsByKey } from "../render/urns";
import { STACKS } from "../tests/kit/stacks";

async function run(release: string, commit: string, stackFiles: string): Promise<void> {
  await withCheckout(commit, async (root) => {
    for (const stack of STACKS) {
      // The release's own stack files, as the stacks it deployed have them (or an older release's).
      fs.copyFileSync(
        path.join(UPGRADES_DIR, stackFiles, `Pulumi.${stack}.yaml`),
        path.join(root, `Pulumi.${stack}.yaml`),
      );
      const { registrations } = await renderRevision(root, stack);
      const file = recordFile(stackFiles, release, stack);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      // URNs only from the release's own stack files: what the stacks it deployed hold.
      const objects = manifestDigest(
        toManifest([...kubeObjects(registrations), ...kubePatches(registrations)]),
      );
      const urns =
        stackFiles === release ? { urns: urnsByKey(registrations, { stack, project: PROJECT }) } : {};
      fs.writeFileSync(file, `${JSON.stringify({ ...record, objects, ...urns }, null, 2)}\n`);
      const counts = [`${Object.keys(objects).length} objects`];
      if (urns.urns !== undefined) counts.push(`${Object.keys(urns.urns).length} URNs`);
      process.stdout.write(`${path.relative(PROJECT_ROOT, file)}: ${counts.join(", ")}\n`);
    }
  });
}

const [release, commit, stackFiles = release] = process.argv.slice(2);
if (release === undefined || commit === undefined) {
  process.stderr.write("usage: npm run -s record-release-urns -- <release> <commit> [<older release>]\n");
  process.exit(2);
}
run(release, commit, stackFiles).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
