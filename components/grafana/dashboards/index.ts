import { StackConfig } from "../../../config";
import { Dashboard, dashboard } from "../dashboard/model";
import { alerts, infrastructure, logs, stackHealth, tracing } from "./platform";
import { jvm, nodejs } from "./runtimes";
import { landing, serviceDetail, serviceOverview, slo } from "./services";

/** Every provisioned dashboard, built from the stack config. */
export function allDashboards(config: StackConfig): Dashboard[] {
  return [
    landing(config),
    serviceOverview(),
    serviceDetail(),
    slo(config),
    jvm(),
    nodejs(),
    infrastructure(),
    logs(config),
    tracing(),
    alerts(),
    stackHealth(),
  ].map(dashboard);
}
