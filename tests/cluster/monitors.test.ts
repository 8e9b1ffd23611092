// metrics.prometheusOperatorMonitors on a real API server: the extended stack (every key teams use,
// the monitor scraper among them) goes up with the real engine on a cluster without the Prometheus
// Operator's CRDs, and once a chart installs them
// (fixtures/prometheus-operator-crds.yaml) and a ServiceMonitor exists, the rendered RBAC lets the
// scraper's ServiceAccount list and watch it and the objects its selector resolves to.
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { readStackFile } from "../../render/stackFile";
import {
  KIND_SHAPE,
  TestCluster,
  describe as describeError,
  readObject,
  startCluster,
  waitFor,
} from "../kit/cluster";
import { EngineStack, engineErrors } from "../kit/engine/engineStack";
import { EXTEND_DIR, EXTENDED_STACK } from "../support/extendedStack";
import { Json } from "../kit/json";

const SCRAPER = "system:serviceaccount:observability:monitor-scraper";
const SCRAPER_GROUPS = [
  "system:serviceaccounts",
  "system:serviceaccounts:observability",
  "system:authenticated",
];
const MONITORED = "cert-manager";

let cluster: TestCluster;
let engine: EngineStack;
let objects: k8s.KubernetesObjectApi;
let authz: k8s.AuthorizationV1Api;
let custom: k8s.CustomObjectsApi;

beforeAll(async () => {
  cluster = await startCluster(KIND_SHAPE);
  objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  authz = cluster.kubeConfig.makeApiClient(k8s.AuthorizationV1Api);
  custom = cluster.kubeConfig.makeApiClient(k8s.CustomObjectsApi);
});

afterAll(async () => {
  await cluster?.stop();
  engine?.remove();
});

/**
 * The extended stack without its Grafana teams and folder permissions, which go through Grafana's
 * API (grafanaExtend.test.ts), and no Grafana answers here.
 */
function extendedWithoutGrafanaApi() {
  const extended = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const key = "observability:grafana";
  const grafana = JSON.parse(extended.config[key]) as Json;
  delete grafana.teams;
  delete grafana.folderPermissions;
  return { ...extended, config: { ...extended.config, [key]: JSON.stringify(grafana) } };
}

const create = (object: Json) =>
  objects.create(object as k8s.KubernetesObject).catch((error: unknown) => {
    throw new Error(`${String(object.kind)} ${String(object.metadata?.name)}: ${describeError(error)}`);
  });

/** How the object API names an object to read. */
const header = (object: Json): k8s.KubernetesObject & { metadata: { name: string } } => ({
  apiVersion: String(object.apiVersion),
  kind: String(object.kind),
  metadata: { name: String(object.metadata.name) },
});

async function allowed(attributes: k8s.V1ResourceAttributes): Promise<boolean> {
  const review = await authz.createSubjectAccessReview({
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user: SCRAPER, groups: SCRAPER_GROUPS, resourceAttributes: attributes },
  });
  return review.body.status?.allowed ?? false;
}

test("the stack with the monitor scraper goes up on a cluster without the monitoring.coreos.com CRDs", async () => {
  engine = await EngineStack.deploy(EXTENDED_STACK, cluster, extendedWithoutGrafanaApi());
  for (const object of [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "monitor-scraper", namespace: "observability" },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "observability-monitor-scraper" },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "observability-monitor-scraper" },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "monitor-scraper", namespace: "observability" },
    },
  ]) {
    expect(await readObject(cluster.kubeConfig, object)).toBeDefined();
  }
  const crds = await objects
    .read(
      header({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "servicemonitors.monitoring.coreos.com" },
      }),
    )
    .then(
      () => true,
      () => false,
    );
  expect(crds).toBe(false);
});

test("with the CRDs and a ServiceMonitor, the scraper's ServiceAccount may list and watch it and its targets, and read no Secret", async () => {
  const crdFile = path.join(__dirname, "fixtures/prometheus-operator-crds.yaml");
  for (const crd of yaml.loadAll(fs.readFileSync(crdFile, "utf8")) as Json[]) {
    await create(crd);
    await waitFor(
      async () => {
        const live = (await objects.read(header(crd))).body as Json;
        const established = (live.status?.conditions as Json[] | undefined)?.find(
          (c) => c.type === "Established",
        );
        return established?.status === "True" ? true : undefined;
      },
      `CRD ${String(crd.metadata.name)} to be established`,
    );
  }
  await create({ apiVersion: "v1", kind: "Namespace", metadata: { name: MONITORED } });
  await create({
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "cert-manager",
      namespace: MONITORED,
      labels: { "app.kubernetes.io/name": "cert-manager" },
    },
    spec: {
      selector: { "app.kubernetes.io/name": "cert-manager" },
      ports: [{ name: "tcp-prometheus-servicemonitor", port: 9402 }],
    },
  });
  // As the cert-manager chart ships it.
  const serviceMonitor = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "cert-manager", namespace: MONITORED },
    spec: {
      jobLabel: "cert-manager",
      selector: { matchLabels: { "app.kubernetes.io/name": "cert-manager" } },
      endpoints: [
        { port: "tcp-prometheus-servicemonitor", path: "/metrics", interval: "60s", scrapeTimeout: "30s" },
      ],
    },
  };
  await create(serviceMonitor);
  await create({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "webhook", namespace: MONITORED },
    spec: { selector: { matchLabels: { app: "webhook" } }, podMetricsEndpoints: [{ port: "metrics" }] },
  });

  const cases: [k8s.V1ResourceAttributes, boolean][] = [
    ...["list", "watch"].flatMap((verb) => [
      ...["servicemonitors", "podmonitors"].map((resource): [k8s.V1ResourceAttributes, boolean] => [
        { namespace: MONITORED, verb, group: "monitoring.coreos.com", resource },
        true,
      ]),
      ...["services", "endpoints", "pods"].map((resource): [k8s.V1ResourceAttributes, boolean] => [
        { namespace: MONITORED, verb, resource },
        true,
      ]),
      [{ namespace: MONITORED, verb, group: "discovery.k8s.io", resource: "endpointslices" }, true] as [
        k8s.V1ResourceAttributes,
        boolean,
      ],
    ]),
    [{ namespace: MONITORED, verb: "get", resource: "secrets" }, false],
    [{ namespace: MONITORED, verb: "list", resource: "secrets" }, false],
    [
      { namespace: MONITORED, verb: "create", group: "monitoring.coreos.com", resource: "servicemonitors" },
      false,
    ],
    [{ namespace: MONITORED, verb: "delete", resource: "pods" }, false],
  ];
  const answers = await Promise.all(
    cases.map(
      async ([attributes, expected]) =>
        `${JSON.stringify(attributes)} → ${String(await allowed(attributes))} (want ${String(expected)})`,
    ),
  );
  expect(answers.filter((a) => !/→ (true \(want true\)|false \(want false\))$/.test(a))).toEqual([]);

  // And for real: the API server answers the scraper's own list, impersonated, with the monitor.
  const listMonitorsAs = (user: string) =>
    custom.listNamespacedCustomObject(
      "monitoring.coreos.com",
      "v1",
      MONITORED,
      "servicemonitors",
      // pretty, allowWatchBookmarks, continue, fieldSelector, labelSelector, limit,
      // resourceVersion, resourceVersionMatch, timeoutSeconds, watch
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      { headers: { "Impersonate-User": user, "Impersonate-Group": SCRAPER_GROUPS as unknown as string } },
    );
  const list = await listMonitorsAs(SCRAPER);
  const names = ((list.body as Json).items as Json[]).map(
    (m) => `${String(m.metadata.namespace)}/${String(m.metadata.name)}`,
  );
  expect(names).toEqual([`${MONITORED}/cert-manager`]);
  const forbidden = await listMonitorsAs("system:serviceaccount:observability:alloy").then(
    () => "allowed",
    (error: { statusCode?: number }) => String(error.statusCode),
  );
  // The log agent's ServiceAccount is not the scraper's: it gets no monitor access.
  expect(forbidden).toBe("403");
});

test("once the CRDs exist, pulumi preview still finds nothing to change", async () => {
  const run = await engine.preview("--expect-no-changes");
  expect(`${run.status} ${engineErrors(run)}`).toBe("0 ");
});
