// Every OpenSLO file the project holds (others' files in tests/unit/slo/openslo/corpus/, each naming its
// source; the fixtures beside them; the examples' and the extension stack's) read by OpenSLO's own
// validator, oslo v0.13.0, by Sloth v0.16.0 and by the stack (metrics.openSloFiles, with an
// Alertmanager receiver of each notification target's name, as the stack's message asks). Every
// file oslo refuses, the stack refuses; every file oslo accepts, the stack takes, but where each of
// its problems is one of EXPLAINED; and every SLO both take has the document's objective and window,
// and over each of the engine's windows the SLI the document means: its queries read as OpenSLO
// reads them, evaluated by promtool beside the engine's rules on the same series.
// OSLO_CORPUS_RECORD=1 writes the table to docs/measured/oslo-corpus.md.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { configuredSloRules } from "../../components/metrics/configuredSlos";
import { BURN_WINDOWS } from "../../components/metrics/sloEngine";
import { ConfigError, StackConfig } from "../../config";
import { DAY_MS, durationMs } from "../../config/durations";
import { parseStackConfig } from "../../config/load";
import { SAMPLE_WINDOW, atWindow, sliQueryForm, takesWindow } from "../../config/slo/sliQueries";
import { isCalendar } from "../../config/slo/calendarWindows";
import { PROJECT_ROOT } from "../../render/renderStack";
import { formatted } from "../../scripts/docs/generated";
import { batchToolEnvironment, tools } from "../kit/tools";
import { promtoolGot } from "../support/promtoolGot";
import { MINUTES, seriesOf, values } from "../support/sliSeries";
import { EVERY_WINDOW_RETENTION } from "../../config/metrics/evaluatorReach";
import { agree, engineRatio } from "../support/hourChunks";

const run = promisify(execFile);

/** The OpenSLO files under these folders: every YAML file that holds an OpenSLO apiVersion. */
const FOLDERS = ["tests/unit/slo/openslo", "tests/unit/extend", "examples"];
const FILES = FOLDERS.flatMap((folder) =>
  fs
    .readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((f) => !f.includes("node_modules") && /\.ya?ml$/.test(f))
    .map((f) => path.join(folder, f))
    .filter((f) => /apiVersion: openslo/.test(fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8"))),
).sort();

/** Where oslo accepts a document and the stack refuses it: each problem the stack may give, and why. */
const EXPLAINED: readonly { readonly problem: RegExp; readonly reason: string }[] = [
  {
    problem: /must be Prometheus \(any case\), not /,
    reason: "another metric source: the stack evaluates SLOs in its own Prometheus, and names the source",
  },
  {
    problem: /must be 1w, 1M or 1Q with a calendar/,
    reason:
      "a calendar period the stack does not count (a year, two weeks): it counts weeks, months and quarters",
  },
  {
    problem: /names no \w+ document/,
    reason:
      "a reference to a document the file does not hold: oslo checks each document alone, the stack resolves every reference to build the rules",
  },
  {
    problem: /timeWindow\[0\]\.duration must be between 7d and 90d/,
    reason:
      "a compliance window outside 7d to 90d: longer than the default ticket's 3 days, at most the 90 days of samples one query may read",
  },
  {
    problem: /condition\.op must be gt or gte/,
    reason:
      "a burn-rate condition with lt or lte, valid OpenSLO, fires while the budget burns slowly, nearly always; the stack refuses it as a mistake",
  },
];

type Slo = StackConfig["metrics"]["slos"][number];
type Doc = Record<string, any>;

interface Read {
  readonly oslo: { valid: true } | { refused: string };
  readonly sloth: { takes: true } | { refused: string };
  readonly receivers: readonly string[];
  readonly stack: { slos: readonly Slo[] } | { refused: readonly string[] };
}

const documentsOf = (file: string): Doc[] =>
  yaml
    .loadAll(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"))
    .flat()
    .filter((d): d is Doc => d !== null && typeof d === "object");

/** The names the file's alert policies notify: every AlertNotificationTarget's and every targetRef. */
function notificationTargets(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => notificationTargets(v, found));
  } else if (value !== null && typeof value === "object") {
    const doc = value as Doc;
    if (doc.kind === "AlertNotificationTarget" && typeof doc.metadata?.name === "string") {
      found.add(doc.metadata.name);
    }
    if (typeof doc.targetRef === "string") found.add(doc.targetRef);
    Object.values(doc).forEach((v) => notificationTargets(v, found));
  }
  return found;
}

let dir: string;
const slack = [{ webhookUrl: "https://hooks.slack.com/services/T0/B0/X", channel: "#oncall" }];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "oslo-corpus-"));
});

/** How oslo, Sloth and the stack read one file of the corpus. */
async function readFile(file: string): Promise<Read> {
  const i = FILES.indexOf(file);
  const absolute = path.join(PROJECT_ROOT, file);
  const oslo = await run(tools.oslo(), ["validate", "-f", absolute]).then(
    () => ({ valid: true as const }),
    (error: { stderr: string }) => ({
      refused: error.stderr
        .split("\n")
        .map((l) => l.trim().replace(/^- /, ""))
        .filter((l) => l !== "" && !/^Errors in |^Error: Configuration is not valid!$/.test(l))
        .map((l) =>
          l
            .replace(`Error: failed to read objects from ${absolute}: `, "")
            .replace(/ \(e\.g\. [^)]*\); an RFC-1123 compliant label name must .*$/, ""),
        )
        .join(" "),
    }),
  );
  const sloth = await run(tools.sloth(), [
    "generate",
    "--no-log",
    "-i",
    absolute,
    "-o",
    path.join(dir, `${i}.yml`),
  ]).then(
    () => ({ takes: true as const }),
    (error: { stderr: string }) => ({ refused: error.stderr.trim().split("\n").pop() ?? "" }),
  );
  const receivers = [...notificationTargets(documentsOf(file))].sort();
  let stack: Read["stack"];
  try {
    stack = {
      slos: parseStackConfig(
        {
          alerting: { receivers: receivers.map((name) => ({ name, slack })) },
          metrics: { retentionTime: EVERY_WINDOW_RETENTION, openSloFiles: [file] },
        },
        new Set(["alerting"]),
      ).metrics.slos,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stack = {
      refused: error.problems.map((p) =>
        p.replace(/^observability:metrics\.openSloFiles\[0\] \([^)]*\) /, ""),
      ),
    };
  }
  return { oslo, sloth, receivers, stack };
}

/** Each file read once, by the first test that needs it: a slow read slows its own tests only. */
const reads = new Map<string, Promise<Read>>();
function readOf(file: string): Promise<Read> {
  let read = reads.get(file);
  if (read === undefined) {
    read = readFile(file);
    reads.set(file, read);
  }
  return read;
}
afterAll(() => (process.env.KEEP ? undefined : fs.rmSync(dir, { recursive: true, force: true })));

/** Why the stack refuses what oslo accepts, or the problems no reason of EXPLAINED covers. */
function explanation(problems: readonly string[]): { reasons: string[]; unexplained: string[] } {
  const reasons = new Set<string>();
  const unexplained: string[] = [];
  for (const problem of problems) {
    const known = EXPLAINED.find((e) => e.problem.test(problem));
    if (known === undefined) unexplained.push(problem);
    else reasons.add(known.reason);
  }
  return { reasons: [...reasons], unexplained };
}

const rows: string[] = [];
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

test.each(FILES)(
  "%s: refused where oslo refuses it, taken where oslo accepts it but for the reasons explained",
  async (file) => {
    const { oslo, sloth, receivers, stack } = await readOf(file);
    const problems = "refused" in stack ? stack.refused : [];
    let agreement: string;
    if ("refused" in oslo) {
      expect({ file, stack: problems.length > 0 ? "refuses" : "takes" }).toEqual({ file, stack: "refuses" });
      agreement = "agree: both refuse";
    } else {
      const { reasons, unexplained } = explanation(problems);
      expect({ file, unexplained }).toEqual({ file, unexplained: [] });
      agreement =
        reasons.length === 0
          ? `agree: both take${receivers.length > 0 ? ` (with receivers ${receivers.join(", ")}, as the stack asks)` : ""}`
          : `explained: ${reasons.join("; ")}`;
    }
    // Sloth reads OpenSLO's v1alpha only, and every file here is v1 (or osko's resource): no judge of them.
    expect({ file, sloth: "takes" in sloth ? "takes" : sloth.refused }).toEqual({
      file,
      sloth: expect.stringContaining("invalid spec, could not load with any of the supported spec types"),
    });
    rows.push(
      `| ${file.replace("tests/unit/slo/openslo/", "")} | ${"refused" in oslo ? `refuses: ${cell(oslo.refused)}` : "valid"} | ${"takes" in sloth ? "takes" : "refuses: not v1alpha"} | ${"refused" in stack ? `refuses: ${cell(stack.refused.join("; "))}` : stack.slos.length === 0 ? "takes (no SLO document)" : `takes: ${stack.slos.map((s) => s.name).join(", ")}`} | ${agreement} |`,
    );
  },
);

/** The days of an OpenSLO duration shorthand, as the OpenSLO Go SDK counts them (1M is 30 days). */
function shorthandDays(duration: string): number {
  const [, count, unit] = /^([0-9]+)([mhdwMQY])$/.exec(duration)!;
  const days = { m: 1 / 1440, h: 1 / 24, d: 1, w: 7, M: 30, Q: 90, Y: 365 }[unit]!;
  return Number(count) * days;
}

const queryOf = (metric: Doc): string => metric.metricSource.spec.query ?? metric.metricSource.spec.promql;

/** Whether a threshold's bound is broken at an evaluation, as 1 or 0: by its highest series against an upper bound, its lowest against a lower one. */
function broken(query: string, op: string, value: number): string {
  const q = atWindow(query, SAMPLE_WINDOW);
  return {
    lt: `max(${q}) >= bool ${value}`,
    lte: `max(${q}) > bool ${value}`,
    gt: `min(${q}) <= bool ${value}`,
    gte: `min(${q}) < bool ${value}`,
  }[op]!;
}

type Rule = { record: string; expr: string; labels: Record<string, string> };

/**
 * How often promtool evaluates both sides' rules over the three days: the engine's shortest window,
 * so that the longest windows read few enough samples to keep the file to minutes.
 */
const EVALUATION_INTERVAL = "5m";

/**
 * What an SLO document means, written from the document alone: the error of its SLI over a window,
 * and the expressions it samples at each evaluation (a query that is no counter's selector and says
 * nothing of its range, a threshold's bound), recorded as the rules that read them are.
 */
function meaning(slo: Doc, sli: Doc): { samples: Rule[]; error: (window: string) => string } {
  const name = slo.metadata.name as string;
  const samples: Rule[] = [];
  const sampled = (key: string, expr: string) => {
    samples.push({ record: `document:${key}:sample`, expr, labels: { slo: name } });
    return `document:${key}:sample{slo="${name}"}`;
  };
  /** Events over a window: a counter's increase, the query over the window, or each evaluation's value summed. */
  const events = (query: string, counter: boolean, key: string): ((window: string) => string) => {
    if (takesWindow(query)) return (w) => `(${atWindow(query, w)})`;
    const form = sliQueryForm(query);
    if (counter && form.form === "selector") return (w) => `sum(increase(${query.trim()}[${w}]))`;
    if (counter && form.form === "sum")
      return (w) => `sum ${form.grouping} (increase(${form.selector}[${w}]))`;
    const series = sampled(key, query);
    return (w) => `sum_over_time(${series}[${w}])`;
  };
  const [objective] = slo.spec.objectives;
  let occurrences: (window: string) => string;
  if (sli.thresholdMetric !== undefined) {
    const series = sampled("broken", broken(queryOf(sli.thresholdMetric), objective.op, objective.value));
    occurrences = (w) => `avg_over_time(${series}[${w}])`;
  } else if (sli.ratioMetric.raw !== undefined) {
    const q = queryOf(sli.ratioMetric.raw);
    const series = takesWindow(q) ? undefined : sampled("raw", q);
    const value = (w: string) =>
      series === undefined ? `(${atWindow(q, w)})` : `avg_over_time(${series}[${w}])`;
    occurrences = (w) => (sli.ratioMetric.rawType === "success" ? `1 - ${value(w)}` : value(w));
  } else {
    const ratio = sli.ratioMetric;
    const counter = ratio.counter !== false;
    const total = events(queryOf(ratio.total), counter, "total");
    const part =
      ratio.bad !== undefined
        ? events(queryOf(ratio.bad), counter, "bad")
        : events(queryOf(ratio.good), counter, "good");
    occurrences = (w) =>
      ratio.bad !== undefined ? `${part(w)} / ${total(w)}` : `1 - ${part(w)} / ${total(w)}`;
  }
  const method = slo.spec.budgetingMethod;
  if (method === "Occurrences") return { samples, error: occurrences };
  // The error of the slice that ends at each evaluation, recorded; a window reads the slices aligned
  // to the clock: the share of bad slices, or the slices' average error.
  const slice = String(objective.timeSliceWindow);
  const sliceError = sampled(
    "slice",
    method === "Timeslices"
      ? `${occurrences(slice)} > bool ${+(1 - objective.timeSliceTarget).toFixed(10)}`
      : `(${occurrences(slice)}) >= 0`,
  );
  return { samples, error: (w) => `avg_over_time(${sliceError}[${w}:${slice}])` };
}

const sourceQueries = (sli: Doc): string[] =>
  [
    sli.thresholdMetric,
    sli.ratioMetric?.good,
    sli.ratioMetric?.bad,
    sli.ratioMetric?.total,
    sli.ratioMetric?.raw,
  ]
    .filter((m) => m !== undefined)
    .map(queryOf);

describe.each(FILES)("%s, where oslo and the stack take it", (file) => {
  test("each SLO: the document's objective and window, and its SLI over every window of the engine", async () => {
    const { oslo, stack } = await readOf(file);
    if ("refused" in oslo || "refused" in stack) {
      return;
    }
    const documents = documentsOf(file);
    const slis = new Map(documents.filter((d) => d.kind === "SLI").map((d) => [d.metadata.name, d.spec]));
    const slos = documents.filter((d) => d.kind === "SLO");
    expect(stack.slos.map((s) => s.name).sort()).toEqual(slos.map((d) => d.metadata.name).sort());
    if (slos.length === 0) {
      return;
    }
    const meant = slos.map((slo) => {
      const sli = (slo.spec.indicator?.spec ?? slis.get(slo.spec.indicatorRef)) as Doc;
      return { slo, sli, meaning: meaning(slo, sli) };
    });
    for (const { slo } of meant) {
      const translated = stack.slos.find((s) => s.name === slo.metadata.name)!;
      const [objective] = slo.spec.objectives;
      const [window] = slo.spec.timeWindow;
      expect({
        slo: slo.metadata.name,
        objective: translated.objective,
        window: isCalendar(translated.window) ? translated.window : durationMs(translated.window) / DAY_MS,
      }).toEqual({
        slo: slo.metadata.name,
        objective: expect.closeTo(objective.target ?? objective.targetPercent / 100, 12),
        window:
          window.calendar === undefined
            ? shorthandDays(window.duration)
            : {
                calendar: { "1w": "week", "1M": "month", "1Q": "quarter" }[window.duration as string],
                timeZone: window.calendar.timeZone,
                startTime: window.calendar.startTime,
              },
      });
    }
    const labelled = (expr: string, slo: string, window: string, side: string) =>
      `label_replace(label_replace(label_replace(max(${expr}), "side", "${side}", "", ""), "window", "${window}", "", ""), "slo", "${slo}", "", "")`;
    // One expression each: together they would load more samples than one query may.
    const engine = configuredSloRules(stack.slos, "https://runbooks.example.com");
    const expressions = meant.flatMap(({ slo, meaning }) =>
      BURN_WINDOWS.flatMap((w) => [
        labelled(engineRatio(engine, slo.metadata.name, w).expr!, slo.metadata.name, w, "engine"),
        labelled(meaning.error(w), slo.metadata.name, w, "document"),
      ]),
    );
    const base = path.join(dir, path.basename(file));
    fs.writeFileSync(
      `${base}.rules.yml`,
      yaml.dump({
        groups: [...engine, { name: "document", rules: meant.flatMap(({ meaning }) => meaning.samples) }],
      }),
    );
    fs.writeFileSync(
      `${base}.test.yml`,
      yaml.dump({
        rule_files: [`${base}.rules.yml`],
        evaluation_interval: EVALUATION_INTERVAL,
        tests: [
          {
            interval: "1m",
            input_series: seriesOf(meant.flatMap(({ sli }) => sourceQueries(sli))).map((s, i) => ({
              series: s,
              values: values(i),
            })),
            promql_expr_test: expressions.map((expr) => ({
              expr,
              eval_time: `${MINUTES}m`,
              exp_samples: [],
            })),
          },
        ],
      }),
    );
    const output = await run(tools.promtool(), ["test", "rules", `${base}.test.yml`], {
      maxBuffer: 64 * 1024 * 1024,
      env: batchToolEnvironment(),
    }).then(
      ({ stdout, stderr }) => stdout + stderr,
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(output).not.toMatch(/err:/);
    const got = Object.fromEntries(
      output
        .split(/(?=^\s*got: )/m)
        .flatMap(promtoolGot)
        .map((g) => [`${g.labels.slo} ${g.labels.window} ${g.labels.side}`, g.value]),
    );
    for (const { slo } of meant) {
      for (const w of BURN_WINDOWS) {
        const ours = got[`${slo.metadata.name} ${w} engine`];
        const theirs = got[`${slo.metadata.name} ${w} document`];
        const comparable = theirs !== undefined && !Number.isNaN(theirs) && ours !== undefined;
        expect({
          slo: slo.metadata.name,
          window: w,
          engine: comparable ? agree(ours, theirs, engineRatio(engine, slo.metadata.name, w).chunked) : ours,
          document: theirs !== undefined,
        }).toEqual({
          slo: slo.metadata.name,
          window: w,
          engine: comparable ? true : theirs,
          document: true,
        });
      }
    }
  }, 120000);
});

/** A document oslo and the stack both take, and one change at a time that each refuses naming the same field. */
const VALID_SLO = `apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout }
spec:
  service: checkout
  indicator:
    metadata: { name: checkout-errors }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{code=~"5.."}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: http_requests_total } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
`;
const BURN_CONDITION = `apiVersion: openslo/v1
kind: AlertCondition
metadata: { name: fast-burn }
spec:
  severity: page
  condition: { kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h }
`;

test.each([
  ["a valid SLO", VALID_SLO, undefined],
  ["a valid burn-rate condition", BURN_CONDITION, undefined],
  [
    "op on a ratio objective",
    VALID_SLO.replace("{ target: 0.99 }", "{ target: 0.99, op: gt }"),
    "spec.objectives[0].op",
  ],
  ["no budgetingMethod", VALID_SLO.replace("  budgetingMethod: Occurrences\n", ""), "spec.budgetingMethod"],
  ["no timeWindow", VALID_SLO.replace(/ {2}timeWindow: .*\n/, ""), "spec.timeWindow"],
  ["a kind OpenSLO has not, SLOList", VALID_SLO.replace("kind: SLO", "kind: SLOList"), "SLOList"],
  [
    "a condition of kind burnRate",
    BURN_CONDITION.replace("kind: burnrate", "kind: burnRate"),
    "spec.condition.kind",
  ],
])("%s: oslo and the stack give the same verdict, naming the same field", async (what, content, field) => {
  const file = path.join(dir, `${what.replace(/\W+/g, "-")}.yaml`);
  fs.writeFileSync(file, content);
  const oslo = await run(tools.oslo(), ["validate", "-f", file]).then(
    () => "",
    (error: { stderr: string }) => error.stderr,
  );
  let stack = "";
  try {
    parseStackConfig(
      { metrics: { retentionTime: EVERY_WINDOW_RETENTION, openSloFiles: [{ name: "slo.yaml", content }] } },
      new Set(),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stack = error.problems.join("\n");
  }
  expect({ oslo: oslo !== "", stack: stack !== "" }).toEqual({
    oslo: field !== undefined,
    stack: field !== undefined,
  });
  if (field !== undefined) {
    expect(oslo).toContain(field);
    expect(stack).toContain(field);
  }
});

afterAll(async () => {
  if (process.env.OSLO_CORPUS_RECORD !== "1" || rows.length === 0) {
    return;
  }
  const all = await Promise.all(reads.values());
  const valid = all.filter((r) => "valid" in r.oslo).length;
  const bothTake = all.filter((r) => "valid" in r.oslo && "slos" in r.stack).length;
  const [page] = formatted([
    {
      path: path.join(PROJECT_ROOT, "docs", "measured", "oslo-corpus.md"),
      content: `# OpenSLO files beside oslo v0.13.0\n\nWritten by \`OSLO_CORPUS_RECORD=1 npx jest tests/servers/osloCorpus.test.ts\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC (do not edit by hand), on ${os.cpus().length} cores of ${os.cpus()[0]?.model ?? "an unknown processor"}.\n\nOf ${all.length} OpenSLO files (${FOLDERS.map((f) => `\`${f}/\``).join(", ")}), OpenSLO's validator \`oslo validate\` accepts ${valid}; the stack takes ${bothTake} of those, each SLO with the document's objective and window and its SLI over ${BURN_WINDOWS.join(", ")} (the engine's rules and the document's queries evaluated by promtool on the same series). It refuses every file oslo refuses, and the others oslo accepts each for a reason the last column gives. Sloth v0.16.0 reads OpenSLO v1alpha only, so it refuses them all. A file whose policies notify targets is read with an Alertmanager receiver of each target's name, as the stack's message asks.\n\n| file | oslo | Sloth | the stack | agreement |\n|---|---|---|---|---|\n${rows.sort().join("\n")}\n`,
    },
  ]);
  fs.writeFileSync(page.path, page.content);
});
