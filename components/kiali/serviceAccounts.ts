import { StackConfig } from "../../config";
import { ServiceAccountName, serviceAccountName } from "../common/serviceAccount";
import { KIALI } from "./names";

/** The ServiceAccounts KialiStack creates. */
export interface KialiServiceAccounts {
  /** Kiali's, with the viewer's Roles in the namespaces it shows. */
  readonly kiali: ServiceAccountName;
}

export function kialiServiceAccounts(config: Pick<StackConfig, "namespaces">): KialiServiceAccounts {
  return { kiali: serviceAccountName(config.namespaces.observability, KIALI.name) };
}
