// Bad `metrics.extraRuleFiles` and `logs.extraRuleFiles`: each is refused by the program itself,
// under mocks, with a problem that names the key, the list index and the file, and nothing is
// registered, not even the provider.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../../config";
import main = require("../../../index");
import { PROJECT_ROOT, recordDeployment, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { configMapData } from "../../kit/rendered";
import { EXTEND_DIR, EXTENDED_STACK } from "../../support/extendedStack";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";

const PAYMENTS = "tests/unit/extend/rules/payments.rules.yml";
const PAYMENTS_LOGS = "tests/unit/extend/rules/payments.logs.yml";

/** The extension stack file's keys with its `observability:<section>.extraRuleFiles` replaced. */
function withExtraRuleFiles(lists: { metrics?: unknown; logs?: unknown }): Record<string, string> {
  const { config } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const edited = { ...config };
  for (const [section, files] of Object.entries(lists)) {
    const key = `observability:${section}`;
    edited[key] = JSON.stringify({ ...JSON.parse(config[key]), extraRuleFiles: files });
  }
  return edited;
}

/** Runs the program; returns the problems it refused the config with and what it registered. */
async function refused(config: Record<string, string>) {
  const mocks = await recordDeployment("rules", config, readStackFile(EXTENDED_STACK, EXTEND_DIR).secretKeys);
  const error: unknown = await main().then(
    () => undefined,
    (e: unknown) => e,
  );
  await sleep(50);
  expect(error).toBeInstanceOf(ConfigError);
  return { problems: (error as ConfigError).problems, registrations: mocks.registrations };
}

let scratch: string;
/** Writes a file outside the repository and returns its path as a stack file would give it. */
function userFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return path.relative(process.cwd(), file);
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "extra-rules-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("extra rule files that cannot be read", () => {
  test("wrong type: a single path instead of a list, a number instead of a path", async () => {
    const { problems, registrations } = await refused(
      withExtraRuleFiles({ metrics: PAYMENTS, logs: [PAYMENTS_LOGS, 42] }),
    );
    expect(problems).toEqual([
      `observability:metrics.extraRuleFiles must be an array (got "${PAYMENTS}")`,
      "observability:logs.extraRuleFiles[1] must be a path to a file, or its name and content (got 42)",
    ]);
    expect(registrations).toEqual([]);
  });

  test("a file that does not exist is named with its key and index", async () => {
    const missing = "tests/unit/extend/rules/orders.rules.yml";
    const { problems, registrations } = await refused(withExtraRuleFiles({ metrics: [PAYMENTS, missing] }));
    expect(problems).toEqual([
      `observability:metrics.extraRuleFiles[1] must name a readable rule file, relative to the project root; tried ${path.resolve(missing)} (ENOENT) (got "${missing}")`,
    ]);
    expect(registrations).toEqual([]);
  });

  test("an absolute path is read as it is: a program may compute one", async () => {
    const absolute = path.join(PROJECT_ROOT, PAYMENTS);
    const { objects } = await renderWithConfig("rules", withExtraRuleFiles({ metrics: [absolute] }), [
      ...readStackFile(EXTENDED_STACK, EXTEND_DIR).secretKeys,
    ]);
    expect(Object.keys(configMapData(objects, "prometheus-rules"))).toContain(path.basename(PAYMENTS));
  });

  test("YAML that does not parse", async () => {
    // A tab-indented rule, as an editor without YAML support writes it.
    const file = userFile("broken.yml", "groups:\n  - name: orders\n    rules:\n\t- alert: OrdersStuck\n");
    const { problems, registrations } = await refused(withExtraRuleFiles({ logs: [file] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(
        `^observability:logs\\.extraRuleFiles\\[0\\] must be valid YAML: .*tab.* \\(got "${file}"\\)$`,
      ),
    );
    expect(registrations).toEqual([]);
  });

  test.each([
    ["an empty file", "", "the file is empty"],
    [
      "a Kubernetes PrometheusRule instead of the file format",
      "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups: []\n",
      "groups is required; the file has unknown fields apiVersion, kind, spec",
    ],
    [
      "a rule with both alert and record",
      "groups:\n  - name: orders\n    rules:\n      - alert: OrdersStuck\n        record: orders:stuck\n        expr: up == 0\n",
      "groups[0].rules[0] must have exactly one of alert or record",
    ],
    [
      "labels at the rule's top level, a duration in words, and a group without rules",
      "groups:\n  - name: orders\n    rules:\n      - alert: OrdersStuck\n        expr: up == 0\n        for: ten minutes\n        severity: warning\n  - name: empty\n",
      "groups[0].rules[0].for must be a duration such as 5m; groups[0].rules[0] has unknown field severity; groups[1].rules is required",
    ],
  ])("wrong shape: %s", async (_, text, detail) => {
    const file = userFile("shape.yml", text);
    const { problems, registrations } = await refused(withExtraRuleFiles({ metrics: [PAYMENTS, file] }));
    expect(problems).toEqual([
      `observability:metrics.extraRuleFiles[1] must be a rule file with groups: ${detail} (got "${file}")`,
    ]);
    expect(registrations).toEqual([]);
  });

  test("a file name that cannot be a ConfigMap key", async () => {
    const file = userFile("orders rules.yml", "groups: []\n");
    const { problems } = await refused(withExtraRuleFiles({ metrics: [file] }));
    expect(problems).toEqual([
      "observability:metrics.extraRuleFiles[0] must name a file of letters, digits, '-', '_' and '.' only " +
        `(its name becomes a ConfigMap key) (got "${file}")`,
    ]);
  });
});

describe("extra rule files that clash", () => {
  const alertFile = (name: string, group: string, alert: string) =>
    userFile(
      name,
      `groups:\n  - name: ${group}\n    rules:\n      - alert: ${alert}\n        expr: vector(1)\n        labels:\n          severity: warning\n`,
    );

  test("an alert name the stack's own rules define, and a group name another extra file uses", async () => {
    const own = alertFile("own/orders.rules.yml", "orders", "ServiceDown");
    const twin = alertFile("twin/orders-http.rules.yml", "payments-http", "OrdersSlow");
    const { problems, registrations } = await refused(withExtraRuleFiles({ metrics: [PAYMENTS, own, twin] }));
    expect(problems).toEqual([
      `observability:metrics.extraRuleFiles[1] (${own}) must not reuse the alert name ServiceDown: the stack's services.yaml has it already`,
      `observability:metrics.extraRuleFiles[2] (${twin}) must not reuse the group name payments-http: ${PAYMENTS} has it already`,
    ]);
    expect(registrations).toEqual([]);
  });

  test("an alert name another extra file defines, and the stack's own LogQL alert name", async () => {
    const first = alertFile("a/orders.logs.yml", "orders-logs", "OrdersErrors");
    const second = alertFile("b/orders-more.logs.yml", "orders-more-logs", "OrdersErrors");
    const own = alertFile("c/bursts.logs.yml", "bursts", "LogErrorBurst");
    const { problems, registrations } = await refused(withExtraRuleFiles({ logs: [first, second, own] }));
    expect(problems).toEqual([
      `observability:logs.extraRuleFiles[1] (${second}) must not reuse the alert name OrdersErrors: ${first} has it already`,
      `observability:logs.extraRuleFiles[2] (${own}) must not reuse the alert name LogErrorBurst: the stack's rules.yaml has it already`,
    ]);
    expect(registrations).toEqual([]);
  });

  test("clashing file names: the same name in two folders, the stack's own file name, the same file twice", async () => {
    const one = alertFile("x/orders.rules.yml", "orders-x", "OrdersX");
    const other = alertFile("y/orders.rules.yml", "orders-y", "OrdersY");
    const slo = alertFile("z/slo.yaml", "orders-slo", "OrdersSlo");
    const { problems } = await refused(
      withExtraRuleFiles({ metrics: [one, other, slo, PAYMENTS, PAYMENTS] }),
    );
    expect(problems).toEqual([
      `observability:metrics.extraRuleFiles[1] (${other}) must not reuse the file name orders.rules.yml: ${one} has it already`,
      `observability:metrics.extraRuleFiles[2] (${slo}) must not reuse the file name slo.yaml: the stack's slo.yaml has it already`,
      `observability:metrics.extraRuleFiles[4] (${PAYMENTS}) must not reuse the file name payments.rules.yml: ${PAYMENTS} has it already`,
    ]);
  });

  test("one file may define an alert twice, for a warning and a critical threshold", async () => {
    const file = userFile(
      "tiers/orders.rules.yml",
      [
        "groups:",
        "  - name: orders-latency",
        "    rules:",
        "      - { alert: OrdersSlow, expr: 'vector(2) > 1', labels: { severity: warning } }",
        "      - { alert: OrdersSlow, expr: 'vector(2) > 3', labels: { severity: critical } }",
        "",
      ].join("\n"),
    );
    const { objects } = await renderWithConfig(
      "rules",
      withExtraRuleFiles({ metrics: [PAYMENTS, file] }),
      readStackFile(EXTENDED_STACK, EXTEND_DIR).secretKeys,
    );
    const rules = yaml.load(configMapData(objects, "prometheus-rules")["orders.rules.yml"]) as Json;
    expect(rules.groups[0].rules.map((r: Json) => r.labels.severity)).toEqual(["warning", "critical"]);
  });
});
