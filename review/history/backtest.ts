// What the alert rules a change adds, removes or alters would have done over the last days, and
// what its SLO objectives would have left of their budgets: each side's rules evaluated over the
// history as Prometheus evaluates them (at the group's interval, with `for` and `keep_firing_for`),
// each firing routed by that side's Alertmanager routes.
import { durationMs } from "../../config/durations";
import { alertReceivers, fixedLabels } from "../alertReceivers";
import { allRules, alertmanagerYml, configMapFiles, ruleChanges } from "../signals";
import { Snapshot } from "../snapshot";
import { Episode, Labels, firingEpisodes } from "./alertEpisodes";
import { CannotBacktest, RecordingRule, inlineRecorded, samplesRead, selectedNames } from "./inlineRecorded";
import {
  HistoryError,
  HistorySource,
  RequestStats,
  namesInHistory,
  RangeSeries,
  queryRange,
  requestSpanSeconds,
} from "./queryHistory";

type Json = Readonly<Record<string, unknown>>;

/** The reviewed period, in Unix seconds. */
export interface Period {
  readonly start: number;
  readonly end: number;
}

/** A side that tells nothing: it has no such rule, or the history could not answer for it. */
export type Untold = { readonly kind: "absent" } | { readonly kind: "cannot"; readonly why: string };

/** Why the history could not tell, when the history or the rule is the reason; any other error is thrown on. */
function untoldWhy(error: unknown): string {
  if (error instanceof CannotBacktest || error instanceof HistoryError) return error.message;
  throw error;
}

const untold = (error: unknown): Untold => ({ kind: "cannot", why: untoldWhy(error) });

/** What one side's rule did over the period, or why it could not be told. */
export type SideHistory =
  | Untold
  | {
      readonly kind: "evaluated";
      readonly intervalSeconds: number;
      readonly episodes: readonly Episode[];
      /** Where its episodes went: the receivers each side's routes chose, with how many went there. */
      readonly receivers: ReadonlyMap<string, number>;
      /** Recorded series evaluated from their rules' expressions: the history lacks them, or the change rewrites them. */
      readonly fromRules: readonly string[];
      /** The series it read from the history. */
      readonly reads: readonly string[];
    };

/** Spans with no sample of a series the rule reads (the history's gaps, not silence). */
export interface Gap {
  readonly from: number;
  readonly to: number;
  readonly missing: readonly string[];
}

export interface AlertHistory {
  /** The rule as the review names it: `Prometheus: alert X (file, group g)`. */
  readonly name: string;
  /** added, removed, changed (with the fields), or the recorded series it reads that the change rewrites. */
  readonly change: string;
  readonly before: SideHistory;
  readonly after: SideHistory;
  readonly gaps: readonly Gap[];
  /** Why the gaps could not be looked for (then `gaps` is empty). */
  readonly gapsUntold?: string;
}

/** A budget's value at one time. */
export interface BudgetPoint {
  readonly at: number;
  readonly value: number;
}

export type BudgetSide =
  | Untold
  | { readonly kind: "evaluated"; readonly last?: BudgetPoint; readonly lowest?: BudgetPoint };

/** An SLO budget the change moves: what it would have left over the period, before and after. */
export interface BudgetHistory {
  /** The budget's series: `slo:error_budget_remaining:ratio{slo="checkout", service="shop"}`. */
  readonly budget: string;
  readonly before: BudgetSide;
  readonly after: BudgetSide;
}

export interface StackHistory {
  readonly stack: string;
  readonly source: string;
  readonly period: Period;
  readonly alerts: readonly AlertHistory[];
  /** The SLO objectives the change moves: `series: before → after`. */
  readonly objectives: readonly string[];
  readonly budgets: readonly BudgetHistory[];
  /** Rules of a changed kind the backtest does not evaluate, and why. */
  readonly skipped: readonly string[];
  /** The requests the backtest made of the source. */
  readonly requests: RequestStats;
}

/** A rule of the evaluated servers, with what its evaluation needs. */
interface EvaluatedRule {
  readonly key: string;
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly forSeconds: number;
  readonly keepFiringForSeconds: number;
  readonly intervalSeconds: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** The servers whose rules are PromQL over the metrics history: Loki's are LogQL over logs. */
const METRIC_SERVERS = ["Prometheus", "Thanos Ruler"];

/** Prometheus' global scrape interval, from the render: how often a scraped series has a sample. */
function scrapeSeconds(snapshot: Snapshot): number {
  const prometheusYml = configMapFiles(snapshot, "prometheus-config")["prometheus.yml"] ?? "";
  return durationMs(/scrape_interval:\s*['"]?(\w+)/.exec(prometheusYml)?.[1] ?? "1m") / 1000;
}

/** The evaluation interval of a server's groups that set none: its global setting, from the render. */
function defaultIntervals(snapshot: Snapshot): Record<string, number> {
  const prometheusYml = configMapFiles(snapshot, "prometheus-config")["prometheus.yml"] ?? "";
  const prometheus = /evaluation_interval:\s*['"]?(\w+)/.exec(prometheusYml)?.[1] ?? "1m";
  let ruler = "1m";
  for (const resource of snapshot.resources.values()) {
    const spec = resource.object?.spec as Json | undefined;
    const pod = (spec?.template as Json | undefined)?.spec as Json | undefined;
    for (const container of (pod?.containers ?? []) as Json[]) {
      for (const arg of (container.args ?? []) as string[]) {
        const found = /^--eval-interval=(\w+)$/.exec(arg);
        if (found !== null) ruler = found[1];
      }
    }
  }
  return { Prometheus: durationMs(prometheus) / 1000, "Thanos Ruler": durationMs(ruler) / 1000 };
}

function evaluatedRules(snapshot: Snapshot): Map<string, EvaluatedRule> {
  const intervals = defaultIntervals(snapshot);
  const rules = new Map<string, EvaluatedRule>();
  for (const [key, rule] of allRules(snapshot)) {
    const server = key.slice(0, key.indexOf(":"));
    if (!METRIC_SERVERS.includes(server)) continue;
    const seconds = (text: unknown) => (typeof text === "string" ? durationMs(text) / 1000 : 0);
    rules.set(key, {
      key,
      ...(typeof rule.alert === "string" ? { alert: rule.alert } : {}),
      ...(typeof rule.record === "string" ? { record: rule.record } : {}),
      expr: String(rule.expr),
      forSeconds: seconds(rule.for),
      keepFiringForSeconds: seconds(rule.keep_firing_for),
      intervalSeconds: typeof rule.interval === "string" ? seconds(rule.interval) : intervals[server],
      labels: Object.fromEntries(Object.entries((rule.labels ?? {}) as Json).map(([k, v]) => [k, String(v)])),
    });
  }
  return rules;
}

const recordingRules = (rules: ReadonlyMap<string, EvaluatedRule>): RecordingRule[] =>
  [...rules.values()]
    .filter((r) => r.record !== undefined)
    .map((r) => ({ record: r.record!, expr: r.expr, labels: r.labels, intervalSeconds: r.intervalSeconds }));

/** Each recorded name's rules, as text that differs when any of them does. */
function recordersByName(rules: readonly RecordingRule[]): Map<string, string> {
  const by = new Map<string, string[]>();
  for (const r of rules)
    by.set(r.record, [...(by.get(r.record) ?? []), JSON.stringify([r.expr, r.labels, r.intervalSeconds])]);
  return new Map([...by].map(([name, texts]) => [name, texts.sort().join("\n")]));
}

/**
 * The names `after` records differently from `before` (its rules added or rewritten), and every
 * name recorded from one of those: what the history holds of them is not what the change records.
 */
function rewrittenNames(before: readonly RecordingRule[], after: readonly RecordingRule[]): Set<string> {
  const [old, now] = [recordersByName(before), recordersByName(after)];
  const rewritten = new Set([...now.keys()].filter((name) => old.get(name) !== now.get(name)));
  for (let grown = true; grown; ) {
    grown = false;
    for (const rule of after) {
      if (rewritten.has(rule.record)) continue;
      if ([...selectedNames(rule.expr)].some((name) => rewritten.has(name))) {
        rewritten.add(rule.record);
        grown = true;
      }
    }
  }
  return rewritten;
}

/** Every name an expression reads, through the recording rules of the names it reads. */
function namesReadThrough(
  expr: string,
  rules: readonly RecordingRule[],
  seen = new Set<string>(),
): Set<string> {
  for (const name of selectedNames(expr)) {
    if (seen.has(name)) continue;
    seen.add(name);
    for (const rule of rules.filter((r) => r.record === name)) namesReadThrough(rule.expr, rules, seen);
  }
  return seen;
}

/** One side of the backtest: its rules, the names it evaluates from their rules, its routes. */
interface Side {
  readonly rules: ReadonlyMap<string, EvaluatedRule>;
  readonly recording: readonly RecordingRule[];
  readonly fromRules: ReadonlySet<string>;
  readonly alertmanager?: Json;
  /** How often the scraped series are written: Prometheus' global scrape interval. */
  readonly scrapeSeconds: number;
}

/**
 * `expr` as the side evaluates it from the history over `times` evaluations: its recorded series the
 * history lacks or the change rewrites replaced by their rules; refused when it would read more than
 * the source allows.
 */
function evaluable(expr: string, side: Side, times: number, source: HistorySource): string {
  const inlined = inlineRecorded(expr, side.recording, side.fromRules);
  const every = (name: string) => {
    const intervals = side.recording.filter((r) => r.record === name).map((r) => r.intervalSeconds);
    return intervals.length === 0 ? side.scrapeSeconds : Math.min(...intervals);
  };
  const samples = samplesRead(inlined, times, every);
  if (samples > source.maxSamples) {
    const fromRules = [...namesReadThrough(expr, side.recording)].filter((n) => side.fromRules.has(n));
    throw new CannotBacktest(
      `it would read about ${samples.toExponential(1)} samples of each series over ${times} evaluations (--max-samples ${source.maxSamples})${fromRules.length === 0 ? "" : `, evaluating ${fromRules.sort().join(", ")} from their rules`}`,
    );
  }
  return inlined;
}

/** The evaluation times of an interval within the period: on its multiples, as a range query steps. */
function alignedStart(period: Period, intervalSeconds: number): number {
  return Math.ceil(period.start / intervalSeconds) * intervalSeconds;
}

const withoutName = (labels: Labels): Labels =>
  Object.fromEntries(Object.entries(labels).filter(([name]) => name !== "__name__"));

async function alertSide(
  rule: EvaluatedRule | undefined,
  side: Side,
  source: HistorySource,
  period: Period,
): Promise<SideHistory> {
  if (rule === undefined) return { kind: "absent" };
  try {
    const start = alignedStart(period, rule.intervalSeconds);
    const expr = evaluable(
      rule.expr,
      side,
      Math.floor((period.end - start) / rule.intervalSeconds) + 1,
      source,
    );
    const series = await queryRange(source, expr, start, period.end, rule.intervalSeconds);
    const times: number[] = [];
    for (let t = start; t <= period.end; t += rule.intervalSeconds) times.push(t);
    const episodes = firingEpisodes(
      {
        times,
        series: series.map((s) => ({ labels: withoutName(s.labels), at: s.times })),
      },
      { forSeconds: rule.forSeconds, keepFiringForSeconds: rule.keepFiringForSeconds },
    );
    const receivers = new Map<string, number>();
    if (side.alertmanager !== undefined) {
      for (const episode of episodes) {
        const to = alertReceivers(side.alertmanager, {
          ...episode.labels,
          ...fixedLabels(rule.alert!, rule.labels),
        });
        receivers.set(to, (receivers.get(to) ?? 0) + 1);
      }
    }
    const fromRules = [...namesReadThrough(rule.expr, side.recording)]
      .filter((n) => side.fromRules.has(n))
      .sort();
    const reads = [...selectedNames(expr)].sort();
    return {
      kind: "evaluated",
      intervalSeconds: rule.intervalSeconds,
      episodes,
      receivers,
      fromRules,
      reads,
    };
  } catch (error) {
    return untold(error);
  }
}

/** Gaps are looked for at this step at the finest: a gap shorter than it goes unseen. */
export const GAP_STEP_S = 600;

/** The coarsest blocks the gaps are looked for in: the compactor's 5-minute ones, finer than GAP_STEP_S. */
export const GAP_RESOLUTION_S = 300;

/**
 * When each of `names` has a sample in the period: at every GAP_STEP_S, whether it has one in the
 * GAP_STEP_S before. Read from Thanos' 5-minute blocks where the compactor has written them, a
 * thirtieth of the samples of a series scraped every 10 s; in requests of `spanSeconds` at most, the
 * rules' own, which a store gateway's chunk and sample limits let through.
 */
async function presenceOf(
  names: readonly string[],
  source: HistorySource,
  period: Period,
  spanSeconds: number,
): Promise<Map<string, Set<number>>> {
  const present = new Map(names.map((n) => [n, new Set<number>()]));
  if (names.length === 0) return present;
  const pattern = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const series = await queryRange(
    { ...source, maxSeries: names.length + 1 },
    `count by (__name__) ({__name__=~"${pattern}"})`,
    alignedStart(period, GAP_STEP_S),
    period.end,
    GAP_STEP_S,
    { spanSeconds, resolutionSeconds: GAP_RESOLUTION_S, lookbackSeconds: GAP_STEP_S },
  );
  for (const s of series) for (const t of s.times) present.get(s.labels.__name__)?.add(t);
  return present;
}

/** The spans in which some of `names` has no sample, from their presence. */
function gapsIn(
  present: ReadonlyMap<string, ReadonlySet<number>>,
  names: readonly string[],
  period: Period,
): Gap[] {
  const start = alignedStart(period, GAP_STEP_S);
  const gaps: Gap[] = [];
  let open: { from: number; missing: string[] } | undefined;
  let last = start;
  for (let t = start; t <= period.end; t += GAP_STEP_S) {
    const missing = names.filter((n) => !present.get(n)!.has(t));
    if (missing.length > 0) {
      open ??= { from: t, missing: [] };
      open.missing = [...new Set([...open.missing, ...missing])];
    } else if (open !== undefined) {
      gaps.push({ from: open.from, to: t, missing: open.missing.sort() });
      open = undefined;
    }
    last = t;
  }
  if (open !== undefined) gaps.push({ from: open.from, to: last, missing: open.missing.sort() });
  return gaps;
}

/**
 * The spans in which some raw series of `names` (those a rule reads, through the rules it is
 * evaluated from) has no sample, asked in requests of `spanSeconds` at most: a store gateway's
 * chunk and sample limits that let a rule's requests of that span through let these through.
 */
export async function gapsOf(
  names: readonly string[],
  source: HistorySource,
  period: Period,
  spanSeconds: number,
): Promise<Gap[]> {
  return gapsIn(await presenceOf(names, source, period, spanSeconds), names, period);
}

/** The series either side read from the history: where they have no samples, its episodes are not told. */
const readFromHistory = (sides: readonly SideHistory[]): string[] =>
  [...new Set(sides.flatMap((side) => (side.kind === "evaluated" ? side.reads : [])))].sort();

/** The SLO objectives the change moves (`*:objective*` recording rules), each `series: before → after`. */
function movedObjectives(before: readonly RecordingRule[], after: readonly RecordingRule[]): string[] {
  const objectives = (rules: readonly RecordingRule[]) =>
    new Map(
      rules
        .filter((r) => r.record.includes(":objective"))
        .map((r) => [
          `${r.record}{${Object.entries(r.labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(", ")}}`,
          r.expr,
        ]),
    );
  const [old, now] = [objectives(before), objectives(after)];
  return [...new Set([...old.keys(), ...now.keys()])]
    .sort()
    .filter((series) => old.get(series) !== now.get(series))
    .map((series) => `${series}: ${old.get(series) ?? "none"} → ${now.get(series) ?? "none"}`);
}

/** The step of a budget's backtest: budgets move slowly, and a step finer than an hour costs queries, not truth. */
const BUDGET_STEP_S = 3600;

async function budgetSide(
  rule: EvaluatedRule | undefined,
  side: Side,
  source: HistorySource,
  period: Period,
): Promise<BudgetSide> {
  if (rule === undefined) return { kind: "absent" };
  try {
    const start = alignedStart(period, BUDGET_STEP_S);
    const expr = evaluable(rule.expr, side, Math.floor((period.end - start) / BUDGET_STEP_S) + 1, source);
    const series = await queryRange(source, expr, start, period.end, BUDGET_STEP_S);
    const points = series.flatMap((s) => s.times.map((at, i) => ({ at, value: s.values[i] })));
    if (points.length === 0) return { kind: "evaluated" };
    const lastAt = Math.max(...points.map((p) => p.at));
    return {
      kind: "evaluated",
      last: points.filter((p) => p.at === lastAt).reduce((a, b) => (b.value < a.value ? b : a)),
      lowest: points.reduce((a, b) => (b.value < a.value ? b : a)),
    };
  } catch (error) {
    return untold(error);
  }
}

const seriesText = (rule: EvaluatedRule) =>
  `${rule.record!}{${Object.entries(rule.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;

/**
 * The SLO budgets (`*error_budget_remaining*` recording rules) the change moves: their rules added,
 * removed or rewritten, or reading a series the change records anew (an objective), by series.
 */
function movedBudgets(
  before: ReadonlyMap<string, EvaluatedRule>,
  after: ReadonlyMap<string, EvaluatedRule>,
  rewritten: ReadonlySet<string>,
): Map<string, [EvaluatedRule?, EvaluatedRule?]> {
  const budgets = (rules: ReadonlyMap<string, EvaluatedRule>) =>
    new Map(
      [...rules.values()]
        .filter((r) => r.record?.includes("error_budget_remaining") === true)
        .map((r) => [seriesText(r), r]),
    );
  const [old, now] = [budgets(before), budgets(after)];
  const moved = new Map<string, [EvaluatedRule?, EvaluatedRule?]>();
  for (const series of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const [a, b] = [old.get(series), now.get(series)];
    if (
      a === undefined ||
      b === undefined ||
      a.expr !== b.expr ||
      [...selectedNames(b.expr)].some((n) => rewritten.has(n))
    ) {
      moved.set(series, [a, b]);
    }
  }
  return moved;
}

/**
 * How many rules are replayed at once: each asks one window at a time, so the history serves this
 * many requests at a time, one evaluating while the other's samples are read and parsed here. Two
 * took a quarter off a review of ten alerts at prod's rated load (bench:review-history); a third
 * added little, the history's servers already using both cores.
 */
export const RULES_AT_ONCE = 2;

/** `work` on every item, at most `atOnce` at a time, the results in the items' order. */
async function inTurns<T, R>(
  items: readonly T[],
  atOnce: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  return results;
}

/**
 * The backtest of `before` → `after` over `period` from `source`: every alerting rule the change
 * adds, removes or alters, or that reads a recorded series the change rewrites; every SLO budget
 * whose objective it moves.
 */
export async function backtest(
  before: Snapshot,
  after: Snapshot,
  given: HistorySource,
  period: Period,
): Promise<StackHistory> {
  const requests: RequestStats = { requests: 0, seconds: 0 };
  const source = { ...given, stats: requests, answered: new Map<string, Promise<RangeSeries[]>>() };
  const [oldRules, newRules] = [evaluatedRules(before), evaluatedRules(after)];
  const [oldRecording, newRecording] = [recordingRules(oldRules), recordingRules(newRules)];
  const rewritten = rewrittenNames(oldRecording, newRecording);

  const changes = ruleChanges(before, after).filter((c) => c.name.includes(": alert "));
  const skipped = changes
    .filter((c) => !METRIC_SERVERS.some((server) => c.name.startsWith(`${server}:`)))
    .map((c) => `${c.name}: LogQL over Loki's logs, which this history does not hold`);
  const subjects = new Map<string, string>();
  for (const c of changes.filter((c) => METRIC_SERVERS.some((server) => c.name.startsWith(`${server}:`)))) {
    subjects.set(c.name, c.change === "changed" ? `changed: ${c.fields.join(", ")}` : c.change);
  }
  for (const rule of newRules.values()) {
    if (rule.alert === undefined || subjects.has(rule.key)) continue;
    const read = [...namesReadThrough(rule.expr, newRecording)].filter((n) => rewritten.has(n)).sort();
    if (read.length > 0) subjects.set(rule.key, `reads ${read.join(", ")}, which the change records anew`);
  }

  const moved = movedBudgets(oldRules, newRules, rewritten);
  const objectives = movedObjectives(oldRecording, newRecording);
  if (subjects.size === 0 && moved.size === 0) {
    return {
      stack: before.stack,
      source: source.url,
      period,
      alerts: [],
      objectives,
      budgets: [],
      skipped,
      requests,
    };
  }

  // What the history holds of the recorded series the two sides read: a name it lacks is evaluated
  // from its rule's expression on both sides.
  const recorded = [...new Set([...oldRecording, ...newRecording].map((r) => r.record))];
  const held = await namesInHistory(source, recorded, period.start, period.end);
  const lacking = new Set(recorded.filter((name) => !held.has(name)));
  const sides: [Side, Side] = [
    {
      rules: oldRules,
      recording: oldRecording,
      fromRules: lacking,
      alertmanager: alertmanagerYml(before),
      scrapeSeconds: scrapeSeconds(before),
    },
    {
      rules: newRules,
      recording: newRecording,
      fromRules: new Set([...lacking, ...rewritten]),
      alertmanager: alertmanagerYml(after),
      scrapeSeconds: scrapeSeconds(after),
    },
  ];

  const told = await inTurns(
    [...subjects].sort(([a], [b]) => (a < b ? -1 : 1)),
    RULES_AT_ONCE,
    async ([name, change]): Promise<[string, string, SideHistory, SideHistory]> => {
      const before = await alertSide(oldRules.get(name), sides[0], source, period);
      const after = await alertSide(newRules.get(name), sides[1], source, period);
      return [name, change, before, after];
    },
  );
  // The gaps of every series the alerts read, looked for once: alerts read many of the same (up,
  // the scrape series, kube-state-metrics').
  const evaluated = told.flatMap(([, , ...both]) => both).filter((side) => side.kind === "evaluated");
  const presence = await presenceOf(
    readFromHistory(evaluated),
    source,
    period,
    requestSpanSeconds(Math.min(...evaluated.map((side) => side.intervalSeconds))),
  ).then(
    (present) => ({ present }),
    (error: unknown) => ({ why: untoldWhy(error) }),
  );
  const alerts: AlertHistory[] = told.map(([name, change, before, after]) => ({
    name,
    change,
    before,
    after,
    ...("present" in presence
      ? { gaps: gapsIn(presence.present, readFromHistory([before, after]), period) }
      : { gaps: [], gapsUntold: presence.why }),
  }));

  const budgets: BudgetHistory[] = [];
  for (const [budget, [a, b]] of moved) {
    budgets.push({
      budget,
      before: await budgetSide(a, sides[0], source, period),
      after: await budgetSide(b, sides[1], source, period),
    });
  }
  return {
    stack: before.stack,
    source: source.url,
    period,
    alerts,
    objectives,
    budgets,
    skipped,
    requests,
  };
}
