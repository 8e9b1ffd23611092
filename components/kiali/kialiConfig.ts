// Kiali's config file (config.yaml), typed with the keys this stack sets. The names and nesting are
// Kiali v2.29.0's (config/config.go in kiali/kiali): `yaml` tags of Config, DeploymentConfig,
// ExternalServices (PrometheusConfig, ThanosProxy, TracingConfig, TempoConfig, GrafanaConfig,
// IstioConfig) and Server.
import { DATASOURCE_UIDS } from "../common/grafanaUids";
import { KIALI, KIALI_WEB_ROOT } from "./names";
import { KialiBackends, KialiSettings } from "./settings";

interface NamespaceSelector {
  readonly matchExpressions: readonly {
    readonly key: string;
    readonly operator: "In";
    readonly values: readonly string[];
  }[];
}

export interface KialiConfig {
  readonly auth: { readonly strategy: "anonymous" };
  readonly deployment: {
    readonly cluster_wide_access: false;
    readonly discovery_selectors: { readonly default: readonly NamespaceSelector[] };
    readonly instance_name: string;
    readonly namespace: string;
    readonly view_only_mode: true;
  };
  readonly external_services: {
    readonly prometheus: {
      readonly enabled: true;
      readonly url: string;
      readonly thanos_proxy?: {
        readonly enabled: true;
        readonly retention_period: string;
        readonly scrape_interval: string;
      };
    };
    readonly tracing:
      | { readonly enabled: false }
      | {
          readonly enabled: true;
          readonly provider: "tempo";
          readonly internal_url: string;
          readonly external_url: string;
          readonly use_grpc: false;
          readonly tempo_config: {
            readonly datasource_uid: string;
            readonly org_id: string;
            readonly url_format: "grafana";
          };
        };
    readonly grafana:
      | { readonly enabled: false }
      | {
          readonly enabled: true;
          readonly internal_url: string;
          readonly external_url: string;
          readonly datasource_uid: string;
          readonly dashboards: readonly never[];
        };
    readonly istio: { readonly root_namespace: string };
  };
  readonly server: {
    readonly port: number;
    readonly web_root: string;
    readonly observability: { readonly metrics: { readonly enabled: true; readonly port: number } };
  };
}

/** Grafana's organisation of the provisioned datasources: the one a new Grafana has. */
const GRAFANA_ORG = "1";

/** The namespaces Kiali reads: its own, istiod's and the meshed ones. */
export function kialiNamespaces(settings: Pick<KialiSettings, "namespaces" | "mesh">): string[] {
  const istio = settings.mesh.istio;
  return [...new Set([settings.namespaces.observability, istio.istiodNamespace, ...istio.namespaces])];
}

/**
 * Kiali read-only and anonymous (people reach it on the host's loopback on kind, behind the
 * Ingress' authentication on eks), limited to the namespaces it has Roles in (cluster-wide access
 * off, a discovery selector naming them), on this stack's Prometheus query endpoint, with traces
 * from Tempo that open in Grafana's Explore through the Tempo datasource. Kiali links Grafana
 * dashboards only by looking them up in Grafana's API, which needs credentials it is not given:
 * no dashboard links.
 */
export function kialiConfig(settings: KialiSettings, backends: KialiBackends): KialiConfig {
  const { prometheus, tempoUrl, grafana } = backends;
  return {
    auth: { strategy: "anonymous" },
    deployment: {
      cluster_wide_access: false,
      discovery_selectors: {
        default: [
          {
            matchExpressions: [
              { key: "kubernetes.io/metadata.name", operator: "In", values: kialiNamespaces(settings) },
            ],
          },
        ],
      },
      instance_name: KIALI.name,
      namespace: settings.namespaces.observability,
      view_only_mode: true,
    },
    external_services: {
      prometheus: {
        enabled: true,
        url: prometheus.url,
        ...(prometheus.thanos === undefined
          ? {}
          : {
              thanos_proxy: {
                enabled: true,
                retention_period: prometheus.thanos.retention,
                scrape_interval: prometheus.thanos.scrapeInterval,
              },
            }),
      },
      tracing:
        tempoUrl === undefined || grafana === undefined
          ? { enabled: false }
          : {
              enabled: true,
              provider: "tempo",
              internal_url: tempoUrl,
              external_url: grafana.publicUrl,
              use_grpc: false,
              tempo_config: {
                datasource_uid: DATASOURCE_UIDS.tempo,
                org_id: GRAFANA_ORG,
                url_format: "grafana",
              },
            },
      grafana:
        grafana === undefined
          ? { enabled: false }
          : {
              enabled: true,
              internal_url: grafana.internalUrl,
              external_url: grafana.publicUrl,
              datasource_uid: DATASOURCE_UIDS.prometheus,
              dashboards: [],
            },
      istio: { root_namespace: settings.mesh.istio.istiodNamespace },
    },
    server: {
      port: KIALI.ports.http.port,
      web_root: KIALI_WEB_ROOT,
      observability: { metrics: { enabled: true, port: KIALI.ports["http-metrics"].port } },
    },
  };
}
