import * as k8s from "@kubernetes/client-node";
import * as net from "net";
import { PassThrough } from "stream";

interface Closable {
  close(): void;
}

/** Closes what PortForward returns: a WebSocket, or a getter of the current one when it reconnects. */
function closeStream(connection: unknown): void {
  const ws = (
    typeof connection === "function" ? (connection as () => unknown)() : connection
  ) as Closable | null;
  ws?.close();
}

export interface LocalForward {
  /** `http://127.0.0.1:<local port>`. */
  readonly base: string;
  close(): Promise<void>;
}

/**
 * What `kubectl port-forward pod/<pod> :<port>` does: a listener on 127.0.0.1 whose every
 * connection is streamed through the API server to the pod's port. Nothing in the cluster
 * changes; closing it closes every stream.
 */
export async function forwardToPod(
  kubeConfig: k8s.KubeConfig,
  namespace: string,
  pod: string,
  port: number,
): Promise<LocalForward> {
  const forward = new k8s.PortForward(kubeConfig, true);
  // One stream first, so that a refusal (no kubelet streaming, RBAC without pods/portforward) is
  // reported as such rather than as a reset connection on every request.
  const probe = new PassThrough();
  const first = await forward
    .portForward(namespace, pod, [port], new PassThrough(), null, probe)
    .then((connection: unknown) => connection)
    .catch((error: unknown) => {
      throw new Error(
        `the API server refused a port-forward to pod ${namespace}/${pod}:${port}: ${(error as { message?: string }).message ?? String(error)}`,
      );
    });
  closeStream(first);
  probe.end();

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    forward
      .portForward(namespace, pod, [port], socket, null, socket)
      .then((connection: unknown) => socket.on("close", () => closeStream(connection)))
      // The HTTP client sees the connection reset and reports the request failed.
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port: local } = server.address() as net.AddressInfo;
  return {
    base: `http://127.0.0.1:${local}`,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
