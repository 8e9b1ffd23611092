// Prometheus' own check of the rule files a revision renders: a file Prometheus would not load refuses the change.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { asPrometheusGroup } from "../components/metrics/ruleEvaluators";
import { Registration } from "../render/mocks";

/** What promtool said of each set of rule files already checked, by digest: edits share most. */
const checked = new Map<string, Promise<string[]>>();

/** The data of the ConfigMap `name` among the registrations, or nothing. */
function configMapData(registrations: readonly Registration[], name: string): Record<string, string> {
  const found = registrations.find(
    (r) =>
      r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs.metadata as { name?: string }).name === name,
  );
  return (found?.inputs.data ?? {}) as Record<string, string>;
}

/**
 * Thanos Ruler's rule file in Prometheus' format: Thanos adds one field per group, the strategy for a
 * store that does not answer, and reads the rest (expressions included) as Prometheus does.
 */
function inPrometheusFormat(text: string): string {
  const file = yaml.load(text) as { groups?: Record<string, unknown>[] } | undefined;
  return yaml.dump({
    ...file,
    groups: (file?.groups ?? []).map(asPrometheusGroup),
  });
}

/**
 * `promtool check rules` on the rule files: Prometheus' (`prometheus-rules`) and Thanos Ruler's
 * (`thanos-ruler-rules`, its files named `thanos-ruler-<file>`); its complaint, or nothing.
 */
export function promtoolProblems(
  registrations: readonly Registration[],
  promtool: string,
): Promise<string[]> {
  const files = {
    ...configMapData(registrations, "prometheus-rules"),
    ...Object.fromEntries(
      Object.entries(configMapData(registrations, "thanos-ruler-rules")).map(([file, text]) => [
        `thanos-ruler-${file}`,
        inPrometheusFormat(text),
      ]),
    ),
  };
  if (Object.keys(files).length === 0) return Promise.resolve([]);
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
