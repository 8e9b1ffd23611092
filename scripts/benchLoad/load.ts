// The load each stack is sized for: what the bench drives the real binaries at.
// kind: the eight reference services with one pod each, one node; prod: ten pods per service and
// ten nodes (10x the series), 10x the log lines and spans, tail sampling on (the prod render's).

/** The stacks the bench drives: `kind` and `prod`, as their stack files name them. */
export type StackName = "kind" | "prod";

interface RatedLoad {
  /** Pods per configured service, each a scrape target of ~1,550 series (see springPod.ts). */
  readonly podsPerService: number;
  /** node-exporter targets, one per node. */
  readonly nodes: number;
  readonly linesPerSecond: number;
  readonly spansPerSecond: number;
}

export const RATED: Readonly<Record<StackName, RatedLoad>> = {
  kind: { podsPerService: 1, nodes: 1, linesPerSecond: 50, spansPerSecond: 100 },
  prod: { podsPerService: 10, nodes: 10, linesPerSecond: 500, spansPerSecond: 1000 },
};

/** Seconds of each phase: the full run, or the short one CI runs (still the real binaries). */
export interface Durations {
  /** Before sampling counts as steady: WAL, head and caches fill, first rule evaluations. */
  readonly warmUp: number;
  readonly steady: number;
  /** Each ramp step of a ceiling search. */
  readonly step: number;
  /** Ramp steps at most, per ingest path. */
  readonly steps: number;
}

export const DURATIONS: Readonly<Record<"full" | "short", Durations>> = {
  full: { warmUp: 30, steady: 60, step: 20, steps: 4 },
  short: { warmUp: 8, steady: 10, step: 10, steps: 1 },
};
