// RSS and CPU of running processes from /proc, once a second: VmRSS from /proc/<pid>/status,
// utime+stime from /proc/<pid>/stat (clock ticks, 100 per second on Linux).
import * as fs from "fs";

const TICKS_PER_SECOND = 100;

/** VmRSS of a /proc/<pid>/status text, in bytes. */
export function rssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) {
    throw new Error("no VmRSS line in /proc/<pid>/status");
  }
  return Number(match[1]) * 1024;
}

/** utime+stime of a /proc/<pid>/stat line, in seconds. The command name may hold spaces and ")". */
export function cpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

interface Sample {
  /** Seconds since sampling began. */
  readonly at: number;
  readonly rss: number;
  /** Cores used since the previous sample. */
  readonly cpu: number;
}

export interface Summary {
  readonly steadyRss: number;
  readonly peakRss: number;
  readonly steadyCpu: number;
  readonly peakCpu: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
};

/** Steady = median of the samples from `from` seconds on; peak = their maximum. */
export function summarise(samples: readonly Sample[], from: number): Summary {
  const window = samples.filter((s) => s.at >= from);
  return {
    steadyRss: median(window.map((s) => s.rss)),
    peakRss: Math.max(0, ...window.map((s) => s.rss)),
    steadyCpu: median(window.map((s) => s.cpu)),
    peakCpu: Math.max(0, ...window.map((s) => s.cpu)),
  };
}

/** Samples each named process every second until stopped. A process that exits keeps its samples. */
export class Sampler {
  private readonly samples = new Map<string, Sample[]>();
  private readonly last = new Map<string, { at: number; cpu: number }>();
  private readonly start = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: ReadonlyMap<string, number>) {
    this.timer = setInterval(() => this.sample(), 1000);
    this.sample();
  }

  private sample(): void {
    const at = (Date.now() - this.start) / 1000;
    for (const [name, pid] of this.pids) {
      let status: string;
      let stat: string;
      try {
        status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue;
      }
      const cpu = cpuSeconds(stat);
      const previous = this.last.get(name);
      this.last.set(name, { at, cpu });
      if (previous !== undefined) {
        const list = this.samples.get(name) ?? [];
        list.push({ at, rss: rssBytes(status), cpu: (cpu - previous.cpu) / (at - previous.at) });
        this.samples.set(name, list);
      }
    }
  }

  /** Seconds since sampling began. */
  elapsed(): number {
    return (Date.now() - this.start) / 1000;
  }

  summary(name: string, from: number): Summary {
    return summarise(this.samples.get(name) ?? [], from);
  }

  /** The latest RSS of a process. */
  rss(name: string): number {
    const list = this.samples.get(name) ?? [];
    return list.length === 0 ? 0 : list[list.length - 1].rss;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
