// logs.clusterEvents on a real control plane: the real Alloy (tools/alloy, the image's release) with
// each stack's rendered event-collector config reads the events that the scheduler, the controller
// manager and kwok's kubelet emit, as the collector's rendered ServiceAccount (its ClusterRole and
// binding applied here, its token requested from the API server), and pushes them to the Loki
// stand-in (tests/kit/lokiStandIn.ts) with the stack's tenant. What arrives is read back through
// Loki's query API, by the labels and by the Events panels of the workload and pod dashboards.
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EVENT_COLLECTOR } from "../../components/logs/names";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../support/renderedStacks";
import { dashboards } from "../support/dashboards";
import { KIND_SHAPE, TestCluster, describe as describeError, startCluster } from "../kit/cluster";
import { getJson } from "../kit/http";
import { LokiStandIn } from "../kit/lokiStandIn";
import { startLoki } from "../kit/localServers";
import { Running, Servers, eventually, freePort } from "../kit/processes";
import { configMapData, containerArgs, objectNamed } from "../kit/rendered";
import { STACKS, StackName } from "../kit/stacks";
import { tools } from "../kit/tools";
import { Json } from "../kit/json";

const NAMESPACE = "team";
const MISSING_IMAGE = "registry.example.com/team/checkout:1.4.2";
/** A Deployment whose image the registry does not have: the kubelet backs off pulling it. */
const CHECKOUT = "checkout";
/** A Deployment whose pod asks for more CPU than the node has: the scheduler cannot place it. */
const REPORTS = "reports";

let cluster: TestCluster;
const servers = new Servers();
let dir: string;

interface Collector {
  readonly stack: StackName;
  readonly objects: readonly KubeObject[];
  readonly loki: LokiStandIn;
  readonly alloy: Running;
}
const collectors: Collector[] = [];

const create = (objects: k8s.KubernetesObjectApi, object: Json) =>
  objects.create(object as k8s.KubernetesObject).catch((error: unknown) => {
    if ((error as { statusCode?: number }).statusCode === 409) return; // both stacks apply the same account
    throw new Error(`${String(object.kind)} ${String(object.metadata?.name)}: ${describeError(error)}`);
  });

const deployment = (name: string, container: Json): Json => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: NAMESPACE },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ...container }] } },
  },
});

/** A kubeconfig that authenticates as the collector's ServiceAccount, with a token the API server issued it. */
async function collectorKubeconfig(objects: readonly KubeObject[]): Promise<string> {
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  const account = objectNamed(objects, "ServiceAccount", EVENT_COLLECTOR.name);
  const namespace = account.metadata.namespace as string;
  await create(api, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const binding = objects.find(
    (o) =>
      o.kind === "ClusterRoleBinding" &&
      ((o as Json).subjects as Json[]).some(
        (s) => s.kind === "ServiceAccount" && s.name === EVENT_COLLECTOR.name,
      ),
  ) as Json;
  const role = objectNamed(objects, "ClusterRole", binding.roleRef.name as string);
  for (const object of [account, role, binding]) {
    await create(api, object);
  }
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const { body } = await core.createNamespacedServiceAccountToken(EVENT_COLLECTOR.name, namespace, {
    spec: { audiences: [], expirationSeconds: 3600 },
  });
  const admin = JSON.parse(fs.readFileSync(cluster.kubeconfigPath, "utf8")) as Json;
  const file = path.join(dir, "event-collector.kubeconfig");
  fs.writeFileSync(
    file,
    JSON.stringify({
      ...admin,
      users: [{ name: "admin", user: { token: body.status?.token } }],
    }),
  );
  return file;
}

/**
 * The rendered collector, as the pod runs it but here: the API server through `kubeconfig` (in a
 * pod, the ServiceAccount's mounted token), the Loki stand-in for Loki's Service, a local port and
 * data directory.
 */
async function startCollector(stack: StackName, kubeconfig: string): Promise<Collector> {
  const { objects } = await rendered(stack);
  const loki = await startLoki(servers, objects);
  const renderedConfig = configMapData(objects, "event-collector-config")["config.alloy"];
  const source = 'loki.source.kubernetes_events "cluster" {\n';
  expect(renderedConfig).toContain(source);
  const text = renderedConfig
    .replace(source, `${source}  client {\n    kubeconfig_file = ${JSON.stringify(kubeconfig)}\n  }\n`)
    .replace(/url = "http:\/\/[^"/]+\/loki\/api\/v1\/push"/, `url = "${loki.base}/loki/api/v1/push"`);
  const file = path.join(dir, `${stack}.alloy`);
  fs.writeFileSync(file, text);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = containerArgs(
    objects,
    EVENT_COLLECTOR.name,
    { "--server.http.listen-addr": `127.0.0.1:${port}`, "--storage.path": path.join(dir, `${stack}-data`) },
    "alloy",
  ).map((arg) => (arg.endsWith("/config.alloy") ? file : arg));
  const server = await servers.start(tools.alloy(), args, `${base}/-/ready`, { timeoutMs: 60000 });
  return { stack, objects, loki, alloy: { base, server } };
}

interface Stream {
  readonly stream: Record<string, string>;
  readonly values: readonly [string, string][];
}

async function logQuery(loki: LokiStandIn, logql: string): Promise<Stream[]> {
  const now = Date.now() * 1e6;
  const url = `${loki.base}/loki/api/v1/query_range?query=${encodeURIComponent(logql)}&start=${now - 3600e9}&end=${now + 60e9}&limit=1000`;
  const { data } = await getJson(url, loki.headers);
  return data.result as Stream[];
}

/** Polls until the query returns a line. */
const someLines = (loki: LokiStandIn, logql: string, what: string) =>
  eventually(
    async () => {
      const streams = await logQuery(loki, logql);
      return streams.some((s) => s.values.length > 0) ? streams : undefined;
    },
    what,
    90000,
  );

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-events-"));
  cluster = await startCluster({ ...KIND_SHAPE, missingImages: [MISSING_IMAGE] });
  const kubeconfig = await collectorKubeconfig((await rendered("kind")).objects);
  for (const stack of STACKS) {
    collectors.push(await startCollector(stack, kubeconfig));
  }
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  await create(api, { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
  await create(api, deployment(CHECKOUT, { image: MISSING_IMAGE }));
  await create(
    api,
    deployment(REPORTS, {
      image: "registry.example.com/team/reports:2.0.0",
      resources: { requests: { cpu: "64" } },
    }),
  );
}, 180000);

afterAll(async () => {
  await servers.stopAll();
  await cluster?.stop();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(STACKS)("the %s stack's event collector on a real control plane", (stack) => {
  const collector = () => collectors.find((c) => c.stack === stack) as Collector;

  test("the scheduler's FailedScheduling, the kubelet's BackOff and the controllers' events arrive, labelled by namespace, kind, name, reason and type", async () => {
    const { loki } = collector();
    const failed = await someLines(
      loki,
      `{job="kubernetes-events", namespace="${NAMESPACE}", kind="Pod", reason="FailedScheduling"}`,
      "the scheduler's FailedScheduling event",
    );
    const backOff = await someLines(
      loki,
      `{job="kubernetes-events", namespace="${NAMESPACE}", kind="Pod", reason="BackOff"}`,
      "the kubelet's BackOff event",
    );
    const scaled = await someLines(
      loki,
      `{job="kubernetes-events", namespace="${NAMESPACE}", kind="Deployment", name="${CHECKOUT}"}`,
      "the Deployment controller's ScalingReplicaSet event",
    );
    const transcript = [...failed, ...backOff, ...scaled].flatMap((s) =>
      s.values.map(([, line]) => `${JSON.stringify(s.stream)} ${line}`),
    );
    process.stdout.write(`${stack}: events as the log store received them\n${transcript.join("\n")}\n`);

    expect(failed[0].stream).toMatchObject({ type: "Warning", name: expect.stringMatching(`^${REPORTS}-`) });
    expect(failed[0].values[0][1]).toMatch(/reason=FailedScheduling .*msg=".*Insufficient cpu/);
    expect(backOff[0].stream).toMatchObject({
      type: "Warning",
      name: expect.stringMatching(`^${CHECKOUT}-`),
    });
    expect(scaled[0].stream).toMatchObject({
      type: "Normal",
      reason: "ScalingReplicaSet",
      service_name: "kubernetes-events",
    });
    // The stack's own labels, and none the source adds about itself.
    for (const s of [...failed, ...backOff, ...scaled]) {
      expect(Object.keys(s.stream).sort()).toEqual(
        ["cluster", "env", "job", "kind", "name", "namespace", "reason", "service_name", "type"].sort(),
      );
    }
  });

  test("the Events panels of the workload and pod dashboards answer with the workload's and the pod's events", async () => {
    const { loki, objects } = collector();
    const boards = dashboards(objects);
    const panel = (uid: string) => {
      const board = boards.find((b) => b.uid === uid) as Json;
      return (board.panels as Json[]).find((p) => p.title === "Events") as Json;
    };
    const failed = await someLines(
      loki,
      `{job="kubernetes-events", namespace="${NAMESPACE}", reason="FailedScheduling"}`,
      "a FailedScheduling event",
    );
    const pod = failed[0].stream.name;
    const substitute = (expr: string, values: Record<string, string>) =>
      Object.entries(values).reduce((e, [name, value]) => e.replaceAll(`$${name}`, value), expr);

    const workloadExpr = substitute(panel("obs-k8s-workload").targets[0].expr as string, {
      namespace: NAMESPACE,
      workload: REPORTS,
    });
    const ofWorkload = await logQuery(loki, workloadExpr);
    // The Deployment's own, its ReplicaSet's and its pod's, and none of the other workload's.
    expect(new Set(ofWorkload.map((s) => s.stream.kind))).toEqual(
      new Set(["Deployment", "ReplicaSet", "Pod"]),
    );
    expect(ofWorkload.every((s) => s.stream.name.startsWith(REPORTS))).toBe(true);

    const podExpr = substitute(panel("obs-k8s-pod").targets[0].expr as string, { namespace: NAMESPACE, pod });
    const ofPod = await logQuery(loki, podExpr);
    expect(ofPod.map((s) => s.stream.reason)).toContain("FailedScheduling");
    expect(ofPod.every((s) => s.stream.kind === "Pod" && s.stream.name === pod)).toBe(true);
  });
});

test("the collector's ServiceAccount reads events in every namespace and nothing else", async () => {
  const authz = cluster.kubeConfig.makeApiClient(k8s.AuthorizationV1Api);
  const { objects } = collectors[0];
  const account = objectNamed(objects, "ServiceAccount", EVENT_COLLECTOR.name);
  const user = `system:serviceaccount:${account.metadata.namespace}:${EVENT_COLLECTOR.name}`;
  const allowed = async (resource: string, verb: string, namespace?: string) =>
    (
      await authz.createSubjectAccessReview({
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user,
          resourceAttributes: { resource, verb, ...(namespace === undefined ? {} : { namespace }) },
        },
      })
    ).body.status?.allowed ?? false;
  for (const verb of ["list", "watch"]) {
    expect(await allowed("events", verb)).toBe(true);
  }
  for (const [resource, verb] of [
    ["events", "create"],
    ["events", "delete"],
    ["pods", "list"],
    ["secrets", "get"],
    ["configmaps", "list"],
  ]) {
    expect({ resource, verb, allowed: await allowed(resource, verb, NAMESPACE) }).toEqual({
      resource,
      verb,
      allowed: false,
    });
  }
});
