import * as k8s from "@kubernetes/client-node";
import { PROJECT_ROOT, RenderedStack, renderStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { KIND_SHAPE, TestCluster, startCluster, waitFor } from "../../testkit/cluster";
import { EXTEND_DIR, EXTENDED_STACK } from "../support/extendedStack";
import { StackDeployer } from "../../testkit/kubeApply";
import { Json } from "../../testkit/json";

// The kind stack, then the same stack with Grafana's extension keys (observability:grafana of
// tests/extend/Pulumi.extended.yaml):
// what a team does on day two. Both renders are made before the cluster starts (one Pulumi runtime).
describe("Grafana's extension keys on a real API server", () => {
  let cluster: TestCluster;
  let deployer: StackDeployer;
  let plain: RenderedStack;
  let extended: RenderedStack;

  beforeAll(async () => {
    plain = await renderStack("kind");
    const kind = readStackFile("kind", PROJECT_ROOT);
    const extension = readStackFile(EXTENDED_STACK, EXTEND_DIR);
    const grafana = "observability:grafana";
    extended = await renderWithConfig("kind", { ...kind.config, [grafana]: extension.config[grafana] }, [
      ...kind.secretKeys,
      grafana,
    ]);
    cluster = await startCluster(KIND_SHAPE);
    deployer = new StackDeployer(cluster.kubeConfig);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test("adding dashboards and single sign-on to a running stack updates Grafana in place, and its pod starts with them", async () => {
    await deployer.up(plain);
    const applied = await deployer.up(extended, plain);
    expect(applied.created).toEqual(["ConfigMap observability/grafana-dashboards-payments"]);
    expect(applied.deleted).toEqual([]);
    // The data stays: the StatefulSet and its claim are updated, never replaced.
    expect(applied.updated).toEqual(
      expect.arrayContaining([
        "Secret observability/grafana-credentials",
        "ConfigMap observability/grafana-provisioning",
        "StatefulSet observability/grafana",
        "NetworkPolicy observability/grafana",
      ]),
    );
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const pod = await waitFor(async () => {
      const pods = await core.listNamespacedPod(
        "observability",
        undefined,
        undefined,
        undefined,
        undefined,
        "app.kubernetes.io/name=grafana",
      );
      return pods.body.items.find(
        (p) =>
          p.metadata?.deletionTimestamp === undefined &&
          (p.spec?.volumes ?? []).some((v) => v.configMap?.name === "grafana-dashboards-payments") &&
          p.status?.phase === "Running",
      );
    }, "a running Grafana pod that mounts the extra dashboards");
    const env = Object.fromEntries(
      (pod.spec?.containers.find((c) => c.name === "grafana")?.env ?? []).map((e) => [e.name, e.value]),
    );
    expect(env.GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET__FILE).toBe("/etc/grafana/secrets/sso-client-secret");
    const configMap = await core.readNamespacedConfigMap("grafana-dashboards-payments", "observability");
    const data = configMap.body.data as Json;
    expect(Object.keys(data).sort()).toEqual(["payments-overview.json", "payments-queue-latency.json"]);
  });
});
