// Ramps one ingest path step by step while the rest of the load stays at its rated level, until
// the component refuses (HTTP errors, refused or discarded items), drops (exporter queue full) or
// falls behind (accepts less than offered, scrapes slower than their interval, RSS over its
// limit), and reports the last level it sustained. Bounded: a fixed number of steps, each
// offering four times the last, and one step between the last held level and the failed one. When the bench itself cannot offer a level (this process is the
// bottleneck), the search stops there and says so: the component's ceiling is higher.
import { sleep } from "../../tests/kit/sleep";

export type Counters = Readonly<Record<string, number>>;

export interface IngestPath {
  /** e.g. "spans/s into the collector". */
  readonly label: string;
  /** Sets the offered load (a rate, or a series count for Prometheus) and returns what it is. */
  apply(level: number): Promise<number>;
  measure(): Promise<Counters>;
  /** Whether the bench offered the whole level (the counters before and after the step). */
  offered(before: Counters, after: Counters, level: number, seconds: number): boolean;
  /** Why the step failed, from the counters before and after it, or undefined. */
  judge(before: Counters, after: Counters, level: number, seconds: number): string | undefined;
  /** Levels only grow (what a step adds stays): no step back down between held and failed. */
  readonly growsOnly?: boolean;
  /** A step no shorter than this, e.g. two scrape intervals for new targets to be scraped. */
  readonly minStepSeconds?: number;
  /** RSS of the process that takes the path, and its limit. */
  rss(): { readonly rss: number; readonly limit: number };
}

export interface Ceiling {
  readonly label: string;
  /** The last level sustained for a whole step. */
  readonly sustained: number;
  readonly rssAtSustained: number;
  readonly limit: number;
  /** The level that failed and why, or undefined if every step held (the ceiling is higher). */
  readonly failed?: { readonly level: number; readonly reason: string };
  /** The bench could offer no more than `sustained`: the component's ceiling is higher. */
  readonly generatorLimited: boolean;
}

const FACTOR = 4;

/** One step's outcome: held, failed (and why), or not offered in full by the bench. */
type StepOutcome =
  | { readonly kind: "held"; readonly offered: number; readonly rss: number; readonly limit: number }
  | { readonly kind: "failed"; readonly offered: number; readonly reason: string; readonly limit: number }
  | { readonly kind: "generator"; readonly offered: number; readonly limit: number };

async function runStep(
  path: IngestPath,
  level: number,
  stepSeconds: number,
  log: (line: string) => void,
): Promise<StepOutcome> {
  const offered = await path.apply(level);
  const seconds = Math.max(stepSeconds, path.minStepSeconds ?? 0);
  const before = await path.measure().catch((error: unknown) => error as Error);
  if (!(before instanceof Error)) {
    await sleep(seconds * 1000);
  }
  const after =
    before instanceof Error ? before : await path.measure().catch((error: unknown) => error as Error);
  const { rss, limit } = path.rss();
  if (after instanceof Error) {
    const reason = `stopped answering: ${after.message}`;
    log(`  ${path.label}: ${offered} failed: ${reason}`);
    return { kind: "failed", offered, reason, limit };
  }
  if (!path.offered(before as Counters, after, offered, seconds)) {
    log(`  ${path.label}: ${offered} not offered in full: the bench is the bottleneck here`);
    return { kind: "generator", offered, limit };
  }
  // In a pod, the kernel would kill the process here.
  const reason =
    rss > limit
      ? `RSS ${Math.round(rss / 2 ** 20)}Mi over the ${Math.round(limit / 2 ** 20)}Mi limit`
      : path.judge(before as Counters, after, offered, seconds);
  log(
    `  ${path.label}: ${offered} ${reason === undefined ? "held" : `failed: ${reason}`} (RSS ${Math.round(rss / 2 ** 20)}Mi)`,
  );
  return reason === undefined
    ? { kind: "held", offered, rss, limit }
    : { kind: "failed", offered, reason, limit };
}

/**
 * Multiplies the level from `start` by four each step. After a failure above a sustained level, one
 * more step at twice the sustained level halves the uncertainty, once the component has had a
 * step's time at the sustained level to recover.
 */
export async function findCeiling(
  path: IngestPath,
  start: number,
  steps: number,
  stepSeconds: number,
  log: (line: string) => void,
): Promise<Ceiling> {
  let sustained = 0;
  let rssAtSustained = 0;
  let limit = path.rss().limit;
  const result = (outcome?: StepOutcome): Ceiling => ({
    label: path.label,
    sustained,
    rssAtSustained,
    limit,
    failed: outcome?.kind === "failed" ? { level: outcome.offered, reason: outcome.reason } : undefined,
    generatorLimited: outcome?.kind === "generator",
  });
  let level = start;
  for (let step = 0; step < steps; step++) {
    const outcome = await runStep(path, level, stepSeconds, log);
    limit = outcome.limit;
    if (outcome.kind === "held") {
      sustained = outcome.offered;
      rssAtSustained = outcome.rss;
      level *= FACTOR;
      continue;
    }
    if (outcome.kind === "generator" || sustained === 0 || path.growsOnly === true) {
      return result(outcome);
    }
    // The failed step leaves a backlog: the component recovers at the level it held first.
    await path.apply(sustained);
    await sleep(stepSeconds * 1000);
    const between = await runStep(path, level / 2, stepSeconds, log);
    if (between.kind !== "held") {
      return result(between.kind === "failed" ? between : outcome);
    }
    sustained = between.offered;
    rssAtSustained = between.rss;
    return result(outcome);
  }
  return result();
}
