// Prometheus' own check of the rule files a revision renders: a file Prometheus would not load refuses the change.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { Registration } from "../render/mocks";

/** What promtool said of each set of rule files already checked, by digest: edits share most. */
const checked = new Map<string, Promise<string[]>>();

/** `promtool check rules` on the `prometheus-rules` ConfigMap's files; its complaint, or nothing. */
export function promtoolProblems(
  registrations: readonly Registration[],
  promtool: string,
): Promise<string[]> {
  const rules = registrations.find(
    (r) =>
      r.type === "kubernetes:core/v1:ConfigMap" &&
      (r.inputs.metadata as { name?: string }).name === "prometheus-rules",
  );
  if (rules === undefined) return Promise.resolve([]);
  const files = (rules.inputs.data ?? {}) as Record<string, string>;
  const digest = createHash("sha256")
    .update(JSON.stringify([promtool, files]))
    .digest("hex");
  const known = checked.get(digest) ?? check(files, promtool);
  checked.set(digest, known);
  return known;
}

async function check(data: Readonly<Record<string, string>>, promtool: string): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-rules-"));
  try {
    const files = Object.entries(data).map(([name, text]) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    });
    await promisify(execFile)(promtool, ["check", "rules", ...files]);
    return [];
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    const said = `${output.stderr ?? ""}${output.stdout ?? ""}`
      .trim()
      .split(dir + path.sep)
      .join("");
    return [`promtool check rules: ${said || String(error)}`];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
