import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { serviceArgs } from "../common/service";
import { servicePorts } from "../common/workloadSpec";
import { GRAFANA } from "./names";
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
  return new k8s.networking.v1.Ingress(
    `${name}-grafana`,
    {
      metadata: { ...objectMeta(id, namespace), annotations: { ...ingress.annotations } },
      spec: {
        ingressClassName: ingress.className,
        ...(ingress.tlsSecretName === undefined
          ? {}
          : { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }),
        rules: [
          {
            host: ingress.host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
    },
    opts,
  );
}
