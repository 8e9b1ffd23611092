// The generated Prometheus and Alertmanager configs, checked by promtool and amtool of the
// versions the stack deploys (built from the Go module proxy by tests/unit/globalSetup.ts).
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RECEIVERS } from "../../../components/metrics/alertmanagerConfig";
import { PROMETHEUS_PATHS, SERVICE_ACCOUNT_TOKEN } from "../../../components/metrics/names";
import { rendered } from "../../support/renderedStacks";
import { STACKS } from "../../kit/stacks";
import { writeAlertmanagerFiles } from "../../kit/alertmanager";
import { configMapData } from "../../kit/rendered";
import { tools } from "../../kit/tools";

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
    // A severity no route reads, or none: the last route, warning while alerting.otherSeverities is
    // unset (the config admits such an alert only when it says whether it pages).
    [["severity=page", "alertname=TeamPage"], RECEIVERS.warning],
    [["alertname=Unlabelled"], RECEIVERS.warning],
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
