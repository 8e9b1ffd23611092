// The passphrase secrets provider's salt state, `v1:<salt>:v1:<nonce>:<AES-256-GCM of "pulumi">`,
// with the key derived by PBKDF2-SHA256 (1,000,000 rounds, 32 bytes) from the passphrase and the
// salt (pulumi/pulumi pkg/secrets/passphrase): a passphrase opens it when the check value decrypts to
// "pulumi".
import { createDecipheriv, pbkdf2Sync } from "crypto";

export function opensWith(state: string, passphrase: string): boolean {
  const [version, salt, cipherVersion, nonce, sealed] = state.split(":");
  if (version !== "v1" || cipherVersion !== "v1" || sealed === undefined) {
    throw new Error(`not a passphrase salt state: ${state}`);
  }
  const key = pbkdf2Sync(Buffer.from(passphrase), Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
  const box = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
  decipher.setAuthTag(box.subarray(box.length - 16));
  try {
    return (
      Buffer.concat([decipher.update(box.subarray(0, box.length - 16)), decipher.final()]).toString() ===
      "pulumi"
    );
  } catch {
    return false;
  }
}
