// The test kit's kubeconfig (tests/kit/keepAliveKubeConfig.ts): its clients send request after
// request over one TLS connection, where the library's own open a connection per request.
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { KeepAliveKubeConfig } from "../../kit/keepAliveKubeConfig";
import { sleep } from "../../kit/sleep";
import { issueTls } from "../../kit/tls";

/** An API server's answer to GET /api/v1/namespaces, over TLS on 127.0.0.1; counts connections. */
async function namespacesServer(dir: string) {
  const tls = await issueTls(dir, ["api.test"]);
  let connections = 0;
  let onClose = () => {};
  const firstClosed = new Promise<string>((resolve) => (onClose = () => resolve("closed")));
  const server = https.createServer(
    { cert: fs.readFileSync(tls.serverCertFile), key: fs.readFileSync(tls.serverKeyFile) },
    (_request, response) => {
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ kind: "NamespaceList", apiVersion: "v1", metadata: {}, items: [] }));
    },
  );
  server.on("secureConnection", (socket) => {
    connections++;
    socket.on("close", onClose);
  });
  // An idle connection stays open until a side closes it, as a client's would while it polls.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const kubeconfig = {
    clusters: [
      {
        name: "test",
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caFile: tls.caFile,
      },
    ],
    users: [{ name: "admin", token: "t0ken" }],
    contexts: [{ name: "test", cluster: "test", user: "admin" }],
    currentContext: "test",
  };
  return { server, kubeconfig, connections: () => connections, firstClosed };
}

async function listTimes(kubeConfig: k8s.KubeConfig, times: number): Promise<void> {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  for (let i = 0; i < times; i++) {
    expect((await core.listNamespace()).body.items).toEqual([]);
  }
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "keep-alive-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("twenty requests, one after another, go over one connection", async () => {
  const { server, kubeconfig, connections } = await namespacesServer(dir);
  const kubeConfig = new KeepAliveKubeConfig();
  kubeConfig.loadFromOptions(kubeconfig);
  try {
    await listTimes(kubeConfig, 20);
    expect(connections()).toBe(1);
  } finally {
    kubeConfig.destroy();
    server.close();
  }
});

test("the library's own kubeconfig opens one per request: what the kit's saves", async () => {
  const { server, kubeconfig, connections } = await namespacesServer(dir);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions(kubeconfig);
  try {
    await listTimes(kubeConfig, 20);
    expect(connections()).toBe(20);
  } finally {
    server.close();
  }
});

test("destroy() closes the connection kept open", async () => {
  const { server, kubeconfig, firstClosed } = await namespacesServer(dir);
  const kubeConfig = new KeepAliveKubeConfig();
  kubeConfig.loadFromOptions(kubeconfig);
  try {
    await listTimes(kubeConfig, 1);
    kubeConfig.destroy();
    expect(await Promise.race([firstClosed, sleep(20000).then(() => "still open 20 s later")])).toBe(
      "closed",
    );
  } finally {
    server.close();
  }
});
