// Ramps one ingest path step by step while the rest of the load stays at its rated level, until
// the component refuses (HTTP errors, refused or discarded items), drops (exporter queue full) or
// falls behind (accepts less than offered, scrapes slower than their interval, RSS over its
// limit), and reports the last level it sustained. Bounded: a fixed number of steps, each
// offering four times the last. When the bench itself cannot offer a level (this process is the
// bottleneck), the search stops there and says so: the component's ceiling is higher.
import { sleep } from "../../testkit/sleep";

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

/** Multiplies the level from `start` by four each step. */
export async function findCeiling(
  path: IngestPath,
  start: number,
  steps: number,
  stepSeconds: number,
  log: (line: string) => void,
): Promise<Ceiling> {
  let sustained = 0;
  let rssAtSustained = 0;
  let level = start;
  for (let step = 0; step < steps; step++) {
    const offered = await path.apply(level);
    const seconds = Math.max(stepSeconds, path.minStepSeconds ?? 0);
    const before = await path.measure().catch((error: unknown) => error as Error);
    if (!(before instanceof Error)) {
      await sleep(seconds * 1000);
    }
    const after =
      before instanceof Error ? before : await path.measure().catch((error: unknown) => error as Error);
    const { rss, limit } = path.rss();
    const failedAt = (reason: string): Ceiling => ({
      label: path.label,
      sustained,
      rssAtSustained,
      limit,
      failed: { level: offered, reason },
      generatorLimited: false,
    });
    if (after instanceof Error) {
      const reason = `stopped answering: ${after.message}`;
      log(`  ${path.label}: ${offered} failed: ${reason}`);
      return failedAt(reason);
    }
    if (!path.offered(before as Counters, after, offered, seconds)) {
      log(`  ${path.label}: ${offered} not offered in full: the bench is the bottleneck here`);
      return { label: path.label, sustained, rssAtSustained, limit, generatorLimited: true };
    }
    // In a pod, the kernel would kill the process here.
    const reason =
      rss > limit
        ? `RSS ${Math.round(rss / 2 ** 20)}Mi over the ${Math.round(limit / 2 ** 20)}Mi limit`
        : path.judge(before as Counters, after, offered, seconds);
    log(
      `  ${path.label}: ${offered} ${reason === undefined ? "held" : `failed: ${reason}`} (RSS ${Math.round(rss / 2 ** 20)}Mi)`,
    );
    if (reason !== undefined) {
      return failedAt(reason);
    }
    sustained = offered;
    rssAtSustained = rss;
    level *= FACTOR;
  }
  return { label: path.label, sustained, rssAtSustained, limit: path.rss().limit, generatorLimited: false };
}
