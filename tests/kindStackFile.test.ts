import { createDecipheriv, pbkdf2Sync } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { PROJECT_ROOT } from "../render/renderStack";

/**
 * `npm run up` must leave the tracked Pulumi.kind.yaml as it is. `pulumi stack init` rewrites a
 * stack file (dropping its comments) whenever the secrets settings it computes differ from the
 * file's: with `secretsprovider: passphrase` it always does (the passphrase manager clears that key
 * and adds a fresh salt). With a committed salt for the passphrase the script uses, and no
 * `secretsprovider` key, init reuses the salt and has nothing to save.
 */
describe("Pulumi.kind.yaml and the local stack's passphrase", () => {
  const file = path.join(PROJECT_ROOT, "Pulumi.kind.yaml");
  const stackFile = yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const upScript = fs.readFileSync(path.join(PROJECT_ROOT, "scripts/up.sh"), "utf8");

  test("has no secretsprovider key, which the passphrase manager would clear and save", () => {
    expect(stackFile).not.toHaveProperty("secretsprovider");
    expect(stackFile).not.toHaveProperty("encryptedkey");
  });

  test("its encryptionsalt opens with the empty passphrase npm run up sets", () => {
    expect(upScript).toMatch(/export PULUMI_CONFIG_PASSPHRASE=""/);
    expect(upScript).toMatch(/pulumi stack init "\$STACK" --secrets-provider passphrase/);
    expect(checkPhraseOf(String(stackFile.encryptionsalt), "")).toBe("pulumi");
  });

  test("a different passphrase does not open it (Pulumi reports an incorrect passphrase)", () => {
    expect(() => checkPhraseOf(String(stackFile.encryptionsalt), "laptop")).toThrow();
  });
});

/**
 * The passphrase provider's salt state is `v1:<salt>:v1:<nonce>:<AES-256-GCM of "pulumi">` with the
 * key derived by PBKDF2-SHA256 (1,000,000 rounds, 32 bytes) from the passphrase and salt; Pulumi
 * accepts a passphrase when the check value decrypts to "pulumi".
 */
function checkPhraseOf(state: string, passphrase: string): string {
  const [version, salt, cipherVersion, nonce, sealed] = state.split(":");
  if (version !== "v1" || cipherVersion !== "v1" || sealed === undefined) {
    throw new Error(`not a passphrase salt state: ${state}`);
  }
  const key = pbkdf2Sync(Buffer.from(passphrase), Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
  const bytes = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString();
}
