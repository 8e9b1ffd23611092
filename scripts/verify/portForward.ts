import * as k8s from "@kubernetes/client-node";
import * as net from "net";

interface Closable {
  close(): void;
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
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    forward
      .portForward(namespace, pod, [port], socket, null, socket)
      // A WebSocket, or a getter of the current one when the client reconnects (not asked for here).
      .then((connection: unknown) => {
        const ws = (
          typeof connection === "function" ? (connection as () => unknown)() : connection
        ) as Closable | null;
        socket.on("close", () => ws?.close());
      })
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
