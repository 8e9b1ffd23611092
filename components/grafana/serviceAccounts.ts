import { StackConfig } from "../../config";
import { ServiceAccountName, serviceAccountName } from "../common/serviceAccount";
import { GRAFANA } from "./names";

/** The ServiceAccounts GrafanaStack creates. */
export interface GrafanaServiceAccounts {
  /** With `metrics.remoteWrite`: Grafana's, on its `queryRoleArn` (IRSA). */
  readonly grafana?: ServiceAccountName;
}

/** Every ServiceAccount GrafanaStack may create, by the names they get in the stack's namespace. */
export function grafanaServiceAccounts(
  config: Pick<StackConfig, "namespaces">,
): Required<GrafanaServiceAccounts> {
  return { grafana: serviceAccountName(config.namespaces.observability, GRAFANA.name) };
}
