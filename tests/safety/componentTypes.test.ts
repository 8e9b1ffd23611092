import { rendered } from "../renderedStacks";

/**
 * Each component's type token and the one its deployed stacks hold it under. A component's URN
 * embeds its type and every child's URN embeds its parent's, so without the alias an update would
 * replace the component and everything under it, protected volumes included.
 */
const FORMER_TYPES: Record<string, string> = {
  "observability:index:Namespaces": "observability:index:StackNamespaces",
  "observability:index:Metrics": "observability:index:MetricsStack",
  "observability:index:Logs": "observability:index:LogsStack",
  "observability:index:Tracing": "observability:index:TracingStack",
  "observability:index:Grafana": "observability:index:GrafanaStack",
  "observability:index:Demo": "observability:index:DemoStack",
};

describe("component type tokens", () => {
  test("kind: every component declares an alias to the type its deployed stacks hold it under", async () => {
    const components = (await rendered("kind")).registrations.filter((r) =>
      r.type.startsWith("observability:index:"),
    );
    expect(Object.fromEntries(components.map((r) => [r.type, r.aliases]))).toEqual(
      Object.fromEntries(Object.entries(FORMER_TYPES).map(([type, former]) => [type, [former]])),
    );
  });
});
