// Teams' own rule files (metrics.extraRuleFiles, logs.extraRuleFiles) on both profiles: deployed
// beside the stack's rules, one ConfigMap key per file, and checked by the real promtool (syntax
// and the team's unit tests) and Loki's ruler's checks (checks/lokiRules.ts, LogQL included), so a
// broken rule fails here rather than in the cluster.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parsePulumiConfig } from "../../../config/load";
import { LOKI_PATHS } from "../../../components/logs/names";
import { PROMETHEUS_PATHS } from "../../../components/metrics/names";
import { toYaml } from "../../../components/common/yaml";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { STACKS } from "../../kit/stacks";
import { EXTEND_DIR, EXTENDED_STACK, renderedExtended } from "../../support/extendedStack";
import { configMapData, objectNamed, prometheusYml } from "../../kit/rendered";
import { tools } from "../../kit/tools";
import { lokiRuleFileProblems } from "../../../checks/lokiRules";

const run = promisify(execFile);
const PAYMENTS = "tests/unit/extend/rules/payments.rules.yml";
const PAYMENTS_LOGS = "tests/unit/extend/rules/payments.logs.yml";

/** The convention for a rule file's promtool unit tests: `<name>.test.yml` beside `<name>.yml`. */
function unitTestFileOf(file: string): string {
  const extension = path.extname(file);
  return `${file.slice(0, -extension.length)}.test${extension}`;
}

/** Writes rule files by name into a new directory and returns their paths. */
function writeAll(files: Record<string, string>, prefix: string): { dir: string; paths: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const paths = Object.entries(files).map(([name, content]) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  });
  return { dir, paths };
}

/** What Loki's ruler would refuse in each file, named by file, group and rule. */
const lokiRulerCheck = (files: readonly string[]) =>
  files.flatMap((file) => lokiRuleFileProblems(path.basename(file), fs.readFileSync(file, "utf8")));

describe.each(STACKS)("stack %s with the extension stack file's rule files", (stack) => {
  let objects: Awaited<ReturnType<typeof renderedExtended>>["objects"];
  beforeAll(async () => {
    objects = (await renderedExtended(stack)).objects;
  });

  test("Prometheus: the team's file is one more key of the rules ConfigMap, listed in rule_files", () => {
    const rules = configMapData(objects, "prometheus-rules");
    expect(Object.keys(rules).sort()).toEqual([
      // The extension stack also scrapes ServiceMonitors, whose rule file comes with them.
      "monitors.yaml",
      "payments.rules.yml",
      "platform.yaml",
      "self-monitoring.yaml",
      "services.yaml",
      "slo.yaml",
      // Prod keeps its metrics in a bucket, whose Thanos processes have their own alerts.
      ...(stack === "prod" ? ["thanos.yaml"] : []),
    ]);
    expect(yaml.load(rules["payments.rules.yml"])).toEqual(yaml.load(fs.readFileSync(PAYMENTS, "utf8")));
    const prometheusConfig = prometheusYml(objects);
    expect(prometheusConfig.rule_files).toContain(`${PROMETHEUS_PATHS.rulesDir}/payments.rules.yml`);
  });

  test("Loki: the team's file is one more ruler namespace in the tenant's rules directory", () => {
    const rules = configMapData(objects, "loki-rules");
    expect(Object.keys(rules).sort()).toEqual(["payments.logs.yml", "rules.yaml"]);
    expect(yaml.load(rules["payments.logs.yml"])).toEqual(yaml.load(fs.readFileSync(PAYMENTS_LOGS, "utf8")));
    const mounts = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0].volumeMounts;
    const tenant = stack === "kind" ? "fake" : "platform";
    expect(mounts).toContainEqual({
      name: "rules",
      mountPath: `${LOKI_PATHS.rules}/${tenant}`,
      readOnly: true,
    });
  });

  test("promtool check rules accepts every rule file Prometheus gets, the team's included", async () => {
    const { dir, paths } = writeAll(configMapData(objects, "prometheus-rules"), "extra-rules-");
    try {
      const { stdout } = await run(tools.promtool(), ["check", "rules", ...paths]);
      expect(stdout.match(/SUCCESS/g)).toHaveLength(paths.length);
      expect(paths).toHaveLength(stack === "prod" ? 7 : 6);
      expect(stdout).toContain("SUCCESS: 2 rules found"); // the payments file's record and alert
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("Loki's ruler's checks (LogQL metric queries, groups) accept every file the ruler gets", () => {
    const { dir, paths } = writeAll(configMapData(objects, "loki-rules"), "extra-loki-rules-");
    try {
      expect(paths.map((p) => path.basename(p)).sort()).toEqual(["payments.logs.yml", "rules.yaml"]);
      expect(lokiRulerCheck(paths)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("every stack file's extra rule files, as deployed", () => {
  // The committed stacks and the extension test stacks: a user's own Pulumi.<stack>.yaml in the
  // project root is checked the same way.
  const stackFiles = [
    ...fs.readdirSync(PROJECT_ROOT).map((f) => [PROJECT_ROOT, f] as const),
    ...fs.readdirSync(EXTEND_DIR).map((f) => [EXTEND_DIR, f] as const),
  ]
    .map(([dir, file]) => [dir, /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([dir, stack]) => {
      const { config, secretKeys } = readStackFile(stack, dir);
      return { stack, config: parsePulumiConfig(config, secretKeys) };
    });
  const prometheusFiles = stackFiles.flatMap(({ config }) => config.metrics.extraRuleFiles);
  const lokiFiles = stackFiles.flatMap(({ config }) => config.logs.extraRuleFiles);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-rule-files-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The file as the ConfigMap holds it, under its deployed name, beside its unit tests if any. */
  const deployed = (extra: (typeof prometheusFiles)[number]) => {
    const file = path.join(dir, extra.name);
    fs.writeFileSync(file, toYaml({ groups: extra.groups }));
    const tests = unitTestFileOf(extra.file);
    if (!fs.existsSync(tests)) {
      return { file };
    }
    fs.copyFileSync(tests, path.join(dir, path.basename(tests)));
    return { file, tests: path.join(dir, path.basename(tests)) };
  };

  test("the extension stack lists rule files for both servers, and the Prometheus one has unit tests", () => {
    expect(stackFiles.map((s) => s.stack)).toEqual(expect.arrayContaining(["kind", "prod", EXTENDED_STACK]));
    expect(prometheusFiles.map((f) => f.file)).toContain(PAYMENTS);
    expect(lokiFiles.map((f) => f.file)).toContain(PAYMENTS_LOGS);
    expect(fs.existsSync(unitTestFileOf(PAYMENTS))).toBe(true);
  });

  test("promtool check rules, then promtool test rules on the unit tests beside each file", async () => {
    const results = [];
    for (const extra of prometheusFiles) {
      const { file, tests } = deployed(extra);
      const check = await run(tools.promtool(), ["check", "rules", file]);
      expect(check.stdout).toContain("SUCCESS");
      if (tests !== undefined) {
        const unit = await run(tools.promtool(), ["test", "rules", tests], { cwd: dir });
        expect(unit.stdout).toContain("SUCCESS");
        results.push(extra.file);
      }
    }
    expect(results).toContain(PAYMENTS);
  });

  test("Loki's ruler's checks on each LogQL rule file", () => {
    for (const extra of lokiFiles) {
      expect({ file: extra.file, problems: lokiRulerCheck([deployed(extra).file]) }).toEqual({
        file: extra.file,
        problems: [],
      });
    }
  });

  test("a broken rule fails here: PromQL in a Loki file, a bad expression and a failing unit test", async () => {
    const prometheusRule = prometheusFiles.find((f) => f.file === PAYMENTS);
    const lokiRule = lokiFiles.find((f) => f.file === PAYMENTS_LOGS);
    if (prometheusRule === undefined || lokiRule === undefined) {
      throw new Error("the extension stack's rule files are missing");
    }
    const promqlInLoki = path.join(dir, "promql.logs.yml");
    fs.writeFileSync(
      promqlInLoki,
      toYaml({
        groups: [
          { name: "wrong-language", rules: [{ alert: "X", expr: prometheusRule.groups[0].rules[0].expr }] },
        ],
      }),
    );
    expect(lokiRulerCheck([deployed(lokiRule).file, promqlInLoki])).toEqual([
      expect.stringMatching(
        /^promql\.logs\.yml: group "wrong-language", alert "X" \(rules\[0\]\): expr does not parse as LogQL/,
      ),
    ]);

    const broken = path.join(dir, "broken.rules.yml");
    fs.writeFileSync(
      broken,
      toYaml({ groups: [{ name: "g", rules: [{ alert: "Y", expr: "rate(x[5m] > 1" }] }] }),
    );
    await expect(run(tools.promtool(), ["check", "rules", broken])).rejects.toMatchObject({
      stderr: expect.stringContaining("parse error"),
    });

    // The unit tests expect the alert at 10 % errors: raised to 20 %, the threshold no longer fires.
    const { file, tests } = deployed(prometheusRule);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("> 0.05", "> 0.2"));
    await expect(run(tools.promtool(), ["test", "rules", tests ?? ""], { cwd: dir })).rejects.toMatchObject({
      stderr: expect.stringMatching(/FAILED:\s+alertname: PaymentsEndpointFailing, time: 20m/),
    });
  });
});
