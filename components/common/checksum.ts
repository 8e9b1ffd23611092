import { createHash } from "crypto";

/**
 * Pod-template annotations holding a hash of each config a pod reads, so that a config change
 * rolls the pods even for processes that cannot reload it.
 */
export function checksumAnnotations(configs: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(configs)
      .sort()
      .map((name) => [`checksum/${name}`, createHash("sha256").update(configs[name]).digest("hex")]),
  );
}
