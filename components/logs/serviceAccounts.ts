import { StackConfig } from "../../config";
import { ServiceAccountName, serviceAccountName } from "../common/serviceAccount";
import { alloyNamespace } from "./alloyNamespace";
import { ALLOY, LOKI } from "./names";

/** The ServiceAccounts LogsStack creates. */
export interface LogsServiceAccounts {
  /** Loki's: the IRSA role of `storage.s3.loki`. */
  readonly loki: ServiceAccountName;
  /** The log agent's, in the node namespace when it reads node files (`logs.collectionMode` node). */
  readonly alloy: ServiceAccountName;
}

export function logsServiceAccounts(config: Pick<StackConfig, "namespaces" | "logs">): LogsServiceAccounts {
  return {
    loki: serviceAccountName(config.namespaces.observability, LOKI.name),
    alloy: serviceAccountName(alloyNamespace(config), ALLOY.name),
  };
}
