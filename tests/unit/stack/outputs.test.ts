import { KubeObject } from "../../../render/manifest";
import { rendered } from "../../support/renderedStacks";
import { renderExposed } from "../../support/exposedProd";
import { Json } from "../../kit/json";

/** The role-carrying ServiceAccounts of a render, as the outputs name them. */
const annotatedAccounts = (objects: readonly KubeObject[]) =>
  objects
    .filter((o) => o.kind === "ServiceAccount" && o.metadata.annotations?.["eks.amazonaws.com/role-arn"])
    .map((o) => ({
      serviceAccount: `${o.metadata.namespace}/${o.metadata.name}`,
      roleArn: o.metadata.annotations?.["eks.amazonaws.com/role-arn"],
    }))
    .sort((a, b) => a.serviceAccount.localeCompare(b.serviceAccount));
const outputAccounts = (outputs: Json) =>
  (outputs.awsRoleServiceAccounts as Json[])
    .map(({ serviceAccount, roleArn }) => ({ serviceAccount, roleArn }))
    .sort((a, b) => a.serviceAccount.localeCompare(b.serviceAccount));

describe("the outputs a platform team needs next", () => {
  test("kind: Prometheus on its NodePort, Alertmanager by port-forward through the stack's context, no IAM roles", async () => {
    const { outputs } = await rendered("kind");
    expect(outputs.prometheusAccess).toBe("http://localhost:30090");
    expect(outputs.alertmanagerAccess).toBe(
      "kubectl --context kind-observability -n observability port-forward service/alertmanager 9093, then open http://localhost:9093",
    );
    expect(outputs.awsRoleServiceAccounts).toEqual([]);
  });

  test.each(["kind", "prod"] as const)(
    "%s: the app ConfigMap to envFrom is the one the stack publishes in every app namespace",
    async (stack) => {
      const { outputs, objects } = await rendered(stack);
      const { name, namespaces } = outputs.appTracingConfigMap as { name: string; namespaces: string[] };
      // kind also runs the demo, an app in its own namespace.
      expect(namespaces).toEqual(
        stack === "kind" ? ["tiketi-spring", "observability-demo"] : ["tiketi-spring"],
      );
      for (const namespace of namespaces) {
        expect(
          objects.filter(
            (o) => o.kind === "ConfigMap" && o.metadata.name === name && o.metadata.namespace === namespace,
          ),
        ).toHaveLength(1);
      }
    },
  );

  test("prod: the ServiceAccounts that need IAM roles are exactly those the render annotates, with the key naming each role", async () => {
    const { outputs, objects } = await rendered("prod");
    expect(outputAccounts(outputs)).toEqual(annotatedAccounts(objects));
    expect((outputs.awsRoleServiceAccounts as Json[]).map((a) => [a.serviceAccount, a.configKey])).toEqual([
      ["observability/loki", "storage.s3.loki.roleArn"],
      ["observability/tempo", "storage.s3.tempo.roleArn"],
      ["observability/prometheus", "metrics.objectStorage.roleArn"],
      ["observability/thanos-store", "metrics.objectStorage.storeRoleArn"],
      ["observability/thanos-compactor", "metrics.objectStorage.compactorRoleArn"],
    ]);
    expect(outputs.prometheusAccess).toBe(
      "kubectl --context arn:aws:eks:ap-northeast-2:111111111111:cluster/tiketi-prod -n observability port-forward service/thanos-query 10902, then open http://localhost:10902",
    );
  });

  test("prod with AMP and the UIs behind the ALB: Prometheus' and Grafana's roles join, and the UIs are URLs", async () => {
    const { outputs, objects } = await renderExposed();
    expect(outputAccounts(outputs)).toEqual(annotatedAccounts(objects));
    expect(outputAccounts(outputs).map((a) => a.serviceAccount)).toEqual([
      "observability/grafana",
      "observability/loki",
      "observability/prometheus",
      "observability/tempo",
    ]);
    expect(outputs.prometheusAccess).toBe("https://prometheus.tiketi.example.com");
    expect(outputs.alertmanagerAccess).toBe("https://alertmanager.tiketi.example.com");
  });
});
