// The SLO engine's rules under the real promtool: for every indicator kind, the page and ticket
// alerts fire at their burn rates and stay silent just below, and the remaining budget is what a
// hand calculation gives.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import {
  CONFIGURED_SLO_ALERTS,
  SLO_INDICATOR_MISSING,
  configuredSloRules,
} from "../../components/metrics/configuredSlos";
import { AlertRule, RecordingRule } from "../../components/common/prometheusTypes";
import { rulesReadBy } from "../unit/metrics/ruleUnitTests";
import { tools } from "../kit/tools";
import {
  SLOS_OF_EVERY_KIND,
  budgetTestFile,
  burnRateTestFile,
  indicatorMissingTestFile,
} from "../unit/slo/sloPromtoolCases";

const run = promisify(execFile);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slo-rules-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * The SLOs' rule groups, without annotations (the cases assert labels; promtool check rules reads the
 * prose); with `isRoot`, only the rules it picks and those they read, which keeps a run over days
 * short. Returns the file's name and its groups' names, in order.
 */
function writeRules(
  name: string,
  slos: typeof SLOS_OF_EVERY_KIND,
  isRoot?: (rule: AlertRule | RecordingRule) => boolean,
): { file: string; groups: string[] } {
  const all = { groups: configuredSloRules(slos, "https://runbooks.example.com/observability") };
  const { groups } = isRoot === undefined ? all : rulesReadBy(isRoot, { [name]: all });
  const withoutAnnotations = groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: undefined } : r)),
  }));
  fs.writeFileSync(path.join(dir, name), yaml.dump({ groups: withoutAnnotations }, { skipInvalid: true }));
  return { file: name, groups: groups.map((g) => g.name) };
}

const alertNamed = (alert: string) => (rule: AlertRule | RecordingRule) =>
  "alert" in rule && rule.alert === alert;

async function promtoolTest(files: Record<string, object>): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, file), yaml.dump(content));
  }
  const result = await run(tools.promtool(), ["test", "rules", ...Object.keys(files)], { cwd: dir }).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
  return `${result.stdout}${result.stderr}`;
}

test("promtool check rules accepts the rules of SLOs of every kind side by side", async () => {
  const { file } = writeRules("rules-check.yaml", SLOS_OF_EVERY_KIND);
  const { stdout } = await run(tools.promtool(), ["check", "rules", file], { cwd: dir });
  expect(stdout).toContain("SUCCESS");
});

describe.each(SLOS_OF_EVERY_KIND.map((slo) => [`${slo.name} (${slo.indicator.kind})`, slo] as const))(
  "%s",
  (_, slo) => {
    test("the page fires at 16x (14.4x over 1h) and 7x (6x over 6h), not at 12x or 5x; the ticket at 3.5x (3x over 1d) and 1.2x (1x over 3d), not at 2.5x or 0.8x", async () => {
      const output = await promtoolTest({
        [`page-${slo.name}.yaml`]: burnRateTestFile(
          slo,
          writeRules(`page-rules-${slo.name}.yaml`, [slo], alertNamed(CONFIGURED_SLO_ALERTS.page)).file,
          1,
        ),
        [`ticket-${slo.name}.yaml`]: burnRateTestFile(
          slo,
          writeRules(`ticket-rules-${slo.name}.yaml`, [slo], alertNamed(CONFIGURED_SLO_ALERTS.ticket)).file,
          10,
        ),
      });
      expect(output).not.toContain("FAILED");
      expect(output.match(/SUCCESS/g)).toHaveLength(2);
    }, 120000);
  },
);

test("the SLI over the compliance window and the remaining budget of every kind match the hand-computed values", async () => {
  // The budget, the compliance window's SLI (which the budget computes from the same hourly chunks,
  // not from the recorded series) and what they read: no alert, no window shorter than a day.
  const { file, groups } = writeRules(
    "rules-budget.yaml",
    SLOS_OF_EVERY_KIND,
    (rule) =>
      "record" in rule &&
      (rule.record === "slo:error_budget_remaining:ratio" ||
        rule.record.startsWith("slo:sli_error:ratio_rate")),
  );
  const output = await promtoolTest({ "budget.yaml": budgetTestFile(file, groups) });
  expect(output).not.toContain("FAILED");
  expect(output).toContain("SUCCESS");
}, 120000);

test("SLOIndicatorMissing of every kind fires after 30 minutes without the indicator's series, and not while they exist", async () => {
  const { file } = writeRules("rules-missing.yaml", SLOS_OF_EVERY_KIND, alertNamed(SLO_INDICATOR_MISSING));
  const output = await promtoolTest({ "missing.yaml": indicatorMissingTestFile(file) });
  expect(output).not.toContain("FAILED");
  expect(output).toContain("SUCCESS");
}, 120000);
