import { parseQuantity } from "./quantity";

/**
 * Disk a span takes in a collector's persistent sending queue (the file_storage extension's
 * bbolt file), in the worst case measured with the real collector (v0.128): one span per request,
 * as tail sampling releases traces, with a Spring Boot span's resource and span attributes, 2.0 KiB;
 * in the apps' batches it is 0.5 KiB.
 */
export const QUEUED_SPAN_BYTES = 2048;

/** Room on the volume beyond the queued spans: bbolt's free pages and its doubling growth steps. */
const VOLUME_HEADROOM = 1.25;

export interface TraceQueueSizing {
  readonly outageMinutes: number;
  readonly spansPerSecond: number;
  readonly storageSize: string;
}

/** The spans one collector takes in during an outage of `outageMinutes` at `spansPerSecond`. */
export function outageSpans(queue: TraceQueueSizing): number {
  return queue.outageMinutes * 60 * queue.spansPerSecond;
}

/** The volume that holds those spans, in bytes. */
export function requiredQueueBytes(queue: TraceQueueSizing): number {
  return Math.ceil(outageSpans(queue) * QUEUED_SPAN_BYTES * VOLUME_HEADROOM);
}

/** How short `storageSize` falls of what the outage needs, or undefined when it holds it. */
export function queueVolumeShortfall(queue: TraceQueueSizing): string | undefined {
  const needed = requiredQueueBytes(queue);
  if (parseQuantity(queue.storageSize) >= needed) {
    return undefined;
  }
  return `must hold ${queue.outageMinutes} minutes at ${queue.spansPerSecond} spans/s: at least ${Math.ceil(needed / 2 ** 20)}Mi (${QUEUED_SPAN_BYTES} bytes per queued span, plus a quarter for the queue file's growth)`;
}
