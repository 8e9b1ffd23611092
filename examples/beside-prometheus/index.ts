import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Endpoint, LogsStack, StackNamespaces, TracingStack } from "@observability-stack/pulumi";

const config = new pulumi.Config();
const provider = new k8s.Provider("cluster", {
  context: config.require("kubeContext"),
  enableConfigMapMutable: true,
  enableSecretMutable: true,
});

// The Prometheus and Alertmanager the team already runs: kube-prometheus-stack, release `kps`, in
// `monitoring`, with its remote-write receiver on (prometheus.prometheusSpec.enableRemoteWriteReceiver)
// and additional scrape configs read from the Secret below (additionalScrapeConfigsSecret).
const monitoringNamespace = config.get("monitoringNamespace") ?? "monitoring";
const monitoring = k8s.core.v1.Namespace.get(monitoringNamespace, monitoringNamespace, { provider });
const prometheusPods: Endpoint = { kind: "namespace", namespace: monitoringNamespace };
const prometheus = `http://kps-prometheus.${monitoringNamespace}.svc:9090`;
const alertmanager = `http://kps-alertmanager.${monitoringNamespace}.svc:9093`;

const platform = {
  profile: "kind",
  cluster: { name: "dev", env: "dev", region: "local" },
  apps: { namespaces: ["shop"] },
} as const;
const namespaces = new StackNamespaces("namespaces", platform, { provider });
const inNamespaces = { provider, dependsOn: [namespaces] };

// Loki's ruler sends log alerts to the team's Alertmanager; its Prometheus scrapes Loki and Alloy.
const logs = new LogsStack(
  "logs",
  { ...platform, alertmanager: { url: alertmanager }, clients: { scraper: prometheusPods } },
  inNamespaces,
);
// Span metrics and the service graph are written to the team's Prometheus, which scrapes the
// collector and Tempo.
const tracing = new TracingStack(
  "tracing",
  {
    ...platform,
    prometheusWrites: [{ url: `${prometheus}/api/v1/write` }],
    clients: { scraper: prometheusPods },
  },
  inNamespaces,
);

// What the team's Prometheus scrapes: every pod of the two stacks on its metrics port (named `http`,
// or `metrics` for the collector), one job per workload.
const scrapeConfigs = [
  {
    job_name: "observability",
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["observability"] } }],
    relabel_configs: [
      {
        source_labels: [
          "__meta_kubernetes_pod_label_app_kubernetes_io_part_of",
          "__meta_kubernetes_pod_container_port_name",
        ],
        regex: "observability;(http|metrics)",
        action: "keep",
      },
      { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], target_label: "job" },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
    ],
  },
];
new k8s.core.v1.Secret(
  "scrape-configs",
  {
    metadata: {
      name: "observability-scrape-configs",
      namespace: monitoringNamespace,
      labels: { "app.kubernetes.io/part-of": "observability" },
    },
    // YAML, as Prometheus reads it, of which JSON is a part.
    stringData: { "scrape-configs.yaml": JSON.stringify(scrapeConfigs, null, 2) },
  },
  { provider, dependsOn: [monitoring] },
);

export const lokiUrl = logs.lokiUrl;
export const tempoUrl = tracing.tempoUrl;
// Apps envFrom this ConfigMap in their namespace: where to send spans, and how much to sample.
export const appTracingConfigMap = tracing.appConfigMap;
