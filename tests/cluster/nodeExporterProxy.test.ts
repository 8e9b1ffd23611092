// kube-rbac-proxy v0.19.1 (the image's release, built from the Go module proxy by
// tools/kube-rbac-proxy) with the rendered arguments, in front of node-exporter's exposition on the
// rendered loopback address, asking a real API server about each caller as the rendered
// ServiceAccount: no token is refused, a token without `get` on /metrics is forbidden, Prometheus'
// ServiceAccount with its rendered ClusterRole reads the metrics, and the real Prometheus on the
// rendered node-exporter job scrapes it (up == 1).
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as k8s from "@kubernetes/client-node";
import { NODE_EXPORTER, PROMETHEUS } from "../../components/metrics/names";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../support/renderedStacks";
import { KIND_SHAPE, TestCluster, describe as describeError, startCluster } from "../kit/cluster";
import { exposition } from "../kit/expositions/index";
import { startRenderedPrometheus } from "../kit/localServers";
import { Servers, eventually } from "../kit/processes";
import { objectNamed } from "../kit/rendered";
import { tools } from "../kit/tools";
import { Json } from "../kit/json";

/**
 * The node's address as the pod sees it (status.podIP on the host network): a loopback address
 * other than node-exporter's, so that the proxy and node-exporter share a port number here as
 * they do on a node.
 */
const NODE_ADDRESS = "127.0.0.2";
/** A ServiceAccount no role names: what any pod of the cluster holds. */
const STRANGER = { name: "curious", namespace: "team" };

let cluster: TestCluster;
let objects: readonly KubeObject[];
const servers = new Servers();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-exporter-proxy-"));
let upstream: http.Server;
let proxyBase: string;
const tokens: Record<"prometheus" | "stranger", string> = { prometheus: "", stranger: "" };

const container = (name: string): Json =>
  objectNamed(objects, "DaemonSet", NODE_EXPORTER.name).spec.template.spec.containers.find(
    (c: Json) => c.name === name,
  );

async function create(object: Json): Promise<void> {
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  await api.create(object as k8s.KubernetesObject).catch((error: unknown) => {
    throw new Error(`${String(object.kind)} ${String(object.metadata?.name)}: ${describeError(error)}`);
  });
}

/** A ServiceAccount with the rendered ClusterRoles bound to it, and a token the API server issued it. */
async function accountToken(name: string, namespace: string): Promise<string> {
  const bound = objects.filter(
    (o) =>
      o.kind === "ClusterRoleBinding" &&
      ((o as Json).subjects as Json[]).some(
        (s) => s.kind === "ServiceAccount" && s.name === name && s.namespace === namespace,
      ),
  ) as Json[];
  const account = objects.find(
    (o) => o.kind === "ServiceAccount" && o.metadata.name === name && o.metadata.namespace === namespace,
  ) ?? { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } };
  for (const object of [
    account,
    ...bound.map((b) => objectNamed(objects, "ClusterRole", b.roleRef.name)),
    ...bound,
  ]) {
    await create(object);
  }
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const { body } = await core.createNamespacedServiceAccountToken(name, namespace, {
    spec: { audiences: [], expirationSeconds: 3600 },
  });
  return body.status?.token ?? "";
}

/** GET over the proxy's TLS (its certificate is self-signed, as the rendered job accepts). */
function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      url,
      {
        rejectUnauthorized: false,
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.setTimeout(5000, () => request.destroy(new Error(`${url}: no answer in 5 s`)));
  });
}

beforeAll(async () => {
  objects = (await rendered("kind")).objects;
  cluster = await startCluster(KIND_SHAPE);
  const daemonSet = objectNamed(objects, "DaemonSet", NODE_EXPORTER.name);
  const prometheusAccount = objectNamed(objects, "ServiceAccount", PROMETHEUS.name);
  for (const namespace of [
    daemonSet.metadata.namespace,
    prometheusAccount.metadata.namespace,
    STRANGER.namespace,
  ]) {
    await create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  }
  const proxyAccount = daemonSet.spec.template.spec.serviceAccountName as string;
  const proxyToken = await accountToken(proxyAccount, daemonSet.metadata.namespace as string);
  tokens.prometheus = await accountToken(PROMETHEUS.name, prometheusAccount.metadata.namespace as string);
  tokens.stranger = await accountToken(STRANGER.name, STRANGER.namespace);

  // node-exporter's exposition where the rendered node-exporter listens.
  const listen = (container("node-exporter").args as string[])
    .find((a) => a.startsWith("--web.listen-address="))
    ?.slice("--web.listen-address=".length);
  const [host, renderedPort] = (listen ?? "").split(":");
  expect(host).toBe("127.0.0.1");
  upstream = http.createServer((request, response) => {
    response.writeHead(request.url === "/metrics" ? 200 : 404, {
      "Content-Type": "text/plain; version=0.0.4",
    });
    response.end(request.url === "/metrics" ? exposition("node-exporter") : "");
  });
  await new Promise<void>((resolve, reject) => {
    upstream.once("error", reject);
    // A port the system picks, not the rendered one, which something else here may hold; the
    // proxy is given the same, as both share one on a node.
    upstream.listen(0, host, resolve);
  });
  const port = (upstream.address() as { port: number }).port;
  const onPort = (arg: string) => arg.split(`:${renderedPort}`).join(`:${port}`);

  // The proxy as the kubelet starts it (its env's `$(POD_IP)` expanded), reaching the API server
  // as its ServiceAccount: in a pod, through the mounted token; here, through a kubeconfig.
  const proxy = container("kube-rbac-proxy");
  const podIpEnv = (proxy.env as Json[]).filter((e) => e.valueFrom?.fieldRef?.fieldPath === "status.podIP");
  const args = (proxy.args as string[]).map((a) =>
    onPort(podIpEnv.reduce((arg, e) => arg.split(`$(${e.name as string})`).join(NODE_ADDRESS), a)),
  );
  const admin = JSON.parse(fs.readFileSync(cluster.kubeconfigPath, "utf8")) as Json;
  const kubeconfig = path.join(dir, "proxy.kubeconfig");
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({ ...admin, users: [{ name: "admin", user: { token: proxyToken } }] }),
  );
  expect((proxy.ports as Json[])[0].containerPort).toBe(Number(renderedPort));
  proxyBase = `https://${NODE_ADDRESS}:${port}`;
  await servers.start(tools.kubeRbacProxy(), [...args, `--kubeconfig=${kubeconfig}`], async () => {
    await get(`${proxyBase}/metrics`);
    return true;
  });
}, 300000);

afterAll(async () => {
  await servers.stopAll();
  await new Promise((resolve) => (upstream === undefined ? resolve(undefined) : upstream.close(resolve)));
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a request without a token is refused: 401", async () => {
  expect((await get(`${proxyBase}/metrics`)).status).toBe(401);
});

test("a ServiceAccount the API server knows, without get on /metrics, is forbidden: 403", async () => {
  expect((await get(`${proxyBase}/metrics`, tokens.stranger)).status).toBe(403);
});

test("Prometheus' ServiceAccount with its rendered ClusterRole reads node-exporter's metrics: 200", async () => {
  const { status, body } = await get(`${proxyBase}/metrics`, tokens.prometheus);
  expect(status).toBe(200);
  expect(body).toBe(exposition("node-exporter"));
});

test("nothing but /metrics is proxied, even for Prometheus: 404", async () => {
  expect((await get(`${proxyBase}/`, tokens.prometheus)).status).toBe(404);
});

test("the real Prometheus on the rendered node-exporter job scrapes through the proxy: up == 1", async () => {
  const target = new URL(proxyBase).host;
  const prometheus = await startRenderedPrometheus(
    servers,
    objects,
    path.join(dir, "prometheus"),
    (config) => {
      const job = config.scrape_configs?.find((j) => j.job_name === NODE_EXPORTER.name);
      if (job === undefined) throw new Error("prometheus.yml has no node-exporter job");
      const rest = Object.fromEntries(Object.entries(job).filter(([key]) => key !== "kubernetes_sd_configs"));
      return {
        global: { ...config.global, scrape_interval: "1s" },
        scrape_configs: [
          {
            ...rest,
            // The labels Kubernetes discovery gives the DaemonSet's endpoint, so the rendered relabelling keeps it.
            static_configs: [
              {
                targets: [target],
                labels: {
                  __meta_kubernetes_service_name: NODE_EXPORTER.name,
                  __meta_kubernetes_endpointslice_port_name: "metrics",
                  __meta_kubernetes_namespace: objectNamed(objects, "DaemonSet", NODE_EXPORTER.name).metadata
                    .namespace as string,
                  __meta_kubernetes_pod_name: "node-exporter-a",
                  __meta_kubernetes_pod_node_name: "observability-control-plane",
                },
              },
            ],
          },
        ],
      };
    },
    { serviceAccount: { token: tokens.prometheus, ca: "" } },
  );
  const up = await eventually(
    async () => {
      const answer = (await (
        await fetch(
          `${prometheus.base}/api/v1/query?query=${encodeURIComponent(`up{job="${NODE_EXPORTER.name}"}`)}`,
        )
      ).json()) as Json;
      const value = answer.data?.result?.[0]?.value?.[1] as string | undefined;
      return value === "1" ? value : undefined;
    },
    "up == 1 for the node-exporter job",
    60000,
  );
  expect(up).toBe("1");
  const targets = (await (await fetch(`${prometheus.base}/api/v1/targets`)).json()) as Json;
  expect(targets.data.activeTargets[0]).toMatchObject({
    scrapeUrl: `https://${target}/metrics`,
    health: "up",
  });
}, 120000);
