// The indicator forms and budgeting methods OpenSLO and Sloth bring, under the real promtool: each
// SLO's error ratio and remaining budget after two steady hours are what a hand calculation gives,
// and an SLO's own alert fires at its own burn rate and window.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { configuredSloRules } from "../../components/metrics/configuredSlos";
import { parseStackConfig } from "../../config/load";
import { tools } from "../kit/tools";

const run = promisify(execFile);

const base = { service: "checkout", objective: 0.99, window: "28d" };

/** SLOs of every form, each with the series (shared by the SLOs after it that give none) that make its error ratio the value given. */
const CASES = [
  {
    slo: {
      name: "window-queries",
      indicator: {
        kind: "ratio",
        errors: 'sum(rate(payments_total{outcome="failed"}[{{.window}}]))',
        total: "sum(rate(payments_total[{{.window}}]))",
      },
    },
    series: { 'payments_total{outcome="failed"}': "0+4x120", 'payments_total{outcome="ok"}': "0+996x120" },
    errorRatio: [{ labels: {}, value: 0.004 }],
  },
  {
    slo: {
      name: "sampled-rates",
      indicator: {
        kind: "ratio",
        good: 'sum(rate(wait_seconds_bucket{le="30.0"}[5m]))',
        total: 'sum(rate(wait_seconds_bucket{le="+Inf"}[5m]))',
      },
    },
    series: { 'wait_seconds_bucket{le="30.0"}': "0+98x120", 'wait_seconds_bucket{le="+Inf"}': "0+100x120" },
    errorRatio: [{ labels: {}, value: 0.02 }],
  },
  {
    slo: {
      name: "counter-sums-by-route",
      indicator: {
        kind: "ratio",
        errors: 'sum by (route) (requests_total{code="500"})',
        total: "sum by (route) (requests_total)",
      },
    },
    series: {
      'requests_total{route="/pay", code="500"}': "0+1x120",
      'requests_total{route="/pay", code="200"}': "0+99x120",
      'requests_total{route="/search", code="200"}': "0+50x120",
    },
    errorRatio: [
      { labels: { route: "/pay" }, value: 0.01 },
      { labels: { route: "/search" }, value: 0 },
    ],
  },
  {
    slo: {
      name: "raw-window",
      indicator: { kind: "raw", errorRatio: "1 - avg_over_time(satisfaction_ratio[{{.window}}])" },
    },
    series: { satisfaction_ratio: "0.97x120" },
    errorRatio: [{ labels: {}, value: 0.03 }],
  },
  {
    slo: { name: "raw-sampled", indicator: { kind: "raw", successRatio: "avg(uptime_ratio)" } },
    series: { uptime_ratio: "0.96x120" },
    errorRatio: [{ labels: {}, value: 0.04 }],
  },
  {
    // At the bound: kept by atMost, broken by below.
    slo: { name: "at-most", indicator: { kind: "threshold", expr: "max(queue_depth)", atMost: 30 } },
    series: { queue_depth: "30x120" },
    errorRatio: [{ labels: {}, value: 0 }],
  },
  {
    slo: { name: "below", indicator: { kind: "threshold", expr: "max(queue_depth)", below: 30 } },
    series: {},
    errorRatio: [{ labels: {}, value: 1 }],
  },
  {
    // Every other minute broken: each 2-minute slice is half good, good enough at 0.5, not at 0.75.
    slo: {
      name: "slices-half-good",
      indicator: { kind: "threshold", expr: "max(flapping_depth)", below: 30 },
      budgeting: { method: "timeslices", sliceWindow: "2m", sliceTarget: 0.5 },
    },
    series: { flapping_depth: `_ ${"10 40 ".repeat(60).trim()}` },
    errorRatio: [{ labels: {}, value: 0 }],
  },
  {
    slo: {
      name: "slices-three-quarters",
      indicator: { kind: "threshold", expr: "max(flapping_depth)", below: 30 },
      budgeting: { method: "timeslices", sliceWindow: "2m", sliceTarget: 0.75 },
    },
    series: {},
    errorRatio: [{ labels: {}, value: 1 }],
  },
  {
    // Each 5-minute slice's ratio is 0.02; their average is too.
    slo: {
      name: "ratio-slices",
      indicator: { kind: "ratio", errors: 'refunds_total{outcome="failed"}', total: "refunds_total" },
      budgeting: { method: "ratioTimeslices", sliceWindow: "5m" },
    },
    series: { 'refunds_total{outcome="failed"}': "0+2x120", 'refunds_total{outcome="ok"}': "0+98x120" },
    errorRatio: [{ labels: {}, value: 0.02 }],
  },
] as const;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slo-forms-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * The SLOs as the config takes them, their rules written to `file` without annotations (the cases
 * assert labels); the groups' names in order.
 */
function writeRules(file: string, slos: readonly object[]): string[] {
  // Prometheus keeps the 28 days the windows read.
  const config = parseStackConfig(
    { metrics: { retentionTime: "28d", slos: slos.map((s) => ({ ...base, ...s })) } },
    new Set(),
  );
  const groups = configuredSloRules(config.metrics.slos, "https://runbooks.example.com/observability");
  const withoutAnnotations = groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: undefined } : r)),
  }));
  fs.writeFileSync(path.join(dir, file), yaml.dump({ groups: withoutAnnotations }, { skipInvalid: true }));
  return groups.map((g) => g.name);
}

/** Labels as promtool's expectations write them: `{route="/pay", service="checkout", slo="x"}`. */
const labelText = (labels: Readonly<Record<string, string>>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;

async function promtool(args: string[]): Promise<string> {
  const result = await run(tools.promtool(), args, { cwd: dir }).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
  return `${result.stdout}${result.stderr}`;
}

test("promtool check rules accepts the rules of every form side by side", async () => {
  writeRules(
    "forms.yml",
    CASES.map((c) => c.slo),
  );
  expect(await promtool(["check", "rules", "forms.yml"])).toContain("SUCCESS");
});

test("each form's error ratio over an hour and remaining budget are the hand-computed values", async () => {
  const groups = writeRules(
    "forms.yml",
    CASES.map((c) => c.slo),
  );
  const round = (expr: string) => `round(${expr}, 0.0001)`;
  // One test of every SLO's series at once: promtool evaluates every rule of the file in each test.
  const test = {
    rule_files: ["forms.yml"],
    evaluation_interval: "1m",
    group_eval_order: groups,
    tests: [
      {
        interval: "1m",
        input_series: CASES.flatMap((c) =>
          Object.entries(c.series).map(([series, values]) => ({ series, values })),
        ),
        promql_expr_test: CASES.flatMap((c) => {
          const labels = (own: Readonly<Record<string, string>>) =>
            labelText({ ...own, slo: c.slo.name, service: "checkout" });
          return [
            {
              expr: round(`slo:sli_error:ratio_rate1h{slo="${c.slo.name}"}`),
              eval_time: "120m",
              exp_samples: c.errorRatio.map((s) => ({ labels: labels(s.labels), value: s.value })),
            },
            {
              expr: round(`slo:error_budget_remaining:ratio{slo="${c.slo.name}"}`),
              eval_time: "120m",
              exp_samples: c.errorRatio.map((s) => ({
                labels: labels(s.labels),
                value: +(1 - s.value / 0.01).toFixed(4),
              })),
            },
          ];
        }),
      },
    ],
  };
  fs.writeFileSync(path.join(dir, "forms.test.yml"), yaml.dump(test));
  const output = await promtool(["test", "rules", "forms.test.yml"]);
  expect(output).not.toContain("FAILED");
  expect(output).toContain("SUCCESS");
}, 120000);

test("an SLO's own alert fires at its own burn rate over its own window, after its own wait", async () => {
  // 2 % failed of a 1 % budget: 2x over 10 minutes, for 3 minutes; 3x would not fire.
  const alert = (name: string, burnRate: number) => ({
    name,
    severity: "critical",
    when: [{ burnRate, window: "10m" }],
    for: "3m",
  });
  writeRules("alerts.yml", [
    {
      name: "own-alerts",
      indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
      alerts: [alert("TwiceTheBudget", 1.9), alert("ThriceTheBudget", 3)],
    },
  ]);
  const at = (minutes: number, name: string, fires: boolean) => ({
    eval_time: `${minutes}m`,
    alertname: name,
    exp_alerts: fires
      ? [{ exp_labels: { slo: "own-alerts", service: "checkout", severity: "critical" } }]
      : [],
  });
  fs.writeFileSync(
    path.join(dir, "alerts.test.yml"),
    yaml.dump({
      rule_files: ["alerts.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          // Healthy for 30 minutes, then 2 % failed.
          input_series: [
            { series: 'payments_total{outcome="failed"}', values: "0x30 2+2x60" },
            { series: 'payments_total{outcome="ok"}', values: "0+100x30 3098+98x60" },
          ],
          alert_rule_test: [
            at(38, "TwiceTheBudget", false),
            at(45, "TwiceTheBudget", true),
            at(45, "ThriceTheBudget", false),
          ],
        },
      ],
    }),
  );
  const output = await promtool(["test", "rules", "alerts.test.yml"]);
  expect(output).not.toContain("FAILED");
  expect(output).toContain("SUCCESS");
}, 120000);
