import type * as k8s from "@pulumi/kubernetes";

type Probe = k8s.types.input.core.v1.Probe;

interface ProbeTiming {
  /** @default 10 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

function timing(t: ProbeTiming): Probe {
  return {
    initialDelaySeconds: t.initialDelaySeconds ?? 10,
    periodSeconds: t.periodSeconds ?? 10,
    timeoutSeconds: t.timeoutSeconds ?? 5,
    failureThreshold: t.failureThreshold ?? 3,
  };
}

/** An HTTP GET probe on a named or numbered container port. */
export function httpProbe(port: number | string, path: string, t: ProbeTiming = {}): Probe {
  return { httpGet: { path, port }, ...timing(t) };
}

/** A TCP connect probe, for servers without a health endpoint. */
export function tcpProbe(port: number | string, t: ProbeTiming = {}): Probe {
  return { tcpSocket: { port }, ...timing(t) };
}

/** A command run in the container, for a server the kubelet cannot reach (one bound to the node's loopback). */
export function execProbe(command: readonly string[], t: ProbeTiming = {}): Probe {
  return { exec: { command: [...command] }, ...timing(t) };
}

/**
 * Failures a liveness probe tolerates: a minute of a busy or briefly blocked process (a large
 * query, a compaction, a GC pause) is not a wedged one, and a restart would only lose its state.
 */
export const LIVENESS_FAILURES = 6;
