// Sloth specs written by others (tests/unit/slo/sloth/, each file naming its repository, path and commit)
// read by the real Sloth v0.16.0 and by the stack (metrics.slothFiles): every spec Sloth refuses is
// refused here too; every spec Sloth takes is taken here, unless it runs Sloth plugins (Go code the
// stack has no engine for, docs/extending.md); and every SLO both take has Sloth's objective, the
// same error ratio over each of Sloth's windows (both rule sets evaluated by promtool on the same
// series, whose rates change over the last three days so that each window has its own value; the
// engine's 3-day window is a sum of hourly chunks, tests/support/hourChunks.ts), and the same alerts: names,
// severities, windows and burn-rate factors.
// SLOTH_CORPUS_RECORD=1 writes the counts and the table to docs/measured/sloth-corpus.md.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { configuredSloRules } from "../../components/metrics/configuredSlos";
import { ConfigError, StackConfig } from "../../config";
import { parseStackConfig } from "../../config/load";
import { PROJECT_ROOT } from "../../render/renderStack";
import { formatted } from "../../scripts/docs/generated";
import { tools } from "../kit/tools";
import { promtoolGot } from "../support/promtoolGot";
import { MINUTES, seriesOf, values } from "../support/sliSeries";
import { EVERY_WINDOW_RETENTION } from "../../config/metrics/evaluatorReach";
import { CHUNKS_APART, agree, engineRatio, recorded } from "../support/hourChunks";

const run = promisify(execFile);

const CORPUS = path.join(PROJECT_ROOT, "tests/unit/slo/sloth");
const FILES = fs.readdirSync(CORPUS).sort();

/** The windows Sloth records each SLO's error ratio over, but its period's (read over 3 days of data). */
const WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

type Slo = StackConfig["metrics"]["slos"][number];
type Rule = { record?: string; alert?: string; expr: string; labels?: Record<string, string> };
type Group = { name: string; rules: Rule[] };

interface Read {
  readonly sloth: { groups: Group[] } | { refused: string };
  readonly stack: { slos: readonly Slo[] } | { refused: readonly string[] };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sloth-corpus-"));
});
afterAll(() => (process.env.KEEP ? undefined : fs.rmSync(dir, { recursive: true, force: true })));

/** Sloth's rule groups from one file (a Kubernetes resource's come as a PrometheusRule), or its error. */
async function slothRules(file: string): Promise<{ groups: Group[] } | { refused: string }> {
  const out = path.join(dir, `${file}.rules.yml`);
  try {
    await run(tools.sloth(), ["generate", "--no-log", "-i", path.join(CORPUS, file), "-o", out]);
  } catch (error) {
    return { refused: (error as { stderr: string }).stderr.trim().split("\n").pop() ?? "" };
  }
  const documents = yaml.loadAll(fs.readFileSync(out, "utf8")) as ({
    groups?: Group[];
    spec?: { groups: Group[] };
  } | null)[];
  return { groups: documents.flatMap((d) => d?.groups ?? d?.spec?.groups ?? []) };
}

function stackSlos(file: string): { slos: readonly Slo[] } | { refused: readonly string[] } {
  try {
    return {
      slos: parseStackConfig(
        {
          metrics: {
            retentionTime: EVERY_WINDOW_RETENTION,
            slothFiles: [path.join("tests/unit/slo/sloth", file)],
          },
        },
        new Set(),
      ).metrics.slos,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { refused: error.problems };
  }
}

const reads = new Map<string, Read>();
async function read(file: string): Promise<Read> {
  const known = reads.get(file);
  if (known !== undefined) return known;
  const result = { sloth: await slothRules(file), stack: stackSlos(file) };
  reads.set(file, result);
  return result;
}

const queriesOf = (slo: Slo): string[] => {
  const i = slo.indicator;
  return i.kind === "ratio"
    ? [i.errors ?? i.good ?? "", i.total]
    : i.kind === "raw"
      ? [i.errorRatio ?? i.successRatio ?? ""]
      : [];
};

const RUNBOOKS = "https://runbooks.example.com";

/**
 * Each SLO's error ratio over each window by Sloth's rules and by the engine's: the expressions each
 * records, evaluated by promtool on the same series at the end of three days.
 */
async function ratios(
  file: string,
  groups: Group[],
  engine: readonly Group[],
  slos: readonly Slo[],
): Promise<Record<string, number>> {
  const series = seriesOf(slos.flatMap(queriesOf));
  const expr = slos
    .flatMap((slo) =>
      WINDOWS.flatMap((w) =>
        [
          ["sloth", recorded(groups, `slo:sli_error:ratio_rate${w}`, { sloth_id: slo.name })],
          ["engine", engineRatio(engine, slo.name, w).expr],
        ].map(
          ([tool, ratio]) =>
            `label_replace(label_replace(label_replace(max(${ratio}), "tool", "${tool}", "", ""), "window", "${w}", "", ""), "slo", "${slo.name}", "", "")`,
        ),
      ),
    )
    .join(" or ");
  const test = path.join(dir, `${file}.test.yml`);
  fs.writeFileSync(
    test,
    yaml.dump({
      tests: [
        {
          interval: "1m",
          input_series: series.map((s, i) => ({ series: s, values: values(i) })),
          promql_expr_test: [{ expr, eval_time: `${MINUTES}m`, exp_samples: [] }],
        },
      ],
    }),
  );
  const output = await run(tools.promtool(), ["test", "rules", test], { maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => stdout + stderr,
    (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
  );
  expect(output).not.toMatch(/err:/);
  return Object.fromEntries(
    promtoolGot(output).map((g) => [`${g.labels.slo} ${g.labels.window} ${g.labels.tool}`, g.value]),
  );
}

/** An alert as both sides are compared: name, severity labels, and its (long, short, factor) conditions. */
const alertShape = (name: string, severity: string | undefined, kind: string | undefined, when: string[]) =>
  `${name} severity=${severity} sloth_severity=${kind}: ${[...when].sort().join("; ")}`;

/** Sloth's alerts of one SLO, read from its rules: each `and` of a short and a long window over a factor. */
function slothAlerts(groups: Group[], id: string): string[] {
  return groups
    .flatMap((g) => g.rules)
    .filter((r) => r.alert !== undefined && r.expr.includes(`sloth_id="${id}"`))
    .map((r) => {
      const terms = [...r.expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([0-9.e+-]+) \*/g)].map(
        (m) => [m[1], Number(m[2])] as const,
      );
      const when = [];
      for (let t = 0; t < terms.length; t += 2) {
        when.push(`${terms[t + 1][0]}/${terms[t][0]} x${terms[t][1].toFixed(6)}`);
      }
      return alertShape(r.alert!, r.labels?.severity, r.labels?.sloth_severity, when);
    })
    .sort();
}

const engineAlerts = (slo: Slo): string[] =>
  (slo.alerts ?? [])
    .map((a) =>
      alertShape(
        a.name,
        a.severity,
        a.labels?.sloth_severity,
        a.when.map((c) => `${c.window}/${c.shortWindow} x${c.burnRate.toFixed(6)}`),
      ),
    )
    .sort();

const slothObjective = (groups: Group[], id: string) =>
  Number(/vector\(([0-9.]+)\)/.exec(recorded(groups, "slo:objective:ratio", { sloth_id: id }) ?? "")?.[1]);

const rows: string[] = [];

test.each(FILES)("%s: taken or refused as Sloth takes or refuses it", async (file) => {
  const { sloth, stack } = await read(file);
  const refusedFor = "refused" in stack ? stack.refused : [];
  if ("refused" in sloth) {
    expect({ file, stack: refusedFor.length > 0 ? "refused" : "taken" }).toEqual({ file, stack: "refused" });
  } else {
    // The one refusal of a spec Sloth takes: its plugins.
    expect({ file, notForPlugins: refusedFor.filter((p) => !p.includes("is a Sloth plugin")) }).toEqual({
      file,
      notForPlugins: [],
    });
  }
  rows.push(
    `| ${file} | ${"refused" in sloth ? `refuses: ${sloth.refused.split(": ").slice(-3).join(": ").replace(/\|/g, "\\|")}` : "takes"} | ${"refused" in stack ? `refuses: ${stack.refused[0].replace(/^.*?\): /, "").replace(/\|/g, "\\|")}` : `takes: ${stack.slos.map((s) => s.name).join(", ")}`} |`,
  );
});

describe.each(FILES)("%s, where both take it", (file) => {
  test("each SLO: Sloth's objective, its error ratio over every window, and its alerts", async () => {
    const { sloth, stack } = await read(file);
    if ("refused" in sloth || "refused" in stack) {
      return;
    }
    const slothIds = [
      ...new Set(sloth.groups.flatMap((g) => g.rules.flatMap((r) => r.labels?.sloth_id ?? []))),
    ].sort();
    expect(stack.slos.map((s) => s.name).sort()).toEqual(slothIds);
    const engine = configuredSloRules(stack.slos, RUNBOOKS) as Group[];
    const measured = await ratios(file, sloth.groups, engine, stack.slos);
    for (const slo of stack.slos) {
      // Sloth computes the ratio in floating point (99.9 / 100 is 0.9990000000000001).
      expect({ slo: slo.name, objective: slothObjective(sloth.groups, slo.name) }).toEqual({
        slo: slo.name,
        objective: expect.closeTo(slo.objective, 12),
      });
      for (const w of WINDOWS) {
        const theirs = measured[`${slo.name} ${w} sloth`];
        const ours = measured[`${slo.name} ${w} engine`];
        expect({ slo: slo.name, window: w, sloth: theirs === undefined, engine: ours === undefined }).toEqual(
          { slo: slo.name, window: w, sloth: false, engine: false },
        );
        expect({
          slo: slo.name,
          window: w,
          difference: agree(ours, theirs, engineRatio(engine, slo.name, w).chunked),
        }).toEqual({
          slo: slo.name,
          window: w,
          difference: true,
        });
      }
      expect({ slo: slo.name, alerts: engineAlerts(slo) }).toEqual({
        slo: slo.name,
        alerts: slothAlerts(sloth.groups, slo.name),
      });
    }
  }, 120000);
});

afterAll(() => {
  if (process.env.SLOTH_CORPUS_RECORD !== "1" || rows.length === 0) {
    return;
  }
  const all = [...reads.values()];
  const slothTakes = all.filter((r) => !("refused" in r.sloth)).length;
  const bothTake = all.filter((r) => !("refused" in r.sloth) && !("refused" in r.stack)).length;
  const [page] = formatted([
    {
      path: path.join(PROJECT_ROOT, "docs", "measured", "sloth-corpus.md"),
      content: `# Sloth's corpus beside Sloth v0.16.0\n\nWritten by \`SLOTH_CORPUS_RECORD=1 npx jest tests/servers/slothCorpus.test.ts\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC (do not edit by hand), on ${os.cpus().length} cores of ${os.cpus()[0]?.model ?? "an unknown processor"}.\n\nOf ${all.length} specs in \`tests/unit/slo/sloth/\`, the real Sloth takes ${slothTakes}; the stack takes ${bothTake} of those, each matching Sloth's rules (objective; error ratio over ${WINDOWS.join(", ")} evaluated by promtool on the same series, equal to floating point where the engine reads the same rates and within ${(CHUNKS_APART * 100).toFixed(3)} % where it sums a window from hourly chunks; alert names, severities, windows and factors); it refuses the ${slothTakes - bothTake} others for their Sloth plugins, and every spec Sloth refuses.\n\n| file | Sloth | the stack |\n|---|---|---|\n${rows.join("\n")}\n`,
    },
  ]);
  fs.writeFileSync(page.path, page.content);
});
