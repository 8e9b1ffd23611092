// A program that deploys into namespaces it did not create reads them (`Namespace.get`), and the
// engine hands the policy pack what it read: the namespaces as the cluster holds them. The render
// does the same, so the pack learns the node agents' namespace and the profile from their labels,
// as it does from those StackNamespaces creates.
import * as k8s from "@pulumi/kubernetes";
import { MetricsStack } from "../../../lib";
import { kubeObjects } from "../../../render/manifest";
import { ClusterObject, RecordingMocks } from "../../../render/mocks";
import { recordDeployment } from "../../../render/renderStack";
import { waitForRegistrations } from "../../../runtime/pulumiSdk";
import { checkRender } from "../../../testing/renderChecks";

const NAMESPACES = { observability: "monitoring", node: "monitoring-agents" };

const namespace = (name: string, labels: Record<string, string>): ClusterObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});

/** MetricsStack with its defaults, in two namespaces it reads from `cluster`; what the pack finds. */
async function policyPackFindings(cluster: readonly ClusterObject[]): Promise<readonly string[]> {
  const mocks = await recordDeployment("existing", {}, [], {}, undefined, cluster);
  const read = Object.values(NAMESPACES).map((name) => k8s.core.v1.Namespace.get(name, name));
  const metrics = new MetricsStack("m", { namespaces: NAMESPACES }, { dependsOn: read });
  await waitForRegistrations();
  return checkRender({
    registrations: mocks.registrations,
    objects: kubeObjects(mocks.registrations),
    flows: metrics.flows,
    nodeNamespace: NAMESPACES.node,
    closedNamespaces: Object.values(NAMESPACES),
    appNamespaces: [],
  }).problems.policyPack;
}

test("labelled by their owner privileged for node agents and kind, they pass the pack as the stack's own do", async () => {
  const kind = { "observability.io/profile": "kind" };
  const findings = await policyPackFindings([
    namespace(NAMESPACES.observability, { ...kind, "pod-security.kubernetes.io/enforce": "restricted" }),
    namespace(NAMESPACES.node, { ...kind, "pod-security.kubernetes.io/enforce": "privileged" }),
  ]);
  expect(findings).toEqual([]);
});

test("unlabelled, node-exporter's host access is refused and production's rules apply", async () => {
  const findings = await policyPackFindings([
    namespace(NAMESPACES.observability, {}),
    namespace(NAMESPACES.node, {}),
  ]);
  expect(findings).toEqual(
    expect.arrayContaining([
      "host-access-allowlisted: DaemonSet/monitoring-agents/node-exporter: uses hostNetwork without an allowlist grant",
      "no-exposed-services-in-prod: Service/monitoring/prometheus is of type NodePort in production; expose Grafana through the Ingress only",
      "data-volumes-protected-in-prod: StatefulSet/prometheus holds persistent volumes but is not protected; a destroy would delete history",
    ]),
  );
});

describe("reads under mocks", () => {
  const read = { type: "kubernetes:core/v1:Namespace", name: "monitoring", inputs: {}, id: "monitoring" };

  test("given the cluster, a read finds the object as the cluster holds it, and records it", () => {
    const live = namespace("monitoring", { team: "payments" });
    const mocks = new RecordingMocks({}, [live]);
    expect(mocks.newResource(read).state).toEqual(live);
    expect(mocks.registrations).toEqual([
      expect.objectContaining({ read: true, live, inputs: { id: "monitoring" } }),
    ]);
  });

  test("given the cluster, a read of what it does not hold fails, as in pulumi preview", () => {
    const mocks = new RecordingMocks({}, [namespace("elsewhere", {})]);
    expect(() => mocks.newResource(read)).toThrow(
      "kubernetes:core/v1:Namespace monitoring does not exist in the cluster: reading it fails",
    );
  });

  test("a namespaced object is found by <namespace>/<name>, as the provider names it", () => {
    const configMap: ClusterObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "shop" },
    };
    const mocks = new RecordingMocks({}, [configMap]);
    const found = mocks.newResource({
      type: "kubernetes:core/v1:ConfigMap",
      name: "s",
      inputs: {},
      id: "shop/settings",
    });
    expect(found.state).toEqual(configMap);
  });
});
