// The parsed constructs (logqlQuery.ts) evaluated over a tenant's streams as Loki evaluates them:
// label matchers anchored RE2 regexes and line filters unanchored ones; an entry's labels are its
// stream's, its structured metadata and what `| json` / `| logfmt` extract; a range aggregation at
// time t counts the entries in (t - offset - range, t - offset].
import { RE2JS } from "re2js";
import { Labels, labelsKey, sortedLabels } from "./labels";
import { StoredStream, firstAtOrAfter } from "./logStore";
import { LabelMatcher, LogQuery, LogqlNotEvaluated, MetricQuery, PipelineStage } from "./logqlQuery";

const regexCache = new Map<string, RE2JS>();
const regex = (pattern: string): RE2JS => {
  let compiled = regexCache.get(pattern);
  if (compiled === undefined) {
    compiled = RE2JS.compile(pattern);
    regexCache.set(pattern, compiled);
  }
  return compiled;
};
const fullMatch = (pattern: string, text: string): boolean => regex(`^(?:${pattern})$`).matches(text);

export function matches(matcher: LabelMatcher, labels: Labels): boolean {
  const value = labels[matcher.name] ?? "";
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return fullMatch(matcher.value, value);
    default:
      return !fullMatch(matcher.value, value);
  }
}

/**
 * Loki refuses a selector every matcher of which an empty value satisfies: it would select every
 * stream.
 */
export function selectorProblem(selector: readonly LabelMatcher[]): string | undefined {
  return selector.some((m) => !matches(m, {}))
    ? undefined
    : `queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will`;
}

/** An entry after the pipeline: its time, line and labels. */
export interface EvaluatedEntry {
  readonly timestamp: bigint;
  readonly line: string;
  readonly labels: Labels;
}

/** The name Loki gives an extracted key: characters outside [a-zA-Z0-9_] become `_`. */
const sanitize = (key: string): string => {
  const name = key.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(name) ? `_${name}` : name;
};

/** Adds an extracted label; one the entry already has is kept and the new one suffixed `_extracted`. */
function extract(labels: Record<string, string>, original: Labels, key: string, value: string): void {
  const name = sanitize(key);
  labels[original[name] !== undefined ? `${name}_extracted` : name] = value;
}

function jsonLabels(line: string, labels: Labels): Labels {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ...labels, __error__: "JSONParserErr" };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { ...labels, __error__: "JSONParserErr" };
  }
  const out: Record<string, string> = { ...labels };
  const walk = (object: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(object)) {
      const name = prefix === "" ? key : `${prefix}_${key}`;
      if (value !== null && typeof value === "object") {
        if (!Array.isArray(value)) {
          walk(value as Record<string, unknown>, name);
        }
      } else {
        extract(out, labels, name, value === null ? "" : String(value as string | number | boolean));
      }
    }
  };
  walk(parsed as Record<string, unknown>, "");
  return out;
}

const LOGFMT_PAIR = /\s*([^\s="]+)(?:=("(?:[^"\\]|\\.)*"|[^\s"]*))?/y;

function logfmtLabels(line: string, labels: Labels): Labels {
  const out: Record<string, string> = { ...labels };
  LOGFMT_PAIR.lastIndex = 0;
  while (LOGFMT_PAIR.lastIndex < line.length) {
    const start = LOGFMT_PAIR.lastIndex;
    const match = LOGFMT_PAIR.exec(line);
    if (match === null || LOGFMT_PAIR.lastIndex === start) {
      if (line.slice(start).trim() === "") {
        break;
      }
      return { ...labels, __error__: "LogfmtParserErr" };
    }
    const raw = match[2] ?? "";
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    extract(out, labels, match[1], value);
  }
  return out;
}

function lineFilterKeeps(stage: PipelineStage & { kind: "lineFilter" }, line: string): boolean {
  switch (stage.op) {
    case "|=":
      return line.includes(stage.value);
    case "!=":
      return !line.includes(stage.value);
    case "|~":
      return regex(stage.value).matcher(line).find();
    default:
      return !regex(stage.value).matcher(line).find();
  }
}

/** The entry's labels after the pipeline, or undefined when a filter drops it. */
function runPipeline(pipeline: readonly PipelineStage[], line: string, start: Labels): Labels | undefined {
  let labels = start;
  for (const stage of pipeline) {
    if (stage.kind === "lineFilter") {
      if (!lineFilterKeeps(stage, line)) {
        return undefined;
      }
    } else if (stage.kind === "json") {
      labels = jsonLabels(line, labels);
    } else if (stage.kind === "logfmt") {
      labels = logfmtLabels(line, labels);
    } else if (!matches(stage.matcher, labels)) {
      return undefined;
    }
  }
  return labels;
}

/** The entries of `query` in [fromNs, toNs) (to inclusive where `toInclusive`), oldest first per stream. */
export function selectEntries(
  streams: readonly StoredStream[],
  query: LogQuery,
  fromNs: bigint,
  toNs: bigint,
  fromExclusive = false,
): EvaluatedEntry[] {
  const selected: EvaluatedEntry[] = [];
  for (const stream of streams) {
    if (!query.selector.every((m) => matches(m, stream.labels))) {
      continue;
    }
    const first = firstAtOrAfter(stream.entries, fromNs, !fromExclusive);
    for (let i = first; i < stream.entries.length && stream.entries[i].timestamp < toNs; i++) {
      const entry = stream.entries[i];
      const labels = runPipeline(query.pipeline, entry.line, { ...stream.labels, ...entry.metadata });
      if (labels !== undefined) {
        selected.push({ timestamp: entry.timestamp, line: entry.line, labels: sortedLabels(labels) });
      }
    }
  }
  return selected;
}

/** A series of an instant vector: its labels and value. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

const NS_PER_MS = 1_000_000n;

/** The value of `query` at `atNs`, as an instant vector. */
export function evaluateAt(streams: readonly StoredStream[], query: MetricQuery, atNs: bigint): Sample[] {
  switch (query.kind) {
    case "range": {
      const endNs = atNs - BigInt(query.offsetMs) * NS_PER_MS;
      const startNs = endNs - BigInt(query.rangeMs) * NS_PER_MS;
      // (start, end]: after start, up to and including end.
      const entries = selectEntries(streams, query.log, startNs, endNs + 1n, true);
      const counts = new Map<string, Sample>();
      for (const entry of entries) {
        if (entry.labels.__error__ !== undefined) {
          throw new LogqlNotEvaluated(
            `pipeline error: '${entry.labels.__error__}' for series: '${JSON.stringify(entry.labels)}'; filter it out with | __error__=""`,
          );
        }
        const key = labelsKey(entry.labels);
        counts.set(key, { labels: entry.labels, value: (counts.get(key)?.value ?? 0) + 1 });
      }
      const perSecond = query.op === "rate" ? query.rangeMs / 1000 : 1;
      return [...counts.values()].map((s) => ({ labels: s.labels, value: s.value / perSecond }));
    }
    case "sum": {
      const groups = new Map<string, Sample>();
      for (const sample of evaluateAt(streams, query.inner, atNs)) {
        const grouping = query.grouping;
        const labels =
          grouping === undefined
            ? {}
            : Object.fromEntries(
                Object.entries(sample.labels).filter(
                  ([name]) => grouping.labels.includes(name) === grouping.by,
                ),
              );
        const key = labelsKey(labels);
        groups.set(key, {
          labels: sortedLabels(labels),
          value: (groups.get(key)?.value ?? 0) + sample.value,
        });
      }
      return [...groups.values()];
    }
    case "compare":
      return evaluateAt(streams, query.vector, atNs).filter((sample) => {
        const [a, b] = query.scalarFirst ? [query.scalar, sample.value] : [sample.value, query.scalar];
        switch (query.op) {
          case ">":
            return a > b;
          case ">=":
            return a >= b;
          case "<":
            return a < b;
          case "<=":
            return a <= b;
          case "==":
            return a === b;
          default:
            return a !== b;
        }
      });
    case "unless": {
      const right = new Set(evaluateAt(streams, query.right, atNs).map((s) => labelsKey(s.labels)));
      return evaluateAt(streams, query.left, atNs).filter((s) => !right.has(labelsKey(s.labels)));
    }
    case "labelReplace":
      return evaluateAt(streams, query.inner, atNs).map((sample) => ({
        labels: labelReplaced(sample.labels, query),
        value: sample.value,
      }));
  }
}

/** Prometheus' label_replace: where the source label's whole value matches, the destination is set. */
function labelReplaced(labels: Labels, query: MetricQuery & { kind: "labelReplace" }): Labels {
  const matcher = regex(`^(?:${query.regex})$`).matcher(labels[query.source] ?? "");
  if (!matcher.matches()) {
    return labels;
  }
  const value = query.replacement.replace(
    /\$(?:\{(\w+)\}|(\w+))/g,
    (_, braced: string | undefined, bare: string | undefined) => {
      const ref = braced ?? (bare as string);
      const group = /^[0-9]+$/.test(ref) ? matcher.group(Number(ref)) : matcher.group(ref);
      return group ?? "";
    },
  );
  const out: Record<string, string> = { ...labels };
  if (value === "") {
    delete out[query.destination];
  } else {
    out[query.destination] = value;
  }
  return sortedLabels(out);
}
