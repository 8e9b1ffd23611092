// The checks every rendered object of both stacks must pass; later components are covered as
// soon as they render anything.
import { networkPolicyProblems } from "../../../checks/networkPolicyCoverage";
import { podSecurityProblems } from "../../../checks/podSecurity";
import { renderedPods } from "../../../checks/podSpecs";
import { openApiProblems } from "../../../checks/kubernetesSchema";
import { parsePulumiConfig } from "../../../config/load";
import { readStackFile } from "../../../render/stackFile";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { APP_TRACING_CONFIGMAP } from "../../../components/tracing/names";
import { closedNamespaces } from "../../../components/wiring/graph";
import { rendered } from "../../support/renderedStacks";
import { STACKS } from "../../kit/stacks";
import { strictDecodeProblems } from "../../../testing/strictDecode";
import { alloyNamespace } from "../../../components/logs/alloyNamespace";

function stackNamespaces(stack: string) {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return parsePulumiConfig(config, secretKeys).namespaces;
}

describe.each(STACKS)("every object of stack %s", (stack) => {
  test("renders at least the namespaces and their default-deny policies", async () => {
    const { objects } = await rendered(stack);
    const names = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "Namespace//observability",
        "Namespace//observability-node",
        "NetworkPolicy/observability/default-deny",
        "NetworkPolicy/observability-node/default-deny",
      ]),
    );
  });

  test("validates against the Kubernetes OpenAPI schema", async () => {
    const { objects } = await rendered(stack);
    expect(objects.flatMap(openApiProblems)).toEqual([]);
  });

  test("decodes strictly into the Kubernetes types (no unknown or duplicate fields)", async () => {
    const { objects } = await rendered(stack);
    expect(strictDecodeProblems(objects)).toEqual([]);
  });

  test("every pod meets Pod Security restricted and the hardening rules, host access only as allowlisted", async () => {
    const { objects } = await rendered(stack);
    const nodeNamespace = stackNamespaces(stack).node;
    expect(renderedPods(objects).flatMap((pod) => podSecurityProblems(pod, { nodeNamespace }))).toEqual([]);
  });

  test("every pod is isolated by a NetworkPolicy for ingress and egress", async () => {
    const { objects } = await rendered(stack);
    expect(networkPolicyProblems(renderedPods(objects), objects)).toEqual([]);
  });

  test("every object is named, labelled as part of the stack, and in a stack namespace unless cluster-scoped", async () => {
    const { objects } = await rendered(stack);
    const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    const parsed = parsePulumiConfig(config, secretKeys);
    const { apps } = parsed;
    for (const object of objects) {
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(object.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("observability");
      if (object.metadata.namespace === undefined) {
        continue;
      }
      // The apps' namespaces get only the tracing ConfigMap they envFrom and the log agent's
      // read access to their pods.
      // The demo's namespace, when it runs, is closed like the stack's own and holds its pods.
      const closed = closedNamespaces(parsed);
      const where =
        apps.namespaces.includes(object.metadata.namespace) && !closed.includes(object.metadata.namespace)
          ? `${object.kind}/${object.metadata.name}`
          : object.metadata.namespace;
      const agentAccess = ["Role", "RoleBinding"].map((kind) => `${kind}/${alloyNamespace(parsed)}-alloy`);
      expect([...closed, `ConfigMap/${APP_TRACING_CONFIGMAP}`, ...agentAccess]).toContain(where);
    }
  });

  test("every Kubernetes resource goes through the one explicit provider", async () => {
    const { registrations } = await rendered(stack);
    const providers = registrations.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    expect(providers[0].inputs.context).toBe(parsePulumiConfig(config, secretKeys).cluster.kubeContext);
    const kubernetes = registrations.filter((r) => r.type.startsWith("kubernetes:"));
    expect(kubernetes.length).toBeGreaterThan(0);
    for (const r of kubernetes) {
      expect(r.provider).toMatch(/::pulumi:providers:kubernetes::kubernetes::kubernetes-id$/);
    }
  });
});
