import { StackConfig } from "../../../config";
import { Dashboard, dashboard } from "../dashboard/model";
import { DashboardDefinition } from "./definition";
import { alerts } from "./alerts";
import { infrastructure } from "./infrastructure";
import { jvmSpring } from "./jvmSpring";
import { landing } from "./landing";
import { logs } from "./logs";
import { nodejsRuntime } from "./nodejsRuntime";
import { serviceDetail } from "./serviceDetail";
import { serviceOverview } from "./serviceOverview";
import { slos } from "./slos";
import { stackHealth } from "./stackHealth";
import { tracing } from "./tracing";

const DASHBOARDS: readonly DashboardDefinition[] = [
  landing,
  serviceOverview,
  serviceDetail,
  slos,
  jvmSpring,
  nodejsRuntime,
  infrastructure,
  logs,
  tracing,
  alerts,
  stackHealth,
];

/** Every provisioned dashboard, built from the stack config. */
export function allDashboards(config: StackConfig): Dashboard[] {
  return DASHBOARDS.map((d) => dashboard({ uid: d.uid, title: d.title, ...d.content(config) }));
}
