// What the stand-in keeps: each tenant's streams in memory, with the acceptance rules Loki documents
// for a push (limits_config and "accept out-of-order writes" in Loki's configuration docs).
import { Labels, labelsKey, sortedLabels } from "./labels";
import { PushedStream } from "./pushRequest";

export interface StoredEntry {
  readonly timestamp: bigint;
  readonly line: string;
  readonly metadata: Labels;
}

export interface StoredStream {
  readonly labels: Labels;
  /** In timestamp order. */
  readonly entries: StoredEntry[];
}

/** The rendered limits the stand-in applies, with Loki's defaults where the config sets none. */
export interface StoreLimits {
  /** reject_old_samples_max_age, when reject_old_samples is on. */
  readonly rejectOlderThanNs?: bigint;
  /** Half the ingester's max_chunk_age (default 2h): how far behind a stream's newest entry a write may be. */
  readonly outOfOrderWindowNs: bigint;
  /** max_line_size in bytes (0: no limit). */
  readonly maxLineBytes: number;
  /** max_label_names_per_series. */
  readonly maxLabelNames: number;
}

/**
 * The labels Loki looks for, in order, to give a stream its `service_name` when it has none
 * (limits_config.discover_service_name's default); `unknown_service` when none is there.
 */
const SERVICE_NAME_SOURCES = [
  "service",
  "app",
  "application",
  "app_name",
  "name",
  "app_kubernetes_io_name",
  "container",
  "container_name",
  "k8s_container_name",
  "component",
  "workload",
  "job",
  "k8s_job_name",
];

function withServiceName(labels: Labels): Labels {
  if (labels.service_name !== undefined) {
    return labels;
  }
  const source = SERVICE_NAME_SOURCES.find((name) => labels[name] !== undefined && labels[name] !== "");
  return { ...labels, service_name: source === undefined ? "unknown_service" : labels[source] };
}

export interface PushOutcome {
  readonly accepted: number;
  /** Why entries or streams were refused, in Loki's words; the rest of the push is kept. */
  readonly refused: string[];
}

export class LogStore {
  private readonly tenants = new Map<string, Map<string, StoredStream>>();

  constructor(private readonly limits: StoreLimits) {}

  push(tenant: string, streams: readonly PushedStream[], nowNs: bigint): PushOutcome {
    const own = this.tenants.get(tenant) ?? new Map<string, StoredStream>();
    this.tenants.set(tenant, own);
    let accepted = 0;
    const refused: string[] = [];
    for (const pushed of streams) {
      const names = Object.keys(pushed.labels);
      if (names.length === 0) {
        refused.push("error at least one label pair is required per stream");
        continue;
      }
      if (names.length > this.limits.maxLabelNames) {
        refused.push(
          `entry for stream '${labelsText(pushed.labels)}' has ${names.length} label names; limit ${this.limits.maxLabelNames}`,
        );
        continue;
      }
      const labels = sortedLabels(withServiceName(pushed.labels));
      const key = labelsKey(labels);
      const stream = own.get(key) ?? { labels, entries: [] };
      for (const entry of pushed.entries) {
        const problem = this.refusal(stream, entry, nowNs);
        if (problem === "duplicate") {
          continue;
        }
        if (problem !== undefined) {
          refused.push(`entry for stream '${labelsText(labels)}' ${problem}`);
          continue;
        }
        insertInOrder(stream.entries, {
          timestamp: entry.timestamp,
          line: entry.line,
          metadata: entry.metadata,
        });
        accepted++;
      }
      if (stream.entries.length > 0) {
        own.set(key, stream);
      }
    }
    return { accepted, refused };
  }

  /** Every stream of a tenant. */
  streams(tenant: string): StoredStream[] {
    return [...(this.tenants.get(tenant)?.values() ?? [])];
  }

  /**
   * Why Loki would not store `entry`, or "duplicate" for an entry it drops silently: the same
   * timestamp and line as one the stream holds.
   */
  private refusal(stream: StoredStream, entry: StoredEntry, nowNs: bigint): string | undefined {
    if (this.limits.maxLineBytes > 0 && Buffer.byteLength(entry.line) > this.limits.maxLineBytes) {
      return `has a line of ${Buffer.byteLength(entry.line)} bytes, over max_line_size (${this.limits.maxLineBytes})`;
    }
    if (
      this.limits.rejectOlderThanNs !== undefined &&
      entry.timestamp < nowNs - this.limits.rejectOlderThanNs
    ) {
      return `has timestamp too old: ${nanosText(entry.timestamp)}`;
    }
    const newest = stream.entries.at(-1)?.timestamp;
    if (newest !== undefined && entry.timestamp < newest - this.limits.outOfOrderWindowNs) {
      return `entry too far behind, entry timestamp is: ${nanosText(entry.timestamp)}, oldest acceptable timestamp is: ${nanosText(newest - this.limits.outOfOrderWindowNs)}`;
    }
    for (let i = firstAtOrAfter(stream.entries, entry.timestamp); i < stream.entries.length; i++) {
      if (stream.entries[i].timestamp !== entry.timestamp) {
        break;
      }
      if (stream.entries[i].line === entry.line) {
        return "duplicate";
      }
    }
    return undefined;
  }
}

/** The index of the first entry at `timestamp` or later (entries in timestamp order). */
export function firstAtOrAfter(entries: readonly StoredEntry[], timestamp: bigint, inclusive = true): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid].timestamp < timestamp || (!inclusive && entries[mid].timestamp === timestamp)) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

/** Inserts after every entry with the same or an earlier timestamp, so equal ones keep push order. */
function insertInOrder(entries: StoredEntry[], entry: StoredEntry): void {
  entries.splice(firstAtOrAfter(entries, entry.timestamp, false), 0, entry);
}

const nanosText = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString();

const labelsText = (labels: Labels): string =>
  `{${Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(", ")}}`;
