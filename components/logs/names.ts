import { StackConfig } from "../../config";

/** Names, ports and paths of the logs workloads: one source for Services, configs and wiring. */
export const LOKI = { name: "loki", httpPort: 3100, grpcPort: 9096 } as const;
export const LOKI_PATHS = { config: "/etc/loki/config", rules: "/etc/loki/rules", data: "/loki" } as const;

export const ALLOY = { name: "alloy", httpPort: 12345 } as const;
export const ALLOY_PATHS = { config: "/etc/alloy", data: "/var/lib/alloy/data" } as const;

/** The tenant Loki files logs under when multi-tenancy is off. */
export const SINGLE_TENANT = "fake";

/** The header that names the Loki tenant; Grafana's datasource sends it too. */
export const TENANT_HEADER = "X-Scope-OrgID";

/** The namespace the log agent runs in: the node namespace for `node` mode. */
export function alloyNamespace(config: StackConfig): string {
  return config.logs.collectionMode === "node" ? config.namespaces.node : config.namespaces.observability;
}
