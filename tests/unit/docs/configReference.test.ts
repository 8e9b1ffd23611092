import { z } from "zod";
import { stackConfigSchema } from "../../../config/schema";
import { configKeys } from "../../../scripts/docs/configReference";

describe("configuration reference", () => {
  const keys = configKeys(stackConfigSchema);
  const row = (key: string) => {
    const found = keys.find((k) => k.key === key);
    if (found === undefined) {
      throw new Error(`no row ${key}; have ${keys.map((k) => k.key).join(", ")}`);
    }
    return found;
  };

  it("gives each profile's default, the constraint and the description of a key", () => {
    expect(row("metrics.retentionTime")).toEqual({
      key: "metrics.retentionTime",
      type: "string",
      allowed: "a duration such as 30s, 5m, 24h or 7d",
      defaults: { kind: "`7d`", eks: "`15d`" },
      description:
        "How long Prometheus keeps samples on its volume, and so how far back its rules read: without metrics.objectStorage no SLO or alert window may be longer (the 3-day ticket window included). With it, the window before the bucket answers dashboards alone, and rules reading further back run in Thanos Ruler over the bucket (metrics.objectStorage.retention.raw bounds them).",
    });
    expect(row("metrics.replicas")).toMatchObject({ type: "number", allowed: "whole, 1–3" });
    expect(row("logs.collectionMode").allowed).toBe("`node`, `api`");
    expect(row("exposure.ingress.auth")).toMatchObject({
      type: "one of, optional",
      allowed: "type: `oidc`, `cognito`",
    });
    expect(row("grafana.extraDatasources").allowed).toBe("type: `elasticsearch`, `jaeger`");
  });

  it("marks credentials secret and optional keys unset", () => {
    expect(row("grafana.sso.clientSecret").type).toBe("secret string");
    expect(row("logs.tenant")).toMatchObject({
      type: "string, optional",
      defaults: { kind: "unset", eks: "`platform`" },
    });
  });

  it("documents one row for keys that share a schema, with each member's default", () => {
    const cpu = row("resources.<name>.requests.cpu");
    expect(cpu.defaults.kind).toContain("prometheus: `100m`");
    expect(cpu.defaults.eks).toContain("prometheus: `500m`");
    expect(row("resources.<name>").description).toContain("`otelCollectorAggregator`");
    expect(keys.some((k) => k.key.startsWith("resources.prometheus"))).toBe(false);
  });

  it("reads any zod object: nested keys, list elements, schema defaults", () => {
    const schema = z.object({
      a: z.object({ b: z.number().int().min(1).max(3).describe("B.") }),
      list: z.array(z.object({ c: z.boolean().default(true) })),
    });
    expect(configKeys(schema).map((k) => [k.key, k.type, k.defaults.kind])).toEqual([
      ["a", "object", ""],
      ["a.b", "number", ""],
      ["list", "list of object", ""],
      ["list[].c", "boolean, optional", "`true`"],
    ]);
  });
});
