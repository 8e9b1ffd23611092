// Log lines of the reference services' pods, in their Spring pattern with trace and span IDs, pushed
// to Loki's push API the way Alloy sends them (stream labels and structured metadata from Alloy's
// own expressions). The bench drives Loki directly: the real Alloy binary was not built on this
// branch's machine in time, so Alloy's own cost is not in these numbers.
import { hex } from "../../tests/live/localStack";
import { alloyPush, springLine } from "../../tests/support/springLogs";

const MESSAGES = [
  ["INFO", "Completed GET /api/tickets in 23 ms"],
  ["INFO", "Reserved seat A-12 for user 48213"],
  ["DEBUG", "HikariPool-1 - Pool stats (total=10, active=2, idle=8, waiting=0)"],
  ["WARN", "CircuitBreaker 'payment' is HALF_OPEN: permitted calls 10"],
  ["ERROR", "Payment 7731 declined: gateway timeout after 3000 ms"],
] as const;

let sent = 0;

/** One push of `count` lines spread over `pods` (pod name → its service), round robin. */
export function logPush(pods: readonly (readonly [string, string])[], count: number) {
  const byPod = new Map<string, { level: string; line: string }[]>();
  for (let i = 0; i < count; i++) {
    const [pod] = pods[sent % pods.length];
    // Mostly INFO, as a healthy service logs; one line in fifty an ERROR.
    const [level, message] = MESSAGES[sent % 50 === 0 ? 4 : sent % 10 === 0 ? 3 : sent % 3];
    const service = pods[sent % pods.length][1];
    byPod.set(pod, [
      ...(byPod.get(pod) ?? []),
      { level, line: springLine(level, service, hex(16), hex(8), message) },
    ]);
    sent++;
  }
  const services = new Map(pods);
  return {
    streams: [...byPod].flatMap(([pod, lines]) => alloyPush(services.get(pod) as string, lines, pod).streams),
  };
}
