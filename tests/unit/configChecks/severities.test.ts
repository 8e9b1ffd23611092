// One rule for the severity of every alert a team brings (config/alerting/severities.ts): what each input
// makes of a routed severity, a typo of one, a team's word and any other, under the default
// alerting.otherSeverities and under refuse; the routes teams add; and where the real amtool routes
// what no route reads.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { alertmanagerConfig } from "../../../components/metrics/alertmanagerConfig";
import { parseStackConfig } from "../../../config/load";
import { severityOutcomes } from "../../../scripts/docs/severityTable";
import { tools } from "../../kit/tools";
import { sectionProblems } from "../../support/configProblems";
import { EVERY_WINDOW_RETENTION } from "../../../config/metrics/evaluatorReach";

const run = promisify(execFile);

const ROUTES = "the routes read critical, warning (the platform's)";

test("each input: critical routed, critcal refused as a typo; page and home refused with nothing to say whether they page, to warning under warning, refused under refuse; OpenSLO's to its notification target, Sloth's page to critical", () => {
  const refusedTypo = {
    refused: expect.stringContaining(
      `is not a severity any route reads: did you mean critical? The ${ROUTES.slice(4)}`,
    ),
  };
  const refusedUnrouted = {
    refused: expect.stringContaining(
      `is not a severity any route reads, and alerting.otherSeverities is refuse: ${ROUTES}`,
    ),
  };
  const refusedUnsaid = {
    refused: expect.stringContaining(
      "is not a severity any route reads, and nothing says whether the alert should page: add a route to alerting.routes that matches it, or set alerting.otherSeverities to warning",
    ),
  };
  const to = (accepted: string, receiver: string) => ({ accepted, receiver });
  const table = severityOutcomes().map(({ input, severity, byDefault, underWarning, underRefuse }) => [
    input,
    severity,
    byDefault,
    underWarning,
    underRefuse,
  ]);
  const critical = to("critical", "critical");
  const unsaid = (input: string) => [
    [input, "critical", critical, critical, critical],
    [input, "critcal", refusedTypo, refusedTypo, refusedTypo],
    [input, "page", refusedUnsaid, to("page", "warning"), refusedUnrouted],
    [input, "home", refusedUnsaid, to("home", "warning"), refusedUnrouted],
  ];
  const openSlo = "OpenSLO `AlertCondition` `severity` (notifying `critical`)";
  const sloth = "Sloth `page_alert.labels.severity`";
  expect(table).toEqual([
    ...unsaid("team rule file (`labels.severity`)"),
    ...unsaid("`metrics.slos[].alerts[].severity`"),
    [openSlo, "critical", critical, critical, critical],
    [openSlo, "critcal", refusedTypo, refusedTypo, refusedTypo],
    [openSlo, "page", critical, critical, critical],
    [openSlo, "home", to("home", "critical"), to("home", "critical"), refusedUnrouted],
    [sloth, "critical", critical, critical, critical],
    [sloth, "critcal", refusedTypo, refusedTypo, refusedTypo],
    [sloth, "page", to("page", "critical"), to("page", "critical"), refusedUnrouted],
    [sloth, "home", to("home", "critical"), to("home", "critical"), refusedUnrouted],
  ]);
});

/** A team rule file of one alert with `labels`. */
const teamRules = (labels: Record<string, string>) => ({
  name: "team.rules.yml",
  content: yaml.dump({
    groups: [{ name: "team", rules: [{ alert: "TeamAlert", expr: "up == 0", labels }] }],
  }),
});
const withRoutes = (matchers: string[], otherSeverities = "warning", labels: Record<string, string>) => ({
  alerting: {
    ...(otherSeverities === "unset" ? {} : { otherSeverities }),
    receivers: [{ name: "pager", webhook: [{ url: "https://pager.example.com/hook" }] }],
    routes: [{ matchers: matchers.length === 0 ? ['team="payments"'] : matchers, receiver: "pager" }],
  },
  metrics: { extraRuleFiles: [teamRules(labels)] },
});

test.each([
  [
    "a team's own severity, with nothing to say whether it pages: refused, naming the key and both choices",
    [],
    "unset",
    { severity: "pageteam" },
    [
      `observability:metrics.extraRuleFiles[0] (team.rules.yml) alert TeamAlert's severity "pageteam" (groups[0].rules[0].labels.severity) is not a severity any route reads, and nothing says whether the alert should page: add a route to alerting.routes that matches it, or set alerting.otherSeverities to warning (the warning receiver takes every alert no route takes), critical (the critical receiver, which pages, takes them) or refuse; the routes read critical, warning (the platform's)`,
    ],
  ],
  [
    "no severity, with nothing to say whether it pages",
    [],
    "unset",
    { team: "payments" },
    [
      expect.stringContaining(
        "(groups[0].labels.severity) is missing, and nothing says whether the alert should page",
      ),
    ],
  ],
  [
    "a page Sloth generated, kept in a rule file: its sloth_severity says it pages",
    [],
    "unset",
    { severity: "pageteam", sloth_severity: "page" },
    [],
  ],
  [
    "Sloth's ticket in a rule file: its sloth_severity says it is a ticket",
    [],
    "unset",
    { severity: "slack", sloth_severity: "ticket" },
    [],
  ],
  [
    "a severity a team's route names, otherSeverities unset",
    ['severity="page"'],
    "unset",
    { severity: "page" },
    [],
  ],
  ["that severity set explicitly to warning's receiver", [], "warning", { severity: "pageteam" }, []],
  ["a severity a team's route names", ['severity="page"'], "refuse", { severity: "page" }, []],
  ["one of a team route's alternatives", ['severity=~"sev1|sev2"'], "refuse", { severity: "sev2" }, []],
  [
    "a typo of a team route's severity",
    ['severity="page"'],
    "warning",
    { severity: "pgae" },
    [
      `observability:metrics.extraRuleFiles[0] (team.rules.yml) alert TeamAlert's severity "pgae" (groups[0].rules[0].labels.severity) is not a severity any route reads: did you mean page? The routes read critical, warning (the platform's), page (alerting.routes)`,
    ],
  ],
  [
    "another case of a routed severity, a typo",
    [],
    "warning",
    { severity: "Critical" },
    [expect.stringContaining("did you mean critical?")],
  ],
  [
    "a level a number apart from a routed one, no typo",
    ['severity=~"sev1|sev2"'],
    "warning",
    { severity: "sev3" },
    [],
  ],
  [
    "that level under refuse, the routes named",
    ['severity=~"sev1|sev2"'],
    "refuse",
    { severity: "sev3" },
    [
      `observability:metrics.extraRuleFiles[0] (team.rules.yml) alert TeamAlert's severity "sev3" (groups[0].rules[0].labels.severity) is not a severity any route reads, and alerting.otherSeverities is refuse: the routes read critical, warning (the platform's), sev1, sev2, ~sev1|sev2 (alerting.routes). Give one of those, or add a route to alerting.routes that matches it`,
    ],
  ],
  ["a templated severity, known when the rule fires", [], "refuse", { severity: "{{ $labels.level }}" }, []],
  [
    "no severity under refuse",
    [],
    "refuse",
    { team: "payments" },
    [
      expect.stringContaining(
        "alert TeamAlert's severity (groups[0].labels.severity) is missing, and alerting.otherSeverities is refuse",
      ),
    ],
  ],
  [
    "a route that only excludes a severity names none",
    ['severity!="info"'],
    "warning",
    { severity: "critcal" },
    [expect.stringContaining("did you mean critical?")],
  ],
])("%s", (_, matchers, otherSeverities, labels, problems) => {
  const raw = withRoutes(matchers, otherSeverities, labels);
  // The receiver's webhook URL is a credential: the section is set with --secret.
  expect(
    problems.length === 0
      ? (parseStackConfig(raw, new Set(["alerting"])), [])
      : sectionProblems(raw, ["alerting"]),
  ).toEqual(problems);
});

test("a Sloth page and ticket may share a severity, as Sloth allows: its sloth_severity label keeps them two alerts", () => {
  const spec = yaml.dump({
    version: "prometheus/v1",
    service: "login",
    slos: [
      {
        name: "errors",
        objective: 99.9,
        sli: { raw: { error_ratio_query: "avg_over_time(login:error_ratio[{{.window}}])" } },
        alerting: {
          name: "LoginHighErrorRate",
          page_alert: { labels: { severity: "critical" } },
          ticket_alert: { labels: { severity: "critical" } },
        },
      },
    ],
  });
  const [slo] = parseStackConfig(
    {
      metrics: { retentionTime: EVERY_WINDOW_RETENTION, slothFiles: [{ name: "login.yml", content: spec }] },
    },
    new Set(),
  ).metrics.slos;
  expect(slo.alerts?.map((a) => [a.name, a.severity, a.labels?.sloth_severity])).toEqual([
    ["LoginHighErrorRate", "critical", "page"],
    ["LoginHighErrorRate", "critical", "ticket"],
  ]);
});

describe("amtool routes what no route reads where alerting.otherSeverities says", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "severities-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ["warning", "warning"],
    ["critical", "critical"],
    ["refuse", "default"],
  ])(
    "otherSeverities %s: an alert of severity page, and one without a severity, go to %s",
    async (other, receiver) => {
      const { alerting, metrics } = parseStackConfig({ alerting: { otherSeverities: other } }, new Set());
      const file = path.join(dir, `${other}.yml`);
      fs.writeFileSync(file, yaml.dump(alertmanagerConfig(alerting, metrics.slos)));
      for (const labels of [["severity=page", "alertname=TeamPage"], ["alertname=Unlabelled"]]) {
        const { stdout } = await run(tools.amtool(), [
          "config",
          "routes",
          "test",
          `--config.file=${file}`,
          ...labels,
        ]);
        expect([labels, stdout.trim()]).toEqual([labels, receiver]);
      }
    },
  );
});
