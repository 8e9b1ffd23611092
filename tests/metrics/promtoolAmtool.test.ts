// The generated Prometheus and Alertmanager configs, checked by promtool and amtool of the
// versions the stack deploys (built from the Go module proxy by tests/globalSetup.ts).
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RECEIVERS } from "../../components/metrics/alertmanagerConfig";
import { PROMETHEUS_PATHS, SERVICE_ACCOUNT_TOKEN } from "../../components/metrics/names";
import { RuleFile } from "../../components/common/prometheusTypes";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { rendered } from "../renderedStacks";
import { STACKS } from "../../testkit/stacks";
import { writeAlertmanagerFiles } from "../../testkit/alertmanager";
import { configMapData } from "../../testkit/rendered";
import { tools } from "../../testkit/tools";
import { ALERT_CASES, healthyClusterTestFile, promtoolTestFiles, withoutAnnotations } from "./ruleUnitTests";

const run = promisify(execFile);

/**
 * The stack's config files in a temporary directory. Only absolute in-pod paths are rewritten
 * (rule files, the ServiceAccount token, receiver secrets, notification templates), because
 * promtool and amtool read the files a config refers to.
 */
function writeConfigs(objects: Parameters<typeof configMapData>[0]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "metrics-"));
  fs.mkdirSync(path.join(dir, "rules"));
  fs.writeFileSync(path.join(dir, "token"), "test-token");
  const rules = configMapData(objects, "prometheus-rules");
  for (const [file, content] of Object.entries(rules)) {
    fs.writeFileSync(path.join(dir, "rules", file), content);
  }
  const prometheusYml = configMapData(objects, "prometheus-config")
    ["prometheus.yml"].replaceAll(PROMETHEUS_PATHS.rulesDir, path.join(dir, "rules"))
    .replaceAll(SERVICE_ACCOUNT_TOKEN, path.join(dir, "token"));
  fs.writeFileSync(path.join(dir, "prometheus.yml"), prometheusYml);
  writeAlertmanagerFiles(objects, dir);
  return { dir, ruleFiles: Object.keys(rules).map((file) => path.join(dir, "rules", file)) };
}

describe.each(STACKS)("stack %s", (stack) => {
  let files: ReturnType<typeof writeConfigs>;
  beforeAll(async () => {
    files = writeConfigs((await rendered(stack)).objects);
  });
  afterAll(() => fs.rmSync(files.dir, { recursive: true, force: true }));

  test("promtool check config accepts prometheus.yml (Kubernetes discovery included)", async () => {
    const { stdout } = await run(tools.promtool(), [
      "check",
      "config",
      path.join(files.dir, "prometheus.yml"),
    ]);
    expect(stdout).toContain("SUCCESS");
  });

  test("promtool check rules accepts every rule file", async () => {
    const { stdout } = await run(tools.promtool(), ["check", "rules", ...files.ruleFiles]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(files.ruleFiles.length);
  });

  test("amtool check-config accepts alertmanager.yml", async () => {
    const { stdout } = await run(tools.amtool(), ["check-config", path.join(files.dir, "alertmanager.yml")]);
    expect(stdout).toContain("SUCCESS");
  });

  test.each([
    [["severity=critical", "alertname=ServiceDown", "service=ticket-service"], RECEIVERS.critical],
    [["severity=warning", "alertname=HighMemory"], RECEIVERS.warning],
    [["severity=none", "alertname=Watchdog"], RECEIVERS.watchdog],
    [["alertname=Unlabelled"], RECEIVERS.fallback],
  ])("amtool routes %j to %s", async (labels, receiver) => {
    const { stdout } = await run(tools.amtool(), [
      "config",
      "routes",
      "test",
      `--config.file=${path.join(files.dir, "alertmanager.yml")}`,
      ...labels,
    ]);
    expect(stdout.trim()).toBe(receiver);
  });
});

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

describe("promtool test rules", () => {
  let dir: string;
  let testFiles: string[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rule-tests-"));
    const { ruleFiles, testFiles: tests } = promtoolTestFiles(ruleFilesOf((await rendered("kind")).objects));
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

  test("covers every alert of the generated rules, each both ways (Watchdog always fires)", async () => {
    const rules = configMapData((await rendered("kind")).objects, "prometheus-rules");
    const alerts = Object.values(rules)
      .flatMap((content) => (yaml.load(content) as RuleFile).groups)
      .flatMap((g) => g.rules)
      .filter((r): r is Extract<typeof r, { alert: string }> => "alert" in r)
      .map((r) => r.alert);
    const firing = new Set(ALERT_CASES.filter((c) => c.fires !== undefined).map((c) => c.alert));
    const silent = new Set(ALERT_CASES.filter((c) => c.fires === undefined).map((c) => c.alert));
    expect([...firing].sort()).toEqual([...new Set(alerts)].sort());
    expect([...silent].sort()).toEqual([...new Set(alerts)].filter((a) => a !== "Watchdog").sort());
  });
});
