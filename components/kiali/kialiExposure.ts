import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { OIDC_CLIENT_SECRET, deployIngress, deployOidcClientSecret } from "../common/ingress";
import { KIALI, KIALI_HEALTH_PATH, KIALI_WEB_ROOT } from "./names";
import { KialiSettings } from "./settings";

/** Kiali's own OIDC client Secret for the ALB, beside Prometheus' and Alertmanager's. */
const KIALI_OIDC_CLIENT_SECRET = `${OIDC_CLIENT_SECRET}-${KIALI.name}`;

/**
 * Where people open Kiali: its NodePort on kind, its Ingress host on eks; none on eks without
 * `exposure.ingress.kiali` (a port-forward then).
 */
export function kialiPublicUrl(exposure: StackConfig["exposure"]): string | undefined {
  if (exposure.mode === "nodePort") {
    return `http://localhost:${exposure.nodePorts.kiali}${KIALI_WEB_ROOT}`;
  }
  const host = exposure.ingress?.kiali?.host;
  return host === undefined ? undefined : `https://${host}${KIALI_WEB_ROOT}`;
}

/** How people reach Kiali, for the stack outputs: its public URL, else a port-forward through the stack's own context. */
export function kialiAccess(config: Pick<StackConfig, "exposure" | "namespaces" | "cluster">): string {
  const port = KIALI.ports.http.port;
  return (
    kialiPublicUrl(config.exposure) ??
    `kubectl --context ${config.cluster.kubeContext} -n ${config.namespaces.observability} ` +
      `port-forward service/${KIALI.name} ${port}, then open http://localhost:${port}${KIALI_WEB_ROOT}`
  );
}

/**
 * Kiali behind the same kind of Ingress as Grafana, on its own host, authenticated by the ALB
 * (`exposure.ingress.auth`, which the schema requires on eks): Kiali itself is anonymous.
 */
export function deployKialiExposure(
  name: string,
  settings: KialiSettings,
  service: k8s.core.v1.Service,
  opts: pulumi.CustomResourceOptions,
): void {
  const ingress = settings.exposure.mode === "ingress" ? settings.exposure.ingress : undefined;
  const host = ingress?.kiali?.host;
  if (ingress === undefined || host === undefined) {
    return;
  }
  const namespace = settings.namespaces.observability;
  const id = { name: KIALI.name, component: "mesh", image: settings.images.kiali };
  const client = deployOidcClientSecret(
    name,
    KIALI_OIDC_CLIENT_SECRET,
    "mesh",
    namespace,
    ingress.auth,
    opts,
  );
  deployIngress(
    `${name}-${KIALI.name}`,
    id,
    namespace,
    ingress,
    {
      host,
      serviceName: service.metadata.name,
      port: "http",
      healthCheckPath: KIALI_HEALTH_PATH,
      authenticated: true,
      oidcClientSecret: KIALI_OIDC_CLIENT_SECRET,
    },
    { ...opts, dependsOn: client },
  );
}
