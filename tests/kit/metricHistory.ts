// Metrics history as Prometheus would have written it over weeks: OpenMetrics text per block range,
// turned into TSDB blocks by the real `promtool tsdb create-blocks-from openmetrics`.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { tools } from "./tools";

const run = promisify(execFile);

const TWO_HOURS_S = 2 * 3600;

/** One metric family of the history: its series' labels, and each series' value at a time. */
export interface HistoryFamily {
  /** The family name; a counter's samples are `<name>_total`. */
  readonly name: string;
  readonly type: "counter" | "gauge";
  readonly series: readonly Readonly<Record<string, string>>[];
  /** The value of series `index` at `seconds` (Unix time); none where it is undefined (an outage). */
  readonly value: (index: number, seconds: number) => number | undefined;
  /** Samples every this many seconds from the spec's `from`, instead of the spec's step. */
  readonly stepSeconds?: number;
}

export interface HistorySpec {
  readonly families: readonly HistoryFamily[];
  /** First and last sample time, in Unix seconds; samples fall every `stepSeconds` from `from` (a family's own where it has one). */
  readonly from: number;
  readonly to: number;
  readonly stepSeconds: number;
  /**
   * The range of each block, as Prometheus' own compaction makes them: 2 hours times a power of
   * three (2h, 6h, 18h, 54h, 162h). Blocks never overlap: each holds one aligned range.
   */
  readonly blockHours: number;
}

export interface WrittenHistory {
  readonly blocks: number;
  readonly samples: number;
}

const escape = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labelText = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(",");

/** Lines are written to the file in batches this large: a block's text may not fit in one string. */
const BATCH_LINES = 10000;

/**
 * Writes the OpenMetrics text of the samples in [start, end) to `file`, family by family, each
 * sample in time order; returns how many samples it holds.
 */
function writeOpenMetrics(spec: HistorySpec, start: number, end: number, file: string): number {
  const fd = fs.openSync(file, "w");
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) fs.writeSync(fd, `${lines.join("\n")}\n`);
    lines = [];
  };
  const write = (line: string) => {
    lines.push(line);
    if (lines.length >= BATCH_LINES) flush();
  };
  let samples = 0;
  try {
    for (const family of spec.families) {
      const step = family.stepSeconds ?? spec.stepSeconds;
      const first = spec.from + Math.ceil((start - spec.from) / step) * step;
      const metric = family.type === "counter" ? `${family.name}_total` : family.name;
      const series = family.series.map((labels) => `${metric}{${labelText(labels)}} `);
      write(`# TYPE ${family.name} ${family.type}`);
      for (let t = Math.max(first, spec.from); t < end && t <= spec.to; t += step) {
        series.forEach((prefix, i) => {
          const value = family.value(i, t);
          if (value === undefined) return;
          write(`${prefix}${value} ${t}`);
          samples++;
        });
      }
    }
    write("# EOF");
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return samples;
}

/**
 * Writes the history into `dir` as blocks of `blockHours`, one promtool run per block range, so
 * each block is parsed once and none overlaps another.
 */
export async function writeHistoryBlocks(dir: string, spec: HistorySpec): Promise<WrittenHistory> {
  const blockSeconds = spec.blockHours * 3600;
  const power = Math.round(Math.log(blockSeconds / TWO_HOURS_S) / Math.log(3));
  if (TWO_HOURS_S * 3 ** power !== blockSeconds) {
    throw new Error(`blocks of ${spec.blockHours}h: promtool makes 2h times a power of three`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(dir, "..", "openmetrics-"));
  let blocks = 0;
  let samples = 0;
  try {
    for (
      let start = Math.floor(spec.from / blockSeconds) * blockSeconds;
      start <= spec.to;
      start += blockSeconds
    ) {
      const file = path.join(scratch, `${start}.om`);
      const written = writeOpenMetrics(spec, start, start + blockSeconds, file);
      if (written === 0) {
        fs.rmSync(file);
        continue;
      }
      await run(
        tools.promtool(),
        [
          "tsdb",
          "create-blocks-from",
          `--max-block-duration=${spec.blockHours}h`,
          "openmetrics",
          "-q",
          file,
          dir,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      fs.rmSync(file);
      blocks++;
      samples += written;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { blocks, samples };
}
