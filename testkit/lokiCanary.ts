// Loki's canary (loki-canary, built with Loki from tools/loki) with the rendered flags, against a
// local Loki. Its stdout goes where the kubelet would put it: the pod's CRI log file, which the
// real Alloy tails (startAlloy), so its lines take the apps' path; or it pushes straight to Loki.
import { CANARY_POD_VARIABLE } from "../components/logs/canaryWorkload";
import { LOKI_CANARY } from "../components/logs/names";
import { KubeObject } from "../render/manifest";
import { samples } from "./expositions";
import { LogPod, writePodLog } from "./localServers";
import { Running, Servers, eventually, freePort } from "./processes";
import { containerArgs, containerEnv } from "./rendered";
import { tools } from "./tools";

/** The canary's counters (pkg/canary/comparator), read from its /metrics. */
export interface CanaryCounts {
  /** Lines it wrote (`loki_canary_entries_total`). */
  readonly written: number;
  /** Lines not found by its tail or by a direct query within `-max-wait`. */
  readonly missing: number;
  /** Lines not seen on its tail within `-wait`: late, not necessarily lost. */
  readonly late: number;
  readonly duplicates: number;
  /** Lines that came back but that it never wrote, or after it had counted them missing. */
  readonly unexpected: number;
}

export interface LocalCanary extends Running {
  /** Its counters now. */
  counts(): Promise<CanaryCounts>;
  /** While on, the canary's stdout lines are not written to the pod log: a runtime losing them. */
  dropLines(on: boolean): void;
  /** Canary lines the test dropped, and those it passed to the pod log (pod-log mode only). */
  readonly stdout: { readonly dropped: number; readonly forwarded: number };
}

interface CanaryOptions {
  /** Write its stdout and stderr to this pod's log file under `dir`, for Alloy; without it, `-push`. */
  readonly podLog?: { readonly dir: string; readonly pod: LogPod };
  /** Flag values to set beside the rendered ones, e.g. shorter `-wait` and `-max-wait` for a test. */
  readonly flags?: Readonly<Record<string, string>>;
}

/** A canary line: its timestamp in Unix nanoseconds and the padding (pkg/canary/writer). */
const CANARY_LINE = /^[0-9]+ p+$/;

const COUNTERS: Readonly<Record<keyof CanaryCounts, string>> = {
  written: "loki_canary_entries_total",
  missing: "loki_canary_missing_entries_total",
  late: "loki_canary_websocket_missing_entries_total",
  duplicates: "loki_canary_duplicate_entries_total",
  unexpected: "loki_canary_unexpected_entries_total",
};

/**
 * Starts loki-canary with the rendered Deployment's flags and environment. Rewritten: Loki's address (`lokiBase`),
 * the metrics port, and the pod name the kubelet would substitute. Ready once it serves /metrics.
 */
export async function startLokiCanary(
  servers: Servers,
  objects: readonly KubeObject[],
  lokiBase: string,
  options: CanaryOptions = {},
): Promise<LocalCanary> {
  const port = await freePort();
  const podName = options.podLog?.pod.name ?? "loki-canary-local";
  const args = containerArgs(objects, LOKI_CANARY.name, {
    "-addr": new URL(lokiBase).host,
    "-port": String(port),
    ...options.flags,
  }).map((arg) => arg.replace(`$(${CANARY_POD_VARIABLE})`, podName));
  const rendered = new Set(args.map((arg) => arg.split("=")[0]));
  const added = Object.entries(options.flags ?? {})
    .filter(([flag]) => !rendered.has(flag))
    .map(([flag, value]) => `${flag}=${value}`);
  const base = `http://127.0.0.1:${port}`;
  // Its first line may come before /metrics answers: the pod log is wired before waiting for it.
  const server = await servers.start(
    tools.lokiCanary(),
    [...args, ...added, ...(options.podLog === undefined ? ["-push"] : [])],
    () => Promise.resolve(true),
    { env: containerEnv(objects, LOKI_CANARY.name) },
  );

  const stdout = { dropped: 0, forwarded: 0 };
  let dropping = false;
  const podLog = options.podLog;
  if (podLog !== undefined) {
    const forward = (stream: "stdout" | "stderr") => {
      let partial = "";
      server.process[stream]?.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop() ?? "";
        const kept = lines.filter((line) => {
          if (stream === "stderr" || !CANARY_LINE.test(line)) {
            return true;
          }
          stdout[dropping ? "dropped" : "forwarded"] += 1;
          return !dropping;
        });
        writePodLog(podLog.dir, podLog.pod, kept, stream);
      });
    };
    forward("stdout");
    forward("stderr");
  }

  await eventually(
    async () => ((await fetch(`${base}/metrics`)).ok ? true : undefined),
    "loki-canary's metrics",
  );
  return {
    base,
    server,
    stdout,
    dropLines: (on) => {
      dropping = on;
    },
    counts: async () => {
      const all = samples(await (await fetch(`${base}/metrics`)).text());
      const value = (name: string) => all.find((s) => s.name === name)?.value ?? 0;
      return Object.fromEntries(
        Object.entries(COUNTERS).map(([key, name]) => [key, value(name)]),
      ) as unknown as CanaryCounts;
    },
  };
}
