// `npm run -s record-release-urns -- <release> <commit>`: the URN of every resource a release's
// program registers from that release's own stack files, added to its records
// (tests/upgrades/<release>/renders/<release>.<stack>.json, `urns`). The program runs from a
// checkout of `commit` made for the purpose and removed after, under this program's mocks, so that
// the URNs are read the way the upgrade test reads this program's.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT, PROJECT_ROOT, recordDeployment } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { UPGRADES_DIR, recordFile } from "../render/upgradeRecords";
import { urnsByKey } from "../render/urns";
import { waitForRegistrations } from "../sdk/pulumiSdk";
import { STACKS } from "../testkit/stacks";

async function run(release: string, commit: string): Promise<void> {
  const checkout = fs.mkdtempSync(path.join(os.tmpdir(), `release-${release}-`));
  execFileSync("git", ["worktree", "add", "--detach", checkout, commit], {
    cwd: PROJECT_ROOT,
    stdio: "ignore",
  });
  try {
    // The release's program on this checkout's packages: the same SDK instance runs it and the mocks.
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(checkout, "node_modules"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the release's program, by path
    const main = require(path.join(checkout, "index.ts")) as () => Promise<unknown>;
    for (const stack of STACKS) {
      const { config, secretKeys } = readStackFile(stack, path.join(UPGRADES_DIR, release));
      const mocks = await recordDeployment(stack, config, secretKeys, {}, checkout);
      await main();
      await waitForRegistrations();
      const file = recordFile(release, release, stack);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const urns = urnsByKey(mocks.registrations, { stack, project: PROJECT });
      fs.writeFileSync(file, `${JSON.stringify({ ...record, urns }, null, 2)}\n`);
      process.stdout.write(`${path.relative(PROJECT_ROOT, file)}: ${Object.keys(urns).length} URNs\n`);
    }
  } finally {
    execFileSync("git", ["worktree", "remove", "--force", checkout], { cwd: PROJECT_ROOT, stdio: "ignore" });
  }
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
