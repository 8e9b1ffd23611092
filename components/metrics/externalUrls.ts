import { StackConfig } from "../../config";
import { workloadUrl } from "../common/workloadSpec";
import { metricsPublicUrls } from "./metricsExposure";
import { ALERTMANAGER, PROMETHEUS } from "./names";

interface ExternalUrls {
  readonly prometheus: string;
  readonly alertmanager: string;
  /** None without a Grafana to link to. */
  readonly grafana?: string;
}

/**
 * Where people open each UI, for the links in alerts: Prometheus' `generatorURL`, Alertmanager's
 * silence links, Grafana in the notification templates. `alerting.externalUrls` wins; otherwise
 * their Ingress host (`exposure.ingress.prometheus`/`alertmanager`), the NodePort on kind, and the
 * in-cluster URL for what is not exposed; Grafana's URL as MetricsStack was given it.
 */
export function externalUrls(
  config: Pick<StackConfig, "alerting" | "exposure" | "namespaces"> & { readonly grafanaUrl?: string },
): ExternalUrls {
  const set = config.alerting.externalUrls;
  const namespace = config.namespaces.observability;
  const nodePort = config.exposure.mode === "nodePort";
  const exposed = metricsPublicUrls(config.exposure);
  return {
    prometheus:
      set.prometheus ??
      exposed.prometheus ??
      (nodePort
        ? `http://localhost:${config.exposure.nodePorts.prometheus}`
        : workloadUrl(PROMETHEUS, namespace, "http")),
    alertmanager: set.alertmanager ?? exposed.alertmanager ?? workloadUrl(ALERTMANAGER, namespace, "http"),
    grafana: set.grafana ?? config.grafanaUrl,
  };
}
