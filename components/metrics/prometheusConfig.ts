import { StackConfig } from "../../config";
import {
  ALERTMANAGER,
  ALERTMANAGER_PEERS_SERVICE,
  POD_NAME_ENV,
  PROMETHEUS,
  THANOS_SIDECAR_JOB,
  PROMETHEUS_PATHS,
  PROMETHEUS_PEERS_SERVICE,
  COREDNS_METRICS_PORT,
  PLATFORM_JOBS,
  SERVICE_ACCOUNT_CA,
  SERVICE_ACCOUNT_TOKEN,
} from "./names";
import { PrometheusConfig, RelabelConfig, ScrapeConfig } from "../common/prometheusTypes";
import { TIER_LABEL, podIdentityRelabels } from "../common/scrapeJobs";
import { replicaLabel } from "./queryEndpoint";
import { withScrapeLimits } from "./scrapeLimits";
import { MetricsSettings } from "./settings";

type AppService = StackConfig["apps"]["services"][number];

function slug(text: string): string {
  return text.replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export const appTier: RelabelConfig = { target_label: TIER_LABEL, replacement: "app" };

/**
 * The configured app services: one job per (metrics path, interval, limits), every pod behind each
 * Service a target of its own, labelled `service` like the reference platform's `spring-services`
 * job. A job whose limits are not `defaults` is named with them.
 */
export function appServiceJobs(
  services: readonly AppService[],
  defaults: Pick<StackConfig["metrics"]["scrapeLimits"], "sampleLimit" | "labelLimit">,
): ScrapeConfig[] {
  const groups = new Map<string, AppService[]>();
  for (const service of services) {
    const key = `${service.metricsPath} ${service.scrapeInterval} ${service.sampleLimit} ${service.labelLimit}`;
    groups.set(key, [...(groups.get(key) ?? []), service]);
  }
  return [...groups.values()].map((group) => {
    const { metricsPath, scrapeInterval, sampleLimit, labelLimit } = group[0];
    const namespaces = [...new Set(group.map((s) => s.namespace))].sort();
    const endpoints = group
      .map((s) => `${escapeRegex(s.namespace)};${escapeRegex(s.name)};${s.port}`)
      .join("|");
    const limits = [
      ...(sampleLimit === defaults.sampleLimit ? [] : [`samples-${sampleLimit}`]),
      ...(labelLimit === defaults.labelLimit ? [] : [`labels-${labelLimit}`]),
    ];
    return {
      job_name: [`services-${slug(metricsPath)}-${scrapeInterval}`, ...limits].join("-"),
      scrape_interval: scrapeInterval,
      metrics_path: metricsPath,
      sample_limit: sampleLimit,
      label_limit: labelLimit,
      kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: namespaces } }],
      relabel_configs: [
        {
          source_labels: [
            "__meta_kubernetes_namespace",
            "__meta_kubernetes_service_name",
            "__meta_kubernetes_endpointslice_port",
          ],
          regex: `(${endpoints})`,
          action: "keep",
        },
        { source_labels: ["__meta_kubernetes_service_name"], target_label: "service" },
        ...podIdentityRelabels,
        appTier,
      ],
    };
  });
}

/**
 * `service` of a pod's metrics, as for listed services: the `app` label the reference platform's
 * pods carry, else the standard name label; and the `app` label itself.
 */
export const podServiceRelabels: RelabelConfig[] = [
  {
    source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
    regex: "(.+)",
    target_label: "service",
  },
  { source_labels: ["__meta_kubernetes_pod_label_app"], regex: "(.+)", target_label: "service" },
  { source_labels: ["__meta_kubernetes_pod_label_app"], regex: "(.+)", target_label: "app" },
];

/** Pods running no longer or not yet, which no job scrapes. */
export const notRunning: RelabelConfig = {
  source_labels: ["__meta_kubernetes_pod_phase"],
  regex: "Pending|Succeeded|Failed",
  action: "drop",
};

/**
 * Pods in the app namespaces that ask to be scraped with the `prometheus.io/*` annotations, but
 * those `dropped` leaves to other jobs, and with `ports` those on any other port.
 */
export function annotatedPodsJob(
  namespaces: readonly string[],
  dropped: readonly RelabelConfig[] = [],
  ports?: readonly number[],
): ScrapeConfig {
  const annotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  return {
    job_name: "annotated-pods",
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: namespaces } }],
    relabel_configs: [
      { source_labels: [annotation("scrape")], regex: "true", action: "keep" },
      notRunning,
      ...dropped,
      { source_labels: [annotation("scheme")], regex: "(https?)", target_label: "__scheme__" },
      { source_labels: [annotation("path")], regex: "(.+)", target_label: "__metrics_path__" },
      {
        source_labels: ["__address__", annotation("port")],
        regex: "([^:]+)(?::\\d+)?;(\\d+)",
        replacement: "$1:$2",
        target_label: "__address__",
      },
      // Only the ports the NetworkPolicy opens (metrics.annotationDiscovery.ports): a target on any
      // other would time out as down.
      ...(ports === undefined
        ? []
        : [{ source_labels: ["__address__"], regex: `.+:(${ports.join("|")})`, action: "keep" as const }]),
      ...podServiceRelabels,
      ...podIdentityRelabels,
      appTier,
    ],
  };
}

/**
 * Kubelet and cAdvisor on every node, over HTTPS with the ServiceAccount token (RBAC
 * `nodes/metrics`, no API-server proxy). Kubelet serving certificates are self-signed on kind and
 * most EKS node groups, so the certificate is not verified; the token still authenticates.
 */
export function kubeletJobs(): ScrapeConfig[] {
  const job = (name: string, path: string): ScrapeConfig => ({
    job_name: name,
    scheme: "https",
    metrics_path: path,
    authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN },
    tls_config: { insecure_skip_verify: true },
    kubernetes_sd_configs: [{ role: "node" }],
    relabel_configs: [
      { source_labels: ["__meta_kubernetes_node_name"], target_label: "node" },
      { target_label: TIER_LABEL, replacement: "kubernetes" },
    ],
  });
  return [job(PLATFORM_JOBS.kubelet, "/metrics"), job(PLATFORM_JOBS.cadvisor, "/metrics/cadvisor")];
}

/**
 * The control-plane components a user can scrape on kind and on EKS alike: the API server through
 * the `kubernetes` Service (RBAC `get` on the `/metrics` non-resource URL; its certificate is the
 * cluster CA's, valid for the name `kubernetes`) and CoreDNS (`k8s-app=kube-dns`). The scheduler,
 * controller manager and etcd are not: EKS runs them out of reach, and kind binds their metrics to
 * the node's localhost.
 */
export function controlPlaneJobs(): ScrapeConfig[] {
  const kubernetesTier: RelabelConfig = { target_label: TIER_LABEL, replacement: "kubernetes" };
  return [
    {
      job_name: PLATFORM_JOBS.apiserver,
      scheme: "https",
      authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN },
      tls_config: { ca_file: SERVICE_ACCOUNT_CA, server_name: "kubernetes" },
      kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["default"] } }],
      relabel_configs: [
        {
          source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
          regex: "kubernetes;https",
          action: "keep",
        },
        kubernetesTier,
      ],
    },
    {
      job_name: PLATFORM_JOBS.coredns,
      kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["kube-system"] } }],
      relabel_configs: [
        {
          source_labels: ["__meta_kubernetes_service_label_k8s_app", "__meta_kubernetes_endpointslice_port"],
          regex: `kube-dns;${COREDNS_METRICS_PORT}`,
          action: "keep",
        },
        ...podIdentityRelabels,
        kubernetesTier,
      ],
    },
  ];
}

/** Each Prometheus replica scrapes itself. */
export function prometheusSelfJob(): ScrapeConfig {
  return {
    job_name: PROMETHEUS.name,
    static_configs: [
      { targets: [`localhost:${PROMETHEUS.ports.http.port}`], labels: { [TIER_LABEL]: "observability" } },
    ],
  };
}

/**
 * Each replica's own Thanos sidecar, over the pod's loopback (metrics.objectStorage): its shipper
 * reports what it uploaded and what failed.
 */
export function thanosSidecarSelfJob(): ScrapeConfig {
  return {
    job_name: THANOS_SIDECAR_JOB,
    static_configs: [
      {
        targets: [`localhost:${PROMETHEUS.ports["sidecar-http"].port}`],
        labels: { [TIER_LABEL]: "observability" },
      },
    ],
  };
}

/** Every Alertmanager pod by its stable name, so alerts reach each replica, not one behind a Service. */
export function alertmanagerTargets(namespace: string, replicas: number): string[] {
  return Array.from(
    { length: replicas },
    (_, i) =>
      `${ALERTMANAGER.name}-${i}.${ALERTMANAGER_PEERS_SERVICE}.${namespace}.svc:${ALERTMANAGER.ports.http.port}`,
  );
}

/**
 * Every Prometheus replica's remote-write endpoint. Writers push to each replica by its stable
 * name, as a load-balanced Service would give each replica only part of the series.
 */
export function prometheusRemoteWriteUrls(namespace: string, replicas: number): string[] {
  return Array.from(
    { length: replicas },
    (_, i) =>
      `http://${PROMETHEUS.name}-${i}.${PROMETHEUS_PEERS_SERVICE}.${namespace}.svc:${PROMETHEUS.ports.http.port}/api/v1/write`,
  );
}

interface PrometheusConfigArgs {
  readonly config: MetricsSettings;
  readonly jobs: readonly ScrapeConfig[];
  readonly ruleFiles: readonly string[];
}

export function prometheusConfig({ config, jobs, ruleFiles }: PrometheusConfigArgs): PrometheusConfig {
  const remoteWrite = config.metrics.remoteWrite;
  const replica = replicaLabel(config.metrics);
  return {
    global: {
      scrape_interval: config.metrics.scrapeInterval,
      evaluation_interval: config.metrics.evaluationInterval,
      external_labels: {
        cluster: config.cluster.name,
        env: config.cluster.env,
        region: config.cluster.region,
        // The query path (AMP, or Thanos Query) keeps one replica's samples where both have them
        // and fills one's gaps from the other. Prometheus 3 expands environment variables in
        // external label values.
        ...(replica === undefined ? {} : { [replica]: `\${${POD_NAME_ENV}}` }),
      },
    },
    alerting: {
      // Both replicas alert alike: without their own name the alerts are equal and Alertmanager
      // notifies once.
      ...(replica === undefined
        ? {}
        : { alert_relabel_configs: [{ action: "labeldrop" as const, regex: replica }] }),
      alertmanagers: [
        {
          api_version: "v2",
          static_configs: [
            {
              targets: alertmanagerTargets(
                config.namespaces.observability,
                config.metrics.alertmanagerReplicas,
              ),
            },
          ],
        },
      ],
    },
    rule_files: ruleFiles.map((file) => `${PROMETHEUS_PATHS.rulesDir}/${file}`),
    scrape_configs: jobs.map((job) => withScrapeLimits(job, config.metrics.scrapeLimits)),
    ...(remoteWrite === undefined
      ? {}
      : {
          remote_write: [
            {
              url: remoteWrite.url,
              sigv4: { region: remoteWrite.region },
              queue_config: { max_samples_per_send: 1000, max_shards: 200, capacity: 2500 },
            },
          ],
        }),
  };
}
