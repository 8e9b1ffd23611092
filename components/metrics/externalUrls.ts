import { StackConfig } from "../../config";
import { workloadUrl } from "../common/workloadSpec";
import { grafanaPublicUrl } from "../grafana/names";
import { ALERTMANAGER, PROMETHEUS } from "./names";

export interface ExternalUrls {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly grafana: string;
}

/**
 * Where people open each UI, for the links in alerts: Prometheus' `generatorURL`, Alertmanager's
 * silence links, Grafana in the notification templates. `alerting.externalUrls` wins; otherwise
 * the NodePort on kind, and the in-cluster URL for what is not exposed (as before the keys
 * existed). The one place to add Ingress hosts for Prometheus and Alertmanager.
 */
export function externalUrls(
  config: Pick<StackConfig, "alerting" | "exposure" | "namespaces">,
): ExternalUrls {
  const set = config.alerting.externalUrls;
  const namespace = config.namespaces.observability;
  const nodePort = config.exposure.mode === "nodePort";
  return {
    prometheus:
      set.prometheus ??
      (nodePort
        ? `http://localhost:${config.exposure.nodePorts.prometheus}`
        : workloadUrl(PROMETHEUS, namespace, "http")),
    alertmanager: set.alertmanager ?? workloadUrl(ALERTMANAGER, namespace, "http"),
    grafana: set.grafana ?? grafanaPublicUrl(config.exposure),
  };
}
