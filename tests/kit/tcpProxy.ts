// A TCP path to a server that a test can cut and restore, as a network outage cuts a client off
// from a service it reaches: while cut, open connections are dropped and new ones are closed at once.
// It can also slow or hold what clients send, as a congested link does, to catch a transfer half-way.
import * as net from "net";
import { Transform } from "stream";
import { sleep } from "./sleep";

export interface TcpProxy {
  /** 127.0.0.1:port, where clients connect instead of the upstream. */
  readonly address: string;
  cut(): void;
  restore(): void;
  /**
   * At most this many bytes a second from each client to the upstream, open connections too; 0
   * holds every byte until the next call; none: no limit.
   */
  limit(bytesPerSecond?: number): void;
  close(): Promise<void>;
}

/** The pace of a path's client-to-upstream bytes, read as each chunk passes. */
interface Pace {
  bytesPerSecond?: number;
}

/** Passes bytes on at the pace's rate, a tenth of a second's worth at a time; none while it is 0. */
function paced(pace: Pace): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      void (async () => {
        for (let offset = 0; offset < chunk.length; ) {
          while (pace.bytesPerSecond === 0) await sleep(50);
          const rate = pace.bytesPerSecond;
          const size = rate === undefined ? chunk.length - offset : Math.max(1, Math.floor(rate / 10));
          const slice = chunk.subarray(offset, offset + size);
          if (rate !== undefined) await sleep((slice.length / rate) * 1000);
          this.push(slice);
          offset += slice.length;
        }
      })().then(() => done(), done);
    },
  });
}

/**
 * Passes `client`'s bytes to `upstream` (host:port) and back, both sockets kept in `sockets` while
 * open; the client's at `pace` when given.
 */
export function pipeTo(client: net.Socket, upstream: string, sockets: Set<net.Socket>, pace?: Pace): void {
  const [host, port] = upstream.split(":");
  const backend = net.connect(Number(port), host);
  for (const socket of [client, backend]) {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }
  (pace === undefined ? client : client.pipe(paced(pace))).pipe(backend).pipe(client);
}

export function startTcpProxy(upstream: string): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pace: Pace = {};
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    pipeTo(client, upstream, sockets, pace);
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
        limit: (bytesPerSecond?: number) => {
          pace.bytesPerSecond = bytesPerSecond;
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
