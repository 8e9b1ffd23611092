import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { opensWith } from "../../kit/standIns/passphrase";

/**
 * `npm run up` must leave the tracked Pulumi.kind.yaml as it is. `pulumi stack init` rewrites a
 * stack file (dropping its comments) whenever the secrets settings it computes differ from the
 * file's: with `secretsprovider: passphrase` it always does (the passphrase manager clears that key
 * and adds a fresh salt). With a committed salt for the passphrase the script uses (the empty one:
 * tests/scenarios/upDown.test.ts runs it), and no `secretsprovider` key, init reuses the salt and has
 * nothing to save.
 */
describe("Pulumi.kind.yaml and the local stack's passphrase", () => {
  const file = path.join(PROJECT_ROOT, "Pulumi.kind.yaml");
  const stackFile = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

  test("has no secretsprovider key, which the passphrase manager would clear and save", () => {
    expect(stackFile).not.toHaveProperty("secretsprovider");
    expect(stackFile).not.toHaveProperty("encryptedkey");
  });

  test("its encryptionsalt opens with the empty passphrase, and not with another (Pulumi reports an incorrect passphrase)", () => {
    expect(opensWith(String(stackFile.encryptionsalt), "")).toBe(true);
    expect(opensWith(String(stackFile.encryptionsalt), "laptop")).toBe(false);
  });
});
