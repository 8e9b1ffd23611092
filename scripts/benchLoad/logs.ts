// Log lines of the reference services' pods, in their Spring pattern with trace and span IDs,
// appended to the pods' CRI log files as containerd writes them; the real Alloy (node mode, the
// rendered config) tails them and pushes to the Loki stand-in, so its cost and its limits are in
// the numbers.
import { LogPod, hex, writePodLog } from "../../tests/kit/localServers";
import { springLine } from "../../tests/kit/springLogs";

const MESSAGES = [
  ["INFO", "Completed GET /api/tickets in 23 ms"],
  ["INFO", "Reserved seat A-12 for user 48213"],
  ["DEBUG", "HikariPool-1 - Pool stats (total=10, active=2, idle=8, waiting=0)"],
  ["WARN", "CircuitBreaker 'payment' is HALF_OPEN: permitted calls 10"],
  ["ERROR", "Payment 7731 declined: gateway timeout after 3000 ms"],
] as const;

/** The bench's service pods (name, service, namespace) as the node agent discovers them, all on `node`. */
export function logPods(pods: readonly (readonly [string, string, string])[], node: string): LogPod[] {
  return pods.map(([name, service, namespace], i) => ({
    namespace,
    name,
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    container: service,
    labels: { "app.kubernetes.io/name": service },
    node,
    ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`,
  }));
}

let written = 0;

/** The next `count` lines, round robin over the pods: mostly INFO, as a healthy service logs; one in fifty an ERROR. */
function nextLines(pods: readonly LogPod[], count: number): Map<LogPod, string[]> {
  const byPod = new Map<LogPod, string[]>();
  for (let i = 0; i < count; i++) {
    const pod = pods[written % pods.length];
    const [level, message] = MESSAGES[written % 50 === 0 ? 4 : written % 10 === 0 ? 3 : written % 3];
    byPod.set(pod, [...(byPod.get(pod) ?? []), springLine(level, pod.container, hex(16), hex(8), message)]);
    written++;
  }
  return byPod;
}

/** Appends `count` lines to the pods' log files under `dir`. */
export function writeLogs(dir: string, pods: readonly LogPod[], count: number): void {
  nextLines(pods, count).forEach((lines, pod) => writePodLog(dir, pod, lines));
}
