// The licence of a file as github.com/google/licensecheck reads it (tools/licensecheck): the SPDX
// IDs it finds and how much of the text they cover. Files are classified in batches, once each.
import { execFileSync } from "child_process";

export interface Classification {
  readonly ids: readonly string[];
  readonly percent: number;
}

/** How many files one run of the classifier reads. */
const BATCH = 200;

/** A classifier over one licensecheck binary, remembering every file it has read. */
export function licenceClassifier(
  licensecheck: string,
): (files: readonly string[]) => Map<string, Classification> {
  const known = new Map<string, Classification>();
  return (files) => {
    const todo = [...new Set(files)].filter((file) => !known.has(file));
    for (let i = 0; i < todo.length; i += BATCH) {
      const output = execFileSync(licensecheck, todo.slice(i, i + BATCH), {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
      for (const [file, verdict] of Object.entries(JSON.parse(output) as Record<string, Classification>)) {
        known.set(file, verdict);
      }
    }
    return new Map(files.map((file) => [file, known.get(file) as Classification]));
  };
}

/** A file's licence as an SPDX expression (its IDs joined by AND), or "" when none is recognised. */
export function licenceOf(classification: Classification): string {
  return classification.ids.length === 0 ? "" : [...classification.ids].sort().join(" AND ");
}
