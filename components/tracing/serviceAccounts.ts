import { StackConfig } from "../../config";
import { ServiceAccountName, serviceAccountName } from "../common/serviceAccount";
import { COLLECTOR, TEMPO } from "./names";

/** The ServiceAccounts TracingStack creates. */
export interface TracingServiceAccounts {
  /** The collector gateway's, which reads pods for their k8s attributes. */
  readonly collector: ServiceAccountName;
  /** Tempo's: the IRSA role of `storage.s3.tempo`. */
  readonly tempo: ServiceAccountName;
}

export function tracingServiceAccounts(config: Pick<StackConfig, "namespaces">): TracingServiceAccounts {
  const account = (name: string) => serviceAccountName(config.namespaces.observability, name);
  return { collector: account(COLLECTOR.name), tempo: account(TEMPO.name) };
}
