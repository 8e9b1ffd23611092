// A Kubernetes Service in front of a workload's pods, on 127.0.0.1: each request goes to the next
// ready endpoint in turn. An endpoint leaves when its pod stops being ready (the test says so the
// moment it stops or kills a process, as the kubelet reports a container's exit) or fails its
// readiness probe `failureThreshold` times in a row; it comes back once the probe passes again. Nothing is retried: a request that
// reaches a process as it dies fails, as it would through kube-proxy.
import * as http from "http";
import * as net from "net";

/** The response header naming the endpoint that answered. */
export const ENDPOINT_HEADER = "x-service-endpoint";

export interface ServiceStandIn {
  readonly base: string;
  /** Takes an endpoint out until its readiness probe passes again. */
  notReady(endpoint: string): void;
  /** The endpoints that receive requests now. */
  ready(): readonly string[];
  close(): Promise<void>;
}

/** A readiness probe as a pod spec gives it. */
export interface ReadinessProbe {
  readonly path: string;
  readonly periodMs: number;
  readonly failureThreshold: number;
}

/** Proxies to `endpoints` (base URLs), probing each as `probe` says. */
export async function startServiceStandIn(
  endpoints: readonly string[],
  readiness: ReadinessProbe,
): Promise<ServiceStandIn> {
  const ready = new Set<string>();
  const pending = new Set<string>();
  const failures = new Map<string, number>();
  let next = 0;
  const probe = async (endpoint: string) => {
    const ok = await fetch(`${endpoint}${readiness.path}`, {
      signal: AbortSignal.timeout(readiness.periodMs),
    })
      .then((r) => r.ok)
      .catch(() => false);
    failures.set(endpoint, ok ? 0 : (failures.get(endpoint) ?? 0) + 1);
    if (!ok && (failures.get(endpoint) ?? 0) >= readiness.failureThreshold) {
      ready.delete(endpoint);
    } else if (ok && !pending.delete(endpoint)) {
      ready.add(endpoint);
    }
  };
  await Promise.all(endpoints.map(probe));
  const prober = setInterval(() => endpoints.forEach((e) => void probe(e)), readiness.periodMs);

  const pick = (): string | undefined => {
    const live = endpoints.filter((e) => ready.has(e));
    return live.length === 0 ? undefined : live[next++ % live.length];
  };
  const server = http.createServer((req, res) => {
    const endpoint = pick();
    if (endpoint === undefined) {
      res.writeHead(503);
      res.end("no ready endpoint");
      return;
    }
    const target = new URL(req.url ?? "/", endpoint);
    const upstream = http.request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [ENDPOINT_HEADER]: target.origin });
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      if (!res.headersSent) {
        res.writeHead(502);
      }
      res.end(`upstream ${target.host}: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    notReady: (endpoint) => {
      ready.delete(endpoint);
      // A probe in flight when the process stopped may still pass: the one after it decides.
      pending.add(endpoint);
    },
    ready: () => endpoints.filter((e) => ready.has(e)),
    close: () =>
      new Promise((resolve) => {
        clearInterval(prober);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
