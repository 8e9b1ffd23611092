import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "../common/labels";
import { deployIngress } from "../common/ingress";
import { serviceArgs } from "../common/service";
import { servicePorts } from "../common/workloadSpec";
import { GRAFANA, GRAFANA_HEALTH_PATH } from "./names";
import { GrafanaSettings } from "./settings";

/**
 * How people reach Grafana: its Service (a NodePort on kind) and, with `exposure.mode: ingress`,
 * an Ingress for the configured host. Returns the object that must be ready before people (or
 * `pulumi up`) can reach it.
 */
export function deployGrafanaExposure(
  name: string,
  config: GrafanaSettings,
  id: WorkloadIdentity,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const namespace = config.namespaces.observability;
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  const nodePort = config.exposure.mode === "nodePort";
  const service = new k8s.core.v1.Service(
    `${name}-grafana`,
    serviceArgs({
      id,
      namespace,
      ports: servicePorts(GRAFANA, {
        names: ["http"],
        ...(nodePort ? { nodePorts: { http: config.exposure.nodePorts.grafana } } : {}),
      }),
    }),
    opts,
  );
  if (ingress === undefined) {
    return service;
  }
  return deployIngress(
    `${name}-grafana`,
    id,
    namespace,
    ingress,
    {
      host: ingress.host,
      serviceName: service.metadata.name,
      port: "http",
      healthCheckPath: GRAFANA_HEALTH_PATH,
      // Grafana has its own login.
      authenticated: false,
    },
    opts,
  );
}
