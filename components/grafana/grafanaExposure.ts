import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "../common/labels";
import { deployIngress } from "../common/ingress";
import { GRAFANA_HEALTH_PATH } from "./names";
import { GrafanaSettings } from "./settings";

/**
 * How people reach Grafana: its `grafana` Service (a NodePort on kind) or, with `exposure.mode:
 * ingress`, an Ingress for the configured host in front of it. Returns the object that must be
 * ready before people (or `pulumi up`) can reach it.
 */
export function deployGrafanaExposure(
  name: string,
  config: GrafanaSettings,
  id: WorkloadIdentity,
  service: k8s.core.v1.Service,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  if (ingress === undefined) {
    return service;
  }
  return deployIngress(
    `${name}-grafana`,
    id,
    config.namespaces.observability,
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
