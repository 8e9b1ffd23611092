// A TCP path to a server that a test can cut and restore, as a network outage cuts a client off
// from a service it reaches: while cut, open connections are dropped and new ones are closed at once.
import * as net from "net";

export interface TcpProxy {
  /** 127.0.0.1:port, where clients connect instead of the upstream. */
  readonly address: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Passes `client`'s bytes to `upstream` (host:port) and back, both sockets kept in `sockets` while open. */
export function pipeTo(client: net.Socket, upstream: string, sockets: Set<net.Socket>): void {
  const [host, port] = upstream.split(":");
  const backend = net.connect(Number(port), host);
  for (const socket of [client, backend]) {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }
  client.pipe(backend).pipe(client);
}

export function startTcpProxy(upstream: string): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    pipeTo(client, upstream, sockets);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        cut: () => {
          cut = true;
          sockets.forEach((s) => s.destroy());
        },
        restore: () => {
          cut = false;
        },
        close: () =>
          new Promise((done) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => done());
          }),
      }),
    );
  });
}
