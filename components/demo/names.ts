import { DEMO_NAMESPACE, DEMO_SERVICES, DemoService } from "../../config/demo";
import { WorkloadSpec, workloadSpec } from "../common/workloadSpec";

export { DEMO_NAMESPACE, DEMO_SERVICES };
export type { DemoService };

/** Each demo service's workload: one HTTP port, its route, health and metrics. */
export const demoWorkload = (service: DemoService): WorkloadSpec<"http"> =>
  workloadSpec(service.name, { http: { port: service.port } });

/** The ConfigMap holding the demo services' program. */
export const DEMO_PROGRAM_CONFIGMAP = "demo-program";

/** Where the demo pods mount it. */
export const DEMO_PROGRAM_PATH = "/opt/demo";
