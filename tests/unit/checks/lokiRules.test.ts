// Loki's ruler's checks of a rule file (checks/lokiRules.ts): an alert and a record of metric
// queries pass (the rendered files are checked in tests/unit/metrics/extraRuleFiles.test.ts); each thing
// the ruler refuses is refused, named by file, group and rule.
import { lokiRuleFileProblems } from "../../../checks/lokiRules";
import { toYaml } from "../../../components/common/yaml";

const FILE = "team.logs.yml";
const ALERT_EXPR = 'sum by (app) (count_over_time({app="orders"} |= "timeout" [5m])) > 5';

const problemsOf = (groups: unknown) => lokiRuleFileProblems(FILE, toYaml({ groups }));
const oneRule = (rule: Record<string, unknown>, name = "orders") => problemsOf([{ name, rules: [rule] }]);

describe("Loki's ruler's checks of a rule file", () => {
  test("an alert and a recording rule of metric queries, with labels, annotations and for, pass", () => {
    expect(
      problemsOf([
        {
          name: "orders",
          interval: "1m",
          rules: [
            {
              alert: "OrdersTimeouts",
              expr: ALERT_EXPR,
              for: "5m",
              labels: { severity: "warning" },
              annotations: { summary: "x" },
            },
            { record: "app:timeouts:rate5m", expr: 'sum by (app) (rate({app="orders"} |= "timeout" [5m]))' },
          ],
        },
      ]),
    ).toEqual([]);
  });

  test.each([
    [
      "PromQL in a Loki file",
      { alert: "X", expr: 'rate(http_requests_total{job="a"}[5m]) > 1' },
      /alert "X" \(rules\[0\]\): expr does not parse as LogQL at 1:6/,
    ],
    [
      "a broken expression",
      { alert: "X", expr: 'sum(count_over_time({app="a"}[5m]) > 1' },
      /alert "X" \(rules\[0\]\): expr does not parse as LogQL/,
    ],
    [
      "a log query (a bare stream selector)",
      { alert: "X", expr: '{app="a"} |= "error"' },
      /alert "X" \(rules\[0\]\): expr is a log query/,
    ],
    [
      "a non-RE2 regex",
      { alert: "X", expr: 'count_over_time({app=~"(?!a).*"}[5m]) > 1' },
      /expr has a regular expression at 1:23 that is not RE2/,
    ],
    [
      "both alert and record",
      { alert: "X", record: "x:y", expr: ALERT_EXPR },
      /alert "X" \(rules\[0\]\): must have exactly one of alert or record/,
    ],
    [
      "neither alert nor record",
      { expr: ALERT_EXPR },
      /, rule \(rules\[0\]\): must have exactly one of alert or record/,
    ],
    [
      "a recording rule name that is no metric name",
      { record: "app timeouts", expr: ALERT_EXPR },
      /record "app timeouts" \(rules\[0\]\): record must be a metric name/,
    ],
    [
      "for on a recording rule",
      { record: "app:t", expr: ALERT_EXPR, for: "5m" },
      /for is only allowed on an alert/,
    ],
    [
      "a for that is no duration",
      { alert: "X", expr: ALERT_EXPR, for: "five minutes" },
      /for must be a duration such as 5m, got "five minutes"/,
    ],
    [
      "a label name that is not one",
      { alert: "X", expr: ALERT_EXPR, labels: { "team-name": "a" } },
      /labels has an invalid name "team-name"/,
    ],
    [
      "a label value that is not text",
      { alert: "X", expr: ALERT_EXPR, labels: { team: { a: 1 } } },
      /labels\.team must be text/,
    ],
    [
      "an unknown field",
      { alert: "X", expr: ALERT_EXPR, severity: "page" },
      /has unknown field severity \(allowed: record, alert, expr/,
    ],
    ["no expression", { alert: "X" }, /expr must be a LogQL expression/],
  ])("%s is refused, naming file, group and rule", (_what, rule, message) => {
    const problems = oneRule(rule);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^${FILE}: group "orders".*${message.source}`)),
    ]);
  });

  test("group names must be set and unique in the file", () => {
    const rules = [{ alert: "X", expr: ALERT_EXPR }];
    expect(problemsOf([{ name: "a", rules }, { name: "a", rules }, { rules }])).toEqual([
      `${FILE}: group "a": the name is repeated in the file (group names are unique per file)`,
      `${FILE}: group groups[2]: name must be a non-empty text`,
    ]);
  });

  test("a file that is not a rule file names what is wrong", () => {
    expect(lokiRuleFileProblems(FILE, "groups: [")).toEqual([
      expect.stringMatching(/^team\.logs\.yml: not valid YAML/),
    ]);
    expect(lokiRuleFileProblems(FILE, "rules: []")).toEqual([
      `${FILE}: has unknown field rules (allowed: groups)`,
      `${FILE}: groups must be a list`,
    ]);
    expect(problemsOf([{ name: "g", rules: "none" }])).toEqual([`${FILE}: group "g": rules must be a list`]);
  });
});
