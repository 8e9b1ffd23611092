import { StackConfig } from "../../config";

/** The namespace the log agent runs in: the node namespace for `node` mode. */
export function alloyNamespace(config: Pick<StackConfig, "logs" | "namespaces">): string {
  return config.logs.collectionMode === "node" ? config.namespaces.node : config.namespaces.observability;
}
