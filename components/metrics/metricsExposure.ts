import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { OIDC_CLIENT_SECRET, deployIngress, deployOidcClientSecret } from "../common/ingress";
import { ALERTMANAGER, PROMETHEUS } from "./names";
import { queryService } from "./queryEndpoint";
import { MetricsSettings } from "./settings";

/** Both answer 200 on it without a login, and only once they run. */
const HEALTH_PATH = "/-/healthy";

/**
 * The URLs people open Prometheus and Alertmanager at, when they are exposed (plain strings, for
 * `--web.external-url` and alert links); none otherwise.
 */
export function metricsPublicUrls(exposure: StackConfig["exposure"]): {
  readonly prometheus?: string;
  readonly alertmanager?: string;
} {
  const ingress = exposure.mode === "ingress" ? exposure.ingress : undefined;
  if (ingress === undefined) {
    return {};
  }
  return {
    ...(ingress.prometheus === undefined ? {} : { prometheus: `https://${ingress.prometheus.host}` }),
    ...(ingress.alertmanager === undefined ? {} : { alertmanager: `https://${ingress.alertmanager.host}` }),
  };
}

/**
 * How people reach Prometheus and Alertmanager, for the stack outputs: their public URL when
 * exposed, Prometheus' NodePort on kind, otherwise a port-forward through the stack's own context.
 */
export function metricsAccess(config: Pick<StackConfig, "exposure" | "namespaces" | "cluster" | "metrics">): {
  readonly prometheus: string;
  readonly alertmanager: string;
} {
  const exposed = metricsPublicUrls(config.exposure);
  const query = queryService(config.metrics);
  const forward = (service: string, port: number) =>
    `kubectl --context ${config.cluster.kubeContext} -n ${config.namespaces.observability} ` +
    `port-forward service/${service} ${port}, then open http://localhost:${port}`;
  return {
    prometheus:
      exposed.prometheus ??
      (config.exposure.mode === "nodePort"
        ? `http://localhost:${config.exposure.nodePorts.prometheus}`
        : forward(query.name, query.port)),
    alertmanager: exposed.alertmanager ?? forward(ALERTMANAGER.name, ALERTMANAGER.ports.http.port),
  };
}

/**
 * Prometheus and Alertmanager behind the same kind of Ingress as Grafana, each on its own host,
 * authenticated by the ALB (`exposure.ingress.auth`; the schema requires it on eks). Prometheus is
 * reached through its query Service: the same view Grafana reads.
 */
export function deployMetricsExposure(
  name: string,
  config: MetricsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  const ingress = config.exposure.mode === "ingress" ? config.exposure.ingress : undefined;
  if (ingress === undefined) {
    return;
  }
  const namespace = config.namespaces.observability;
  if (ingress.prometheus === undefined && ingress.alertmanager === undefined) {
    return;
  }
  // The controller reads the OIDC client from a Secret beside the Ingress.
  const client = deployOidcClientSecret(name, OIDC_CLIENT_SECRET, "metrics", namespace, ingress.auth, opts);
  const withClient = { ...opts, dependsOn: client };
  // Prometheus through its query Service: the same view Grafana reads.
  const uis = [
    {
      spec: PROMETHEUS,
      host: ingress.prometheus?.host,
      service: queryService(config.metrics).name,
      image: config.images.prometheus,
    },
    {
      spec: ALERTMANAGER,
      host: ingress.alertmanager?.host,
      service: ALERTMANAGER.name,
      image: config.images.alertmanager,
    },
  ];
  for (const ui of uis) {
    if (ui.host !== undefined) {
      deployIngress(
        `${name}-${ui.spec.name}`,
        { name: ui.spec.name, component: "metrics", image: ui.image },
        namespace,
        ingress,
        {
          host: ui.host,
          serviceName: ui.service,
          port: "http",
          healthCheckPath: HEALTH_PATH,
          authenticated: true,
        },
        withClient,
      );
    }
  }
}
