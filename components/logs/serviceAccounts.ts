import { StackConfig } from "../../config";
import { ServiceAccountName, serviceAccountName } from "../common/serviceAccount";
import { alloyNamespace } from "./alloyNamespace";
import { ALLOY, EVENT_COLLECTOR, LOKI } from "./names";

/** The ServiceAccounts LogsStack creates. */
export interface LogsServiceAccounts {
  /** Loki's: the IRSA role of `storage.s3.loki`. */
  readonly loki: ServiceAccountName;
  /** The log agent's, in the node namespace when it reads node files (`logs.collectionMode` node). */
  readonly alloy: ServiceAccountName;
  /** The event collector's, which reads events only; none with `logs.clusterEvents` off. */
  readonly eventCollector?: ServiceAccountName;
}

/** Every ServiceAccount LogsStack may create, by the names they get with this config. */
export function logsServiceAccounts(
  config: Pick<StackConfig, "namespaces" | "logs">,
): Required<LogsServiceAccounts> {
  return {
    loki: serviceAccountName(config.namespaces.observability, LOKI.name),
    alloy: serviceAccountName(alloyNamespace(config), ALLOY.name),
    eventCollector: serviceAccountName(config.namespaces.observability, EVENT_COLLECTOR.name),
  };
}
