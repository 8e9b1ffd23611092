// kube-state-metrics v2.16.0 (the image's release, built from the Go module proxy by
// tools/kube-state-metrics) run with the rendered arguments against a real API server: it exports
// the volume claims' opt-out label the volume alerts read, and a disruption budget's healthy and
// required pods, with the HELP and TYPE lines tests/kit/expositions/kube-state-metrics.prom carries.
import * as k8s from "@kubernetes/client-node";
import { KUBE_STATE_METRICS } from "../../components/metrics/names";
import { ALERT_OPT_OUT_LABEL } from "../../components/metrics/platformSeries";
import { rendered } from "../support/renderedStacks";
import { KIND_SHAPE, TestCluster, describe as describeError, startCluster } from "../kit/cluster";
import { Sample, exposition, samples } from "../kit/expositions/index";
import { Servers, eventually, freePort } from "../kit/processes";
import { objectNamed } from "../kit/rendered";
import { tools } from "../kit/tools";
import { Json } from "../kit/json";

const NAMESPACE = "team";

let cluster: TestCluster;
const servers = new Servers();
let metricsUrl: string;

/** The rendered container's arguments, listening on free ports of 127.0.0.1 and reading the test cluster. */
async function localArguments(): Promise<{ args: string[]; port: number; telemetryPort: number }> {
  const deployment = objectNamed((await rendered("kind")).objects, "Deployment", KUBE_STATE_METRICS.name);
  const rendered_ = deployment.spec.template.spec.containers[0].args as string[];
  const [port, telemetryPort] = [await freePort(), await freePort()];
  const args = rendered_.map((a) =>
    a.startsWith("--port=")
      ? `--port=${port}`
      : a.startsWith("--telemetry-port=")
        ? `--telemetry-port=${telemetryPort}`
        : a,
  );
  return {
    args: [
      ...args,
      "--host=127.0.0.1",
      "--telemetry-host=127.0.0.1",
      `--kubeconfig=${cluster.kubeconfigPath}`,
    ],
    port,
    telemetryPort,
  };
}

beforeAll(async () => {
  cluster = await startCluster(KIND_SHAPE);
  const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  const create = (object: Json) =>
    objects.create(object as k8s.KubernetesObject).catch((error: unknown) => {
      throw new Error(`${String(object.kind)} ${String(object.metadata?.name)}: ${describeError(error)}`);
    });
  const claim = (name: string, labels: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: NAMESPACE, labels },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  await create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
  await create(claim("cache", { [ALERT_OPT_OUT_LABEL]: "true", app: "cache" }));
  await create(claim("data", { app: "db" }));
  await create({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "gateway", namespace: NAMESPACE },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "gateway" } },
      template: {
        metadata: { labels: { app: "gateway" } },
        spec: { containers: [{ name: "gateway", image: "registry.example.com/gateway:1.0.0" }] },
      },
    },
  });
  await create({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "gateway", namespace: NAMESPACE },
    spec: { minAvailable: 1, selector: { matchLabels: { app: "gateway" } } },
  });
  const { args, port, telemetryPort } = await localArguments();
  await servers.start(tools.kubeStateMetrics(), args, `http://127.0.0.1:${telemetryPort}/readyz`);
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
});

/** Set when a test has stopped the control plane itself. */
let stopped = false;

afterAll(async () => {
  await servers.stopAll();
  if (!stopped) await cluster?.stop();
});

const scrape = async () => (await fetch(metricsUrl)).text();
const of = (all: readonly Sample[], name: string, object: Record<string, string>) =>
  all.filter((s) => s.name === name && Object.entries(object).every(([k, v]) => s.labels[k] === v));

test("a claim labelled out of the alerts carries the label in kube_persistentvolumeclaim_labels; one without it carries none", async () => {
  const labels = await eventually(async () => {
    const found = samples(await scrape()).filter((s) => s.name === "kube_persistentvolumeclaim_labels");
    return found.length === 2 ? found : undefined;
  }, "both claims in kube_persistentvolumeclaim_labels");
  const byClaim = Object.fromEntries(labels.map((s) => [s.labels.persistentvolumeclaim, s]));
  expect(byClaim.cache).toEqual({
    name: "kube_persistentvolumeclaim_labels",
    labels: {
      namespace: NAMESPACE,
      persistentvolumeclaim: "cache",
      [`label_${ALERT_OPT_OUT_LABEL}`]: "true",
    },
    value: 1,
  });
  // The allowlist names only the opt-out label: the claim's other labels stay out.
  expect(byClaim.data.labels).toEqual({ namespace: NAMESPACE, persistentvolumeclaim: "data" });
});

test("a disruption budget requiring its one ready pod: one healthy of one required, no eviction allowed", async () => {
  const budget = { namespace: NAMESPACE, poddisruptionbudget: "gateway" };
  const values = await eventually(
    async () => {
      const all = samples(await scrape());
      const value = (family: string) => of(all, `kube_poddisruptionbudget_${family}`, budget)[0]?.value;
      const found = {
        current: value("status_current_healthy"),
        desired: value("status_desired_healthy"),
        allowed: value("status_pod_disruptions_allowed"),
        expected: value("status_expected_pods"),
      };
      return found.current === 1 ? found : undefined;
    },
    "the budget's pod healthy",
    60000,
  );
  expect(values).toEqual({ current: 1, desired: 1, allowed: 0, expected: 1 });
});

test("the fixture's HELP and TYPE lines are the real exporter's, for every family of the kinds this cluster holds", async () => {
  await eventually(
    async () =>
      samples(await scrape()).some((s) => s.name === "kube_poddisruptionbudget_created") ? true : undefined,
    "the budget's families",
  );
  const headers = (text: string) =>
    new Map(
      text
        .split("\n")
        .filter((l) => l.startsWith("# HELP ") || l.startsWith("# TYPE "))
        .map((l) => [l.split(" ").slice(1, 3).join(" "), l]),
    );
  const [real, fixture] = [headers(await scrape()), headers(exposition("kube-state-metrics"))];
  // kube-state-metrics prints no family of a kind the cluster has no object of (no StatefulSet here).
  const held =
    /^(HELP|TYPE) kube_(node|namespace|pod|deployment|replicaset|persistentvolumeclaim|poddisruptionbudget)_/;
  const expected = [...fixture.keys()].filter((k) => held.test(k));
  expect(expected.filter((k) => !real.has(k))).toEqual([]);
  expect(
    expected.filter((k) => real.get(k) !== fixture.get(k)).map((k) => [fixture.get(k), real.get(k)]),
  ).toEqual([]);
});

test("with the API server gone, the rendered liveness probe still answers and /livez does not: an API server outage restarts no exporter", async () => {
  const deployment = objectNamed((await rendered("kind")).objects, "Deployment", KUBE_STATE_METRICS.name);
  const liveness = deployment.spec.template.spec.containers[0].livenessProbe as Json;
  expect(liveness.httpGet.port).toBe("http-metrics");
  const base = new URL(metricsUrl).origin;
  await cluster.stop();
  stopped = true;
  // /livez asks the API server's /livez (pkg/app/server.go): it fails as soon as that is gone.
  await eventually(
    async () => ((await fetch(`${base}/livez`)).status === 503 ? true : undefined),
    "/livez failing without the API server",
  );
  expect((await fetch(`${base}${liveness.httpGet.path as string}`)).status).toBe(200);
});
