// What publishes a StoreAPI to other clusters (a load balancer's TLS listener): TLS, with the client
// certificates it asks for checked against a CA, in front of a plain gRPC server. It offers HTTP/2
// by ALPN, as gRPC clients require, and passes the bytes on unchanged.
import * as fs from "fs";
import * as net from "net";
import * as tls from "tls";
import { pipeTo } from "./tcpProxy";

export interface TlsTerminator {
  /** 127.0.0.1:port of the TLS listener. */
  readonly address: string;
  /** Client certificates presented and accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export function startTlsTerminator(
  upstream: string,
  files: { readonly certFile: string; readonly keyFile: string; readonly clientCaFile: string },
): Promise<TlsTerminator> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      cert: fs.readFileSync(files.certFile),
      key: fs.readFileSync(files.keyFile),
      ca: fs.readFileSync(files.clientCaFile),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ["h2"],
    },
    (client) => {
      accepted++;
      pipeTo(client, upstream, sockets);
    },
  );
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        accepted: () => accepted,
        close: () =>
          new Promise((done) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => done());
          }),
      }),
    );
  });
}
