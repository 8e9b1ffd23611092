// Issue 19, item 5: Loki (prod render, filesystem in place of S3) killed with SIGKILL while a log
// agent pushes, then started again on the same data directory and ports 5 s later, as its pod
// restarts. Every line pushed is queryable afterwards, once; the gap is measured from the kill
// until a line written after it is queryable.
//
// The agent is a stand-in: the real Alloy v1.10 does not build from the module proxy here (see the
// alloy branch's hand-off). It sends as Alloy's loki.write does, with the rendered endpoint's
// settings read from the rendered config.alloy: a batch every batch_wait, one batch at a time,
// retried on connection errors, 5xx and 429 with Loki's client backoff (the wait drawn from
// [d, 2d), d starting at min_backoff_period and doubling up to max_backoff_period) for
// max_backoff_retries, then dropped and counted, as loki_write_dropped_entries_total does. Lines
// wait in the source (a pod's log file) while a batch is being retried, as Alloy's tailer blocks.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../renderedStacks";
import { getJson } from "../support/http";
import { Servers, eventually, restartServer } from "../support/processes";
import { configMapData } from "../support/rendered";
import { logFault, seconds } from "./faultLog";
import { LocalLoki, hex, startLoki } from "./localStack";

type Json = Record<string, any>;

const SERVICE = "ticket-service";
/** The stream Alloy's relabel rules and level stage give a Spring pod's INFO lines. */
const STREAM = {
  namespace: "tiketi-spring",
  app: SERVICE,
  pod: `${SERVICE}-7d9f8c6b5-x2k4q`,
  container: SERVICE,
  level: "info",
};
const LINES_PER_SECOND = 50;
const BEFORE_KILL_MS = 10000;
const DOWN_MS = 5000;
const AFTER_RESTART_MS = 15000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The rendered loki.write endpoint's batching and retry settings, from config.alloy. */
function writeSettings(objects: readonly KubeObject[]) {
  const config = configMapData(objects, "alloy-config")["config.alloy"];
  const value = (name: string) => new RegExp(`${name} = "?([^"\\s]+)"?`).exec(config)?.[1] ?? "";
  const ms = (duration: string) => {
    const [, amount, unit] = /^(\d+)(ms|s|m)$/.exec(duration) ?? [];
    return Number(amount) * { ms: 1, s: 1000, m: 60000 }[unit as "ms" | "s" | "m"];
  };
  const externalLabels = Object.fromEntries(
    [.../(cluster|env) = "([^"]*)"/g[Symbol.matchAll](config)].map(([, k, v]) => [k, v]),
  );
  return {
    batchWaitMs: ms(value("batch_wait")),
    minBackoffMs: ms(value("min_backoff_period")),
    maxBackoffMs: ms(value("max_backoff_period")),
    maxRetries: Number(value("max_backoff_retries")),
    retryOn429: value("retry_on_http_429") === "true",
    externalLabels,
  };
}
type WriteSettings = ReturnType<typeof writeSettings>;

/** The shortest time the agent keeps retrying one batch: every wait at the low end of its range. */
const retryBudgetMs = (w: WriteSettings) =>
  Array.from({ length: w.maxRetries }, (_, i) => Math.min(w.minBackoffMs * 2 ** i, w.maxBackoffMs)).reduce(
    (a, b) => a + b,
    0,
  );

/** A Spring line in the reference pattern (`%5p [service,traceId,spanId]`), stamped when written. */
const springLine = (seq: number) =>
  `${new Date().toISOString().replace("T", " ").slice(0, 23)}  INFO [${SERVICE},${hex(16)},${hex(8)}] 1 --- [nio-3002-exec-1] c.t.TicketController : fault probe seq=${seq}`;

/** The stand-in agent: tails `source` (lines with their write time in ns) and pushes as loki.write does. */
function startAgent(loki: LocalLoki, w: WriteSettings, source: readonly [string, string][]) {
  const stats = { pushed: 0, dropped: 0, retries: 0 };
  let running = true;
  const push = async (values: [string, string][]): Promise<"ok" | "retry" | "drop"> => {
    try {
      const response = await fetch(`${loki.base}/loki/api/v1/push`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...loki.headers },
        body: JSON.stringify({ streams: [{ stream: { ...STREAM, ...w.externalLabels }, values }] }),
      });
      if (response.ok) {
        return "ok";
      }
      return response.status >= 500 || (response.status === 429 && w.retryOn429) ? "retry" : "drop";
    } catch {
      return "retry"; // connection refused
    }
  };
  const loop = (async () => {
    while (running || stats.pushed + stats.dropped < source.length) {
      await sleep(w.batchWaitMs);
      const batch = source.slice(stats.pushed + stats.dropped);
      if (batch.length === 0) {
        continue;
      }
      let [low, high] = [w.minBackoffMs, 2 * w.minBackoffMs];
      let outcome = await push(batch);
      for (let retry = 0; outcome === "retry" && retry < w.maxRetries; retry++) {
        stats.retries++;
        await sleep(low + Math.random() * (high - low));
        [low, high] = [Math.min(2 * low, w.maxBackoffMs), Math.min(2 * high, w.maxBackoffMs)];
        outcome = await push(batch);
      }
      stats[outcome === "ok" ? "pushed" : "dropped"] += batch.length;
    }
  })();
  return {
    stats,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** The probe lines Loki returns, by sequence number (a line Loki stored twice counts twice). */
async function storedSequence(loki: LocalLoki, since: number): Promise<number[]> {
  const params = new URLSearchParams({
    query: `{namespace="${STREAM.namespace}", app="${SERVICE}"} |= "fault probe"`,
    start: String(since * 1_000_000),
    end: String((Date.now() + 60000) * 1_000_000),
    limit: "5000",
    direction: "forward",
  });
  const { data } = await getJson(`${loki.base}/loki/api/v1/query_range?${params.toString()}`, loki.headers);
  return (data.result as Json[]).flatMap((stream) =>
    (stream.values as [string, string][]).map(([, line]) => Number(/seq=(\d+)/.exec(line)?.[1])),
  );
}

describe("Loki killed and restarted while the log agent pushes (prod render)", () => {
  const servers = new Servers();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fault-loki-"));
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("no line pushed is lost; the gap is measured", async () => {
    const { objects } = await rendered("prod");
    const lokiConfig = yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
    expect(lokiConfig.ingester.wal.enabled).toBe(true);
    const settings = writeSettings(objects);
    expect(settings).toMatchObject({
      batchWaitMs: 1000,
      minBackoffMs: 500,
      maxBackoffMs: 300000,
      maxRetries: 10,
    });
    // Nothing is sent to this Alertmanager address: the test makes no alert fire.
    const loki = await startLoki(servers, objects, dir, "http://127.0.0.1:9");
    const startedAt = Date.now();

    const source: [string, string][] = [];
    const writer = setInterval(() => {
      source.push([
        String(BigInt(Date.now()) * 1_000_000n + BigInt(source.length % 1000)),
        springLine(source.length),
      ]);
    }, 1000 / LINES_PER_SECOND);
    const agent = startAgent(loki, settings, source);

    await sleep(BEFORE_KILL_MS);
    const killedAt = Date.now();
    const firstAfterKill = source.length;
    loki.server.process.kill("SIGKILL");
    await sleep(DOWN_MS);
    await restartServer(servers, loki.server, `${loki.base}/ready`, { timeoutMs: 90000, cwd: dir });
    const readyAfterMs = Date.now() - killedAt;
    // Well inside the agent's retry budget; the test's own time bounds the wait.
    const gapMs = await eventually(
      async () =>
        (await storedSequence(loki, startedAt)).includes(firstAfterKill) ? Date.now() - killedAt : undefined,
      "a line written after the kill",
      90000,
    );
    await sleep(AFTER_RESTART_MS);
    clearInterval(writer);
    await agent.stop();
    const written = source.length;

    const stored = await eventually(
      async () => {
        const seq = await storedSequence(loki, startedAt);
        return new Set(seq).size === written ? seq : undefined;
      },
      "every written line in Loki",
      30000,
    ).catch(() => storedSequence(loki, startedAt));
    const distinct = new Set(stored);
    const missing = Array.from({ length: written }, (_, i) => i).filter((i) => !distinct.has(i));
    logFault({
      fault: `Loki SIGKILLed while the log agent pushes, restarted on the same data directory after ${seconds(DOWN_MS)} (prod render; agent: loki.write's rendered retry, Alloy itself not buildable here)`,
      sent: `${written} Spring lines at ${LINES_PER_SECOND}/s; the agent pushed ${agent.stats.pushed} after ${agent.stats.retries} retries, dropped ${agent.stats.dropped}`,
      arrived: `${distinct.size} distinct lines queryable by LogQL (${stored.length - distinct.size} duplicates)`,
      lost: `${missing.length} lines`,
      gap: `Loki ready ${seconds(readyAfterMs)} after the kill; the first line written after the kill queryable after ${seconds(gapMs)} (the agent retries at least ${seconds(retryBudgetMs(settings))})`,
    });
    expect(agent.stats.dropped).toBe(0);
    expect(missing).toEqual([]);
    expect(stored.length).toBe(written);
  }, 240000);
});
