// The history a backtest reads: Prometheus' or Thanos Query's HTTP API, range queries at a rule's
// evaluation interval over the reviewed period.
import type { Labels } from "./alertEpisodes";

export interface HistorySource {
  /** Prometheus or Thanos Query, e.g. http://127.0.0.1:9090 (a path prefix kept). */
  readonly url: string;
  /** Sent with every request: what the team's proxy wants (Authorization, X-Scope-OrgID, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** The most series one query may answer before the backtest of that rule gives up. */
  readonly maxSeries: number;
  /**
   * The most samples of each series one rule's backtest may read (about: its ranges over the
   * intervals their series are written at, at every evaluation) before it is not asked at all.
   */
  readonly maxSamples: number;
  /** Counted as the requests are made: how many, how long in all, the slowest. */
  readonly stats?: RequestStats;
  /** The wait before a failed request is asked again, doubled at each attempt; RETRY_WAIT_MS unless set. */
  readonly retryWaitMs?: number;
  /**
   * What one review has asked already, by expression, range and step: both sides of a rule whose
   * expression the change leaves alone (a `for`, a label) read the history once.
   */
  readonly answered?: Map<string, Promise<RangeSeries[]>>;
  /**
   * The PromQL engine Thanos Query evaluates with (its `engine` parameter, which Prometheus does not
   * have and ignores): Thanos' own, which answered the rated-load review's rules as Prometheus' did,
   * and sooner (bench:review-history runs both), or Prometheus'.
   */
  readonly engine: Engine;
}

export const ENGINES = ["thanos", "prometheus"] as const;
export type Engine = (typeof ENGINES)[number];

export interface RequestStats {
  requests: number;
  seconds: number;
  slowest?: { readonly seconds: number; readonly what: string };
}

/** A series of a range query: its labels, and its samples' times (Unix seconds, ascending) and values. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly times: readonly number[];
  readonly values: readonly number[];
}

/** How a range is read, beyond its expression and steps. */
export interface RangeReading {
  /** The longest range one request covers (a whole number of steps); as many steps as Prometheus answers points per series when not given. */
  readonly spanSeconds?: number;
  /**
   * The coarsest resolution Thanos may read (`max_source_resolution`): its 5-minute or 1-hour blocks
   * where the compactor has written them. Raw samples when not given, as a rule reads them.
   */
  readonly resolutionSeconds?: number;
  /** How far back a selector looks for a sample (`lookback_delta`); the server's own (5m) when not given. */
  readonly lookbackSeconds?: number;
}

/** What `npm run review -- --history` reads without its options: days, series and samples per rule. */
export const HISTORY_DEFAULTS = {
  days: 14,
  maxSeries: 1000,
  maxSamples: 100_000_000,
  engine: "thanos",
} as const satisfies Pick<HistorySource, "maxSeries" | "maxSamples" | "engine"> & { days: number };

/** Prometheus answers at most 11,000 points per series; each request stays below. */
const POINTS_PER_REQUEST = 10_000;

export class HistoryError extends Error {
  /**
   * Why asking the same again gets the same answer: the expression itself is refused (Prometheus'
   * `bad_data`), or a store's limit refuses what the request reads (gRPC's ResourceExhausted, as
   * Thanos' store gateway answers a request over its series, chunks or samples limit).
   */
  constructor(
    message: string,
    readonly refused?: "expression" | "limit",
  ) {
    super(message);
  }
}

/** A store's refusal of a request over one of its limits, as Thanos Query passes it on. */
const OVER_A_LIMIT = /code = ResourceExhausted/;

interface ApiAnswer {
  status: string;
  errorType?: string;
  error?: string;
  warnings?: string[];
  data?: { resultType?: string; result?: { metric: Labels; values?: [number, string][] }[] } | string[];
}

/**
 * How often a request is asked before its failure is the answer, and the first wait between two
 * asks: three asks two and four seconds apart all failed in a CI run beside two other test lanes
 * (a store gateway reading uncompacted blocks misses Query's response timeout while the machine is
 * busy); four waits doubling from two seconds give a busy store half a minute.
 */
export const ATTEMPTS = 5;
export const RETRY_WAIT_MS = 2000;

/** A request to the API, asked again when it fails for any reason but the expression. */
async function api(
  source: HistorySource,
  endpoint: string,
  params: Record<string, string>,
): Promise<ApiAnswer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(source, endpoint, params);
    } catch (error) {
      // A store that took too long (its index headers read from the bucket on first use) answers
      // a later ask of the same range sooner.
      if (!(error instanceof HistoryError) || error.refused !== undefined || attempt === ATTEMPTS)
        throw error;
      const wait = (source.retryWaitMs ?? RETRY_WAIT_MS) * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * A request to the API: a query as a form POST (a long expression fits), anything else as a GET.
 * Thanos Query is asked to refuse a partial answer and to deduplicate replicas.
 */
async function request(
  source: HistorySource,
  endpoint: string,
  params: Record<string, string>,
): Promise<ApiAnswer> {
  const url = `${source.url.replace(/\/+$/, "")}/api/v1/${endpoint}`;
  const query = new URLSearchParams({
    ...params,
    partial_response: "false",
    dedup: "true",
    engine: source.engine,
  }).toString();
  const started = Date.now();
  const response = await (
    endpoint.startsWith("query")
      ? fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", ...source.headers },
          body: query,
        })
      : fetch(`${url}?${query}`, { headers: source.headers })
  ).catch((error: unknown) => {
    const cause = (error as { cause?: unknown }).cause;
    throw new HistoryError(`${url}: ${String(cause ?? error)}`);
  });
  const text = await response.text();
  if (source.stats !== undefined) {
    const seconds = (Date.now() - started) / 1000;
    source.stats.requests++;
    source.stats.seconds += seconds;
    if (seconds > (source.stats.slowest?.seconds ?? -1)) {
      source.stats.slowest = { seconds, what: `${endpoint} ${params.query ?? params["match[]"] ?? ""}` };
    }
  }
  let answer: ApiAnswer;
  try {
    answer = JSON.parse(text) as ApiAnswer;
  } catch {
    throw new HistoryError(`${url}: ${response.status} ${text.slice(0, 200)}`);
  }
  if (answer.status !== "success") {
    throw new HistoryError(
      `${url}: ${answer.error ?? `${response.status} ${text.slice(0, 200)}`}`,
      answer.errorType === "bad_data"
        ? "expression"
        : OVER_A_LIMIT.test(answer.error ?? "")
          ? "limit"
          : undefined,
    );
  }
  if ((answer.warnings ?? []).length > 0) {
    throw new HistoryError(`${url}: a partial answer (${answer.warnings!.join("; ")})`);
  }
  return answer;
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The longest range one request at `stepSeconds` covers: as many steps as Prometheus answers points per series. */
export const requestSpanSeconds = (stepSeconds: number) => POINTS_PER_REQUEST * stepSeconds;

/**
 * `expr` evaluated at every `stepSeconds` from `start` to `end` (Unix seconds, `start` on a step),
 * read as `reading` says; each series once, its samples in time order. Fails when it answers more
 * than the source's series limit. Asked once per review (`answered`).
 */
export function queryRange(
  source: HistorySource,
  expr: string,
  start: number,
  end: number,
  stepSeconds: number,
  reading: RangeReading = {},
): Promise<RangeSeries[]> {
  const key = JSON.stringify([expr, start, end, stepSeconds, reading]);
  const asked = source.answered?.get(key);
  if (asked !== undefined) return asked;
  const answer = askRange(source, expr, start, end, stepSeconds, reading);
  source.answered?.set(key, answer);
  return answer;
}

async function askRange(
  source: HistorySource,
  expr: string,
  start: number,
  end: number,
  stepSeconds: number,
  reading: RangeReading,
): Promise<RangeSeries[]> {
  const spanSeconds = reading.spanSeconds ?? requestSpanSeconds(stepSeconds);
  const span = Math.max(Math.floor(spanSeconds / stepSeconds), 1) * stepSeconds;
  const params = {
    query: expr,
    step: String(stepSeconds),
    ...(reading.resolutionSeconds === undefined
      ? {}
      : { max_source_resolution: `${reading.resolutionSeconds}s` }),
    ...(reading.lookbackSeconds === undefined ? {} : { lookback_delta: `${reading.lookbackSeconds}s` }),
  };
  // Each answer is taken in as it comes: the review holds its samples' numbers, not the answers' text.
  const bySeries = new Map<string, { labels: Labels; times: number[]; values: number[] }>();
  const takeIn = (answer: ApiAnswer) => {
    const data = answer.data as { result?: { metric: Labels; values?: [number, string][] }[] };
    for (const { metric, values } of data.result ?? []) {
      const key = keyOf(metric);
      let series = bySeries.get(key);
      if (series === undefined) {
        if (bySeries.size >= source.maxSeries) {
          throw new HistoryError(`answers more than ${source.maxSeries} series (--max-series)`);
        }
        series = { labels: metric, times: [], values: [] };
        bySeries.set(key, series);
      }
      for (const [t, v] of values ?? []) {
        series.times.push(Number(t));
        series.values.push(Number(v));
      }
    }
  };
  // One window at a time: a store gateway asked for several ranges at once answers each later, and
  // Thanos Query gives up on a store that sends nothing for its response timeout (10s as rendered).
  // A window a store's limit refuses is asked again as its two halves, down to one step.
  const ask = async (from: number, to: number): Promise<void> => {
    try {
      takeIn(await api(source, "query_range", { ...params, start: String(from), end: String(to) }));
    } catch (error) {
      if (!(error instanceof HistoryError) || error.refused !== "limit" || to === from) throw error;
      const middle = from + Math.floor((to - from) / stepSeconds / 2) * stepSeconds;
      await ask(from, middle);
      await ask(middle + stepSeconds, to);
    }
  };
  for (let from = start; from <= end; from += span) await ask(from, Math.min(end, from + span - stepSeconds));
  return [...bySeries.values()];
}

/** Which of these metric names have a series anywhere in [start, end]. */
export async function namesInHistory(
  source: HistorySource,
  names: readonly string[],
  start: number,
  end: number,
): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const answer = await api(source, `label/__name__/values`, {
    "match[]": `{__name__=~"${escaped}"}`,
    start: String(start),
    end: String(end),
  });
  return new Set(answer.data as string[]);
}
