// An application's tracing as the OpenTelemetry Java SDK does it by default, for the fault tests:
// spans are ended at a steady rate into the BatchSpanProcessor's queue (2048 spans, dropping
// beyond), which exports up to 512 at a time every 5 s, one export at a time, through the
// OTLP/HTTP exporter with its default RetryPolicy (5 attempts, backoff 1 s growing 1.5x to at most
// 5 s, each wait jittered 0.8-1.2x; retried on connection failures and on 429/502/503/504). Each
// span is its own trace, so the sink's trace count is its span count. The numbers it keeps are the
// SDK's own view: what it dropped, gave up on, and saw acknowledged.
import { hex } from "../kit/localServers";
import { sleep } from "../kit/sleep";

const MAX_QUEUE_SIZE = 2048;
const MAX_EXPORT_BATCH_SIZE = 512;
const SCHEDULE_DELAY_MS = 5000;
const MAX_ATTEMPTS = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

interface QueuedSpan {
  readonly traceId: string;
  readonly endedAt: number;
}

interface AppStats {
  /** Spans the app ended. */
  ended: number;
  /** Dropped because the processor's queue was full. */
  droppedQueueFull: number;
  /** Given up on after the last attempt. */
  failed: number;
  /** Acknowledged (2xx) by the collector. */
  acknowledged: number;
  /** Every acknowledged span: when, and whether only a retry got it through. */
  readonly acks: { readonly traceId: string; readonly at: number; readonly retried: boolean }[];
}

interface OtlpApp {
  readonly stats: AppStats;
  /** Stops ending spans, flushes the queue (as the SDK's shutdown does) and resolves when done. */
  stop(): Promise<void>;
  /** Resolves within milliseconds of the collector's next acknowledgement; fails after `timeoutMs`. */
  nextAcknowledgement(timeoutMs?: number): Promise<void>;
}

function payload(service: string, spans: readonly QueuedSpan[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: "io.opentelemetry.spring-webmvc-6.0" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: hex(8),
              name: "GET /api/tickets",
              kind: 2,
              startTimeUnixNano: String(BigInt(s.endedAt - 20) * 1_000_000n),
              endTimeUnixNano: String(BigInt(s.endedAt) * 1_000_000n),
              attributes: [{ key: "http.request.method", value: { stringValue: "GET" } }],
              status: {},
            })),
          },
        ],
      },
    ],
  };
}

/** One export with the default retry policy: true when acknowledged, and after how many attempts. */
async function exportBatch(url: string, body: string): Promise<{ ok: boolean; attempts: number }> {
  let backoff = INITIAL_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    let retryable: boolean;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
      if (response.ok) {
        return { ok: true, attempts: attempt };
      }
      retryable = RETRYABLE_STATUS.has(response.status);
    } catch {
      retryable = true; // connection refused or reset
    }
    if (!retryable || attempt >= MAX_ATTEMPTS) {
      return { ok: false, attempts: attempt };
    }
    await sleep(backoff * (0.8 + Math.random() * 0.4));
    backoff = Math.min(backoff * BACKOFF_MULTIPLIER, MAX_BACKOFF_MS);
  }
}

/** Starts an app ending `spansPerSecond` spans, exporting to the collector's OTLP/HTTP `url`. */
export function startOtlpApp(url: string, service: string, spansPerSecond: number): OtlpApp {
  const stats: AppStats = {
    ended: 0,
    droppedQueueFull: 0,
    failed: 0,
    acknowledged: 0,
    acks: [],
  };
  const queue: QueuedSpan[] = [];
  let running = true;
  // Timers fire every few milliseconds at best: each tick ends the spans due since the last one.
  let due = 0;
  let lastTick = Date.now();
  const producer = setInterval(() => {
    const now = Date.now();
    due += ((now - lastTick) * spansPerSecond) / 1000;
    lastTick = now;
    for (; due >= 1; due--) {
      stats.ended++;
      if (queue.length >= MAX_QUEUE_SIZE) {
        stats.droppedQueueFull++;
      } else {
        queue.push({ traceId: hex(16), endedAt: now });
      }
    }
  }, 10);

  const worker = (async () => {
    let lastExport = Date.now();
    while (running || queue.length > 0) {
      const due = Date.now() - lastExport >= SCHEDULE_DELAY_MS;
      if (queue.length < MAX_EXPORT_BATCH_SIZE && !due && running) {
        await sleep(50);
        continue;
      }
      lastExport = Date.now();
      const batch = queue.splice(0, MAX_EXPORT_BATCH_SIZE);
      if (batch.length === 0) {
        continue;
      }
      const { ok, attempts } = await exportBatch(url, JSON.stringify(payload(service, batch)));
      if (ok) {
        const at = Date.now();
        stats.acknowledged += batch.length;
        stats.acks.push(...batch.map((s) => ({ traceId: s.traceId, at, retried: attempts > 1 })));
      } else {
        stats.failed += batch.length;
      }
    }
  })();

  return {
    stats,
    stop: async () => {
      clearInterval(producer);
      running = false;
      await worker;
    },
    nextAcknowledgement: async (timeoutMs = 30000) => {
      const before = stats.acknowledged;
      const deadline = Date.now() + timeoutMs;
      while (stats.acknowledged === before) {
        if (Date.now() > deadline) {
          throw new Error(
            `the collector acknowledged no export within ${timeoutMs} ms (${stats.failed} spans failed)`,
          );
        }
        await sleep(2);
      }
    },
  };
}
