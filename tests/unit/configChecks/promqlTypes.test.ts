// The config's PromQL check (config/promql/queryGrammar.ts, config/promql/types.ts) beside the real promtool
// of the deployed Prometheus: every expression of both renders (rules and dashboards, the committed
// stacks and the extended one) and of the SLO fixtures' rules is accepted by both, and every
// expression of the list below, which promtool refuses for arity, types, matchers, modifiers or
// what the server has not enabled, is refused by both, the config with one of promtool's messages.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { configuredSloRules } from "../../../components/metrics/configuredSlos";
import { ConfigError, StackConfig } from "../../../config";
import { parseStackConfig } from "../../../config/load";
import { queryParseProblem } from "../../../config/promql/queryGrammar";
import { STACKS } from "../../kit/stacks";
import { evaluatedRuleFiles } from "../../kit/rendered";
import { tools } from "../../kit/tools";
import { dashboardExprs } from "../../support/dashboards";
import { renderedExtended } from "../../support/extendedStack";
import { rendered } from "../../support/renderedStacks";

const run = promisify(execFile);

/** Expressions Prometheus' parser refuses though they are grammatical (or near it), by what is wrong. */
const REFUSED: Readonly<Record<string, readonly string[]>> = {
  "function arity": [
    "rate()",
    "rate(x_total[5m], 1)",
    "histogram_quantile(0.9)",
    "histogram_quantile(0.9, rate(x_bucket[5m]), 3)",
    'label_replace(up, "a", "b", "c")',
    "clamp(up, 0)",
    "round(up, 1, 2)",
    "label_join(up)",
    "time(1)",
    "vector()",
  ],
  "aggregation arity": [
    "max(0, up)",
    "max(histogram_quantile(0.9, rate(x_bucket[5m])), 0)",
    'max(0, (sum(rate(x_total{code=~"5.."}[5m])) / sum(rate(x_total[5m])) > bool 1.5))',
    "sum(up, up)",
    "topk(up)",
    "quantile(up)",
    "count_values(up)",
    "sum()",
  ],
  "argument and operand types": [
    "rate(up)",
    "sum(up[5m])",
    "abs(up[5m])",
    "increase(sum(x_total))",
    "histogram_quantile(up, rate(x_bucket[5m]))",
    "topk(up, up)",
    "count_values(5, up)",
    'label_replace(up, 1, "b", "c", "d")',
    "scalar(up[5m])",
    "vector(up)",
    "absent_over_time(up)",
    "predict_linear(up[5m], up)",
    "quantile_over_time(up, up[5m])",
    "up[5m] + 1",
    '"a" + 1',
    "-up[5m]",
    "1 > 2",
    "1 or 2",
    "1 and up",
    "up + bool up",
    "up + on(a) group_left(a) up",
    "up and on(a) group_left up",
    "(up[5m])[10m:1m]",
  ],
  "ranges and modifiers": [
    "rate(a + b[5m])",
    "a * b[5m:1m]",
    "a / b[5m:1m] offset 1m > bool 0 * 1",
    "rate(x_total[5m])[10m]",
    "(up)[5m]",
    "sum(up) offset 5m",
    "sum(up) @ 100",
    "up offset 5m offset 1m",
    "up[5m] offset 1m offset 2m",
    "up @ 100 @ 200",
  ],
  "label matchers": [
    "{}",
    '{job=""}',
    '{job=~".*"}',
    '{job!~".+"}',
    'up{__name__="up"}',
    'up{job=~"(?=x)"}',
    'up{job=~"["}',
  ],
  "what Prometheus 3.5 has not enabled or has not": [
    'sort_by_label(up, "job")',
    "limitk(2, up)",
    "mad_over_time(up[5m])",
    "double_exponential_smoothing(up[5m], 0.5, 0.5)",
    "first_over_time(up[5m])",
    "rate(x_total[5m * 2])",
  ],
};

/**
 * Expressions whose modifiers the editor's grammar binds to a whole operation and Prometheus to the
 * operand before them, beside those of the renders.
 */
const MODIFIED_OPERANDS = [
  "a - a offset 1d",
  "a + b @ 100",
  "a unless b offset 10m @ 100",
  "-a offset 5m",
  "rate(a[5m] offset 1m @ 100)",
  "a / b offset 1m > bool 0 * 1",
];

/** Dashboards' variables as Grafana fills them in before a query reaches Prometheus. */
const filled = (expr: string) =>
  expr
    .replaceAll("$__rate_interval", "5m")
    .replaceAll("$__auto", "1m")
    .replaceAll("$service", "ticket-service");

const exprsOf = (texts: readonly string[]): string[] =>
  texts.flatMap((text) =>
    (yaml.load(text) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) =>
      g.rules.map((r) => r.expr),
    ),
  );

/** The SLOs an SLO fixture file translates to (none when it is refused). */
function fixtureSlos(key: "slothFiles" | "openSloFiles", file: string): StackConfig["metrics"]["slos"] {
  try {
    // Kept long enough for any fixture's window (a calendar quarter's 92 days): only the expressions matter here.
    return parseStackConfig({ metrics: { retentionTime: "92d", [key]: [file] } }, new Set()).metrics.slos;
  } catch (error) {
    if (error instanceof ConfigError) return [];
    throw error;
  }
}

const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.relative(process.cwd(), path.join(entry.parentPath, entry.name)));

/** Every PromQL expression of both renders and of the fixtures' rules. */
async function acceptedExpressions(): Promise<{ source: string; exprs: string[] }[]> {
  const sources: { source: string; exprs: string[] }[] = [];
  for (const stack of STACKS) {
    for (const [name, render] of [
      [stack, rendered],
      [`extended ${stack}`, renderedExtended],
    ] as const) {
      const { objects } = await render(stack);
      sources.push({
        source: `${name} rules`,
        exprs: exprsOf(evaluatedRuleFiles(objects).map((f) => f.content)),
      });
      sources.push({
        source: `${name} dashboards`,
        exprs: dashboardExprs(objects, "prometheus").map(filled),
      });
    }
  }
  const slos = [
    ...filesUnder("tests/unit/slo/sloth").flatMap((f) => fixtureSlos("slothFiles", f)),
    ...filesUnder("tests/unit/slo/openslo").flatMap((f) => fixtureSlos("openSloFiles", f)),
    ...filesUnder("tests/unit/extend/slos").flatMap((f) =>
      fixtureSlos(f.endsWith(".openslo.yaml") ? "openSloFiles" : "slothFiles", f),
    ),
  ];
  sources.push({
    source: "SLO fixtures' rules",
    exprs: configuredSloRules(slos, "https://runbooks.example.com").flatMap((g) =>
      g.rules.map((r) => r.expr),
    ),
  });
  sources.push({ source: "modified operands", exprs: MODIFIED_OPERANDS });
  return sources.map(({ source, exprs }) => ({ source, exprs: [...new Set(exprs)] }));
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "promql-types-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** promtool's problems with each expression (none for one it accepts), from one check of a file holding them all. */
async function promtoolProblems(exprs: readonly string[]): Promise<string[][]> {
  const file = path.join(dir, `rules-${exprs.length}.yml`);
  fs.writeFileSync(
    file,
    yaml.dump({
      groups: [{ name: "exprs", rules: exprs.map((expr, i) => ({ record: `expr_${i}`, expr })) }],
    }),
  );
  const output = await run(tools.promtool(), ["check", "rules", file]).then(
    ({ stdout, stderr }) => stdout + stderr,
    (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
  );
  return exprs.map((_, i) =>
    [...output.matchAll(new RegExp(`rule ${i + 1}, "expr_${i}": .*parse error: (.*)$`, "gm"))].map(
      (m) => m[1],
    ),
  );
}

test("promtool and the config accept every expression of both renders and of the fixtures' rules", async () => {
  const sources = await acceptedExpressions();
  const exprs = [...new Set(sources.flatMap((s) => s.exprs))];
  const promtool = await promtoolProblems(exprs);
  const disagreements = exprs.flatMap((expr, i) => {
    const config = queryParseProblem("PromQL", expr);
    return promtool[i].length === 0 && config === undefined ? [] : [{ expr, promtool: promtool[i], config }];
  });
  process.stdout.write(
    `accepted by promtool and the config: ${exprs.length - disagreements.length} of ${exprs.length} (${sources.map((s) => `${s.source} ${s.exprs.length}`).join(", ")})\n`,
  );
  for (const { source, exprs: some } of sources) {
    expect({ source, some: some.length > 0 }).toEqual({ source, some: true });
  }
  expect(disagreements).toEqual([]);
});

const refused = Object.entries(REFUSED).flatMap(([kind, exprs]) => exprs.map((expr) => ({ kind, expr })));

test(`promtool and the config refuse each of ${refused.length} expressions, the config with promtool's message`, async () => {
  const promtool = await promtoolProblems(refused.map((r) => r.expr));
  const verdicts = refused.map(({ kind, expr }, i) => {
    const config = queryParseProblem("PromQL", expr);
    // A regex's problem is Go's regexp error, which promtool prints after "error parsing regexp: ".
    const said = promtool[i].some(
      (message) => config?.endsWith(`: ${message.replace(/^error parsing regexp: /, "")}`) === true,
    );
    return { kind, expr, promtoolRefuses: promtool[i].length > 0, configSaysWhatPromtoolSays: said };
  });
  process.stdout.write(
    `refused by promtool and by the config with its message: ${verdicts.filter((v) => v.promtoolRefuses && v.configSaysWhatPromtoolSays).length} of ${refused.length}\n`,
  );
  expect(verdicts).toEqual(
    refused.map(({ kind, expr }) => ({
      kind,
      expr,
      promtoolRefuses: true,
      configSaysWhatPromtoolSays: true,
    })),
  );
});

test("a problem past the part of a long expression an editor parses first is found", () => {
  const long = `${Array(120).fill('sum(rate(abc_total{a="b"}[5m]))').join(" + ")} + rate(up)`;
  expect(long.length).toBeGreaterThan(3000);
  expect(queryParseProblem("PromQL", long)).toBe(
    `does not parse as PromQL at 1:${long.length - 2}: expected type range vector in call to function "rate", got instant vector`,
  );
});
