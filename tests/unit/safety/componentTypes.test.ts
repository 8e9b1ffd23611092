import { rendered } from "../../support/renderedStacks";

/**
 * Each component's type token (the one 0.3.0 deployed it under) and the one 0.4.0 deployed it
 * under. A component's URN embeds its type and every child's URN embeds its parent's, so without
 * the alias an update of a 0.4.0 stack would replace the component and everything under it,
 * protected volumes included.
 */
const FORMER_TYPES: Record<string, string> = {
  "observability:index:StackNamespaces": "observability:index:Namespaces",
  "observability:index:MetricsStack": "observability:index:Metrics",
  "observability:index:LogsStack": "observability:index:Logs",
  "observability:index:TracingStack": "observability:index:Tracing",
  "observability:index:GrafanaStack": "observability:index:Grafana",
  "observability:index:DemoStack": "observability:index:Demo",
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
