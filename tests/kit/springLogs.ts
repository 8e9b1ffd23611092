// Log lines as the reference Spring services print them, and pushes as Alloy sends them to Loki:
// shared by the log path's server tests and the load bench.
import { SPAN_ID_REGEX, TRACE_ID_REGEX } from "../../components/logs/logPatterns";
import { hex } from "./localServers";

/** A line in the reference Spring pattern: `%5p [service,traceId,spanId]`. */
export function springLine(
  level: string,
  service: string,
  traceId: string,
  spanId: string,
  message: string,
): string {
  return `2026-11-22 10:00:00.000 ${level.padStart(5)} [${service},${traceId},${spanId}] 1 --- [nio-8080-exec-1] c.t.TicketController : ${message}`;
}

/**
 * A Spring Boot 3 console line (`%5p [service,traceId,spanId]`, the time now) carrying a sequence
 * number, so a fault test can tell which lines arrived and how often.
 */
export const faultProbeLine = (service: string, seq: number): string =>
  `${new Date().toISOString()}  INFO [${service},${hex(16)},${hex(8)}] 1 --- [nio-3002-exec-1] c.t.TicketController : fault probe seq=${seq}`;

/** The sequence number of a `faultProbeLine`. */
export const faultProbeSequence = (line: string): number => Number(/seq=(\d+)/.exec(line)?.[1]);

/**
 * A push as Alloy makes it: the stream labels its relabel rules and level stage set, and the trace
 * and span IDs as structured metadata, extracted with the very expressions Alloy's config uses.
 */
export function alloyPush(
  service: string,
  lines: readonly { level: string; line: string }[],
  pod = `${service}-7d9f8-abcde`,
) {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const byLevel = new Map<string, [string, string, Record<string, string>][]>();
  lines.forEach(({ level, line }, i) => {
    const metadata: Record<string, string> = {};
    const traceId = new RegExp(TRACE_ID_REGEX).exec(line)?.groups?.trace_id;
    const spanId = new RegExp(SPAN_ID_REGEX).exec(line)?.groups?.span_id;
    if (traceId !== undefined) metadata.trace_id = traceId;
    if (spanId !== undefined) metadata.span_id = spanId;
    const values = byLevel.get(level) ?? [];
    values.push([String(nowNs + BigInt(i)), line, metadata]);
    byLevel.set(level, values);
  });
  return {
    streams: [...byLevel].map(([level, values]) => ({
      stream: {
        namespace: "tiketi-spring",
        app: service,
        pod,
        container: service,
        level: level.toLowerCase(),
        cluster: "observability",
      },
      values,
    })),
  };
}
