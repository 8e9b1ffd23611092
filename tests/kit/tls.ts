// TLS material made by the real openssl: a CA, a server certificate for the names a client dials,
// and a client certificate, as a team's own PKI (or cert-manager) would issue them.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);

/** A new P-256 key, unencrypted: what openssl req makes for each certificate here. */
const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export interface TlsFiles {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The PEM texts, as a stack file gives them. */
  readonly pem: { readonly ca: string; readonly clientCertificate: string; readonly clientKey: string };
}

async function signed(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: string,
  caKey: string,
) {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, extensions);
  await run("openssl", ["req", "-new", ...NEW_EC_KEY, "-keyout", key, "-out", csr, "-subj", subject]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "2",
    "-out",
    cert,
    "-extfile",
    ext,
  ]);
  return { cert, key };
}

/** A CA, a server certificate valid for `serverNames` (DNS names and 127.0.0.1), and a client one. */
export async function issueTls(dir: string, serverNames: readonly string[]): Promise<TlsFiles> {
  fs.mkdirSync(dir, { recursive: true });
  const caFile = path.join(dir, "ca.crt");
  const caKey = path.join(dir, "ca.key");
  await run("openssl", [
    "req",
    "-x509",
    ...NEW_EC_KEY,
    "-keyout",
    caKey,
    "-out",
    caFile,
    "-days",
    "2",
    "-subj",
    "/CN=observability test CA",
  ]);
  const san = [...serverNames.map((n) => `DNS:${n}`), "IP:127.0.0.1"].join(",");
  const server = await signed(
    dir,
    "server",
    `/CN=${serverNames[0]}`,
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`,
    caFile,
    caKey,
  );
  const client = await signed(
    dir,
    "client",
    "/CN=observability hub",
    "extendedKeyUsage=clientAuth\n",
    caFile,
    caKey,
  );
  return {
    dir,
    caFile,
    serverCertFile: server.cert,
    serverKeyFile: server.key,
    clientCertFile: client.cert,
    clientKeyFile: client.key,
    pem: {
      ca: fs.readFileSync(caFile, "utf8"),
      clientCertificate: fs.readFileSync(client.cert, "utf8"),
      clientKey: fs.readFileSync(client.key, "utf8"),
    },
  };
}
