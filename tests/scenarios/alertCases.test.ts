// Every alert's firing and silent cases, and an hour of each healthy profile, under the real
// promtool of the version the stack deploys: one promtool run over all of them.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RuleFile } from "../../components/common/prometheusTypes";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { rendered } from "../support/renderedStacks";
import { configMapData } from "../kit/rendered";
import { tools } from "../kit/tools";
import {
  ALERT_CASES,
  healthyClusterTestFile,
  promtoolTestFiles,
  withoutAnnotations,
} from "../unit/metrics/ruleUnitTests";

const run = promisify(execFile);

/** The rule files of a render's `prometheus-rules` ConfigMap, by name. */
const ruleFilesOf = (objects: Parameters<typeof configMapData>[0]) =>
  Object.fromEntries(
    Object.entries(configMapData(objects, "prometheus-rules")).map(([file, content]) => [
      file,
      yaml.load(content) as RuleFile,
    ]),
  );

/** The committed kind stack with the demo turned off, as `pulumi config set --path demo.enabled false` leaves it. */
async function kindWithoutDemo() {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const demo = JSON.parse(config["observability:demo"]) as Record<string, unknown>;
  return renderWithConfig(
    "kind",
    { ...config, "observability:demo": JSON.stringify({ ...demo, enabled: false }) },
    secretKeys,
  );
}

/**
 * Every rule file of the kind render, and those only prod has (the metrics bucket's): every alert
 * either profile deploys.
 */
async function bothProfilesRuleFiles() {
  const kind = ruleFilesOf((await rendered("kind")).objects);
  const prod = ruleFilesOf((await rendered("prod")).objects);
  return {
    ...kind,
    ...Object.fromEntries(Object.entries(prod).filter(([file]) => kind[file] === undefined)),
  };
}

describe("promtool test rules", () => {
  let dir: string;
  let testFiles: string[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rule-tests-"));
    const { ruleFiles, testFiles: tests } = promtoolTestFiles(await bothProfilesRuleFiles());
    // The kind stack without the demo has rules of its own (no demo SLOs): in a directory of its own.
    const withoutDemo = ruleFilesOf((await kindWithoutDemo()).objects);
    const write = (file: string, content: object) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), yaml.dump(content, { skipInvalid: true }));
      return path.join(dir, file);
    };
    Object.entries(ruleFiles).forEach(([file, content]) => write(file, content));
    Object.entries(withoutDemo).forEach(([file, content]) =>
      write(`demo-off/${file}`, withoutAnnotations(content)),
    );
    testFiles = [
      ...Object.entries(tests).map(([file, content]) => write(file, content)),
      write("demo-off/healthy-kind.yaml", healthyClusterTestFile(withoutDemo, "kind", false)),
    ];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("every alert fires on its firing case and stays silent on its silent case, and an hour of a healthy cluster (each profile, and kind without the demo) fires only the Watchdog", async () => {
    const result = await run(tools.promtool(), ["test", "rules", ...testFiles]).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(result.stderr).toBe("");
    expect(result.stdout.match(/SUCCESS/g)).toHaveLength(testFiles.length);
    // Every alert's cases and an hour of each healthy profile, in one promtool run.
  }, 300000);

  test("covers every alert of the generated rules of both profiles, each both ways (Watchdog always fires)", async () => {
    const alerts = Object.values(await bothProfilesRuleFiles())
      .flatMap((file) => file.groups)
      .flatMap((g) => g.rules)
      .filter((r): r is Extract<typeof r, { alert: string }> => "alert" in r)
      .map((r) => r.alert);
    const firing = new Set(ALERT_CASES.filter((c) => c.fires !== undefined).map((c) => c.alert));
    const silent = new Set(ALERT_CASES.filter((c) => c.fires === undefined).map((c) => c.alert));
    expect([...firing].sort()).toEqual([...new Set(alerts)].sort());
    expect([...silent].sort()).toEqual([...new Set(alerts)].filter((a) => a !== "Watchdog").sort());
  });
});
