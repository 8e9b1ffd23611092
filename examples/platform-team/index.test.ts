// The program's own test: rendered offline with the package's testing module, it passes the checks
// the package's own stacks pass, and the roles it makes are the ones its ServiceAccounts carry.
import { checkProgram, renderProgram } from "@observability-stack/pulumi/testing";

jest.setTimeout(300_000);

test("the stack renders wired, passes the package's checks and hands its roles to the ServiceAccounts", async () => {
  const render = await renderProgram({ dir: __dirname, stack: "prod" });
  const report = await checkProgram(render, { appNamespaces: ["shop"] });
  expect(report.problems).toEqual([]);
  expect(report.checked.connections).toBeGreaterThan(0);

  const role = render.registrations.find((r) => r.type === "aws:iam/role:Role" && r.name === "loki-irsa");
  const trust = JSON.parse(String(role?.inputs.assumeRolePolicy));
  expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain(
    "system:serviceaccount:observability:loki",
  );
  const loki = render.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === "loki");
  expect(loki?.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBe(render.outputs.lokiRoleArn);
  // Every Kubernetes object goes through the cluster's provider (`<urn>::<name>::<id>`), none through an ambient one.
  const kubernetes = render.registrations.filter((r) => r.type.startsWith("kubernetes:"));
  expect([...new Set(kubernetes.map((r) => r.provider?.split("::")[3]))]).toEqual(["cluster"]);
});
