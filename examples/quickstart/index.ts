import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  GrafanaStack,
  LogsStack,
  MetricsStack,
  StackNamespaces,
  TracingStack,
} from "@observability-stack/pulumi";

const config = new pulumi.Config();
// One explicit provider, bound to a context of this stack's config, never kubectl's current one.
const provider = new k8s.Provider("cluster", {
  context: config.require("kubeContext"),
  enableConfigMapMutable: true,
  enableSecretMutable: true,
});

// The design card's four components by their names, each with its defaults (sized for a kind
// cluster), in the two namespaces StackNamespaces makes and closes.
const namespaces = new StackNamespaces("namespaces", {}, { provider });
const inNamespaces = { provider, dependsOn: [namespaces] };

// How long Prometheus keeps metrics: the one setting this program takes from its stack config.
const metrics = new MetricsStack(
  "metrics",
  { metrics: { retentionTime: config.get("metricsRetention") } },
  inNamespaces,
);
const logs = new LogsStack("logs", {}, inNamespaces);
const tracing = new TracingStack("tracing", {}, inNamespaces);
// One peer, the way every component takes another's: Grafana reads Prometheus, whose pods admit it.
const grafana = new GrafanaStack("grafana", { prometheus: metrics.prometheusQuery }, inNamespaces);

export const prometheusUrl = metrics.prometheusUrl;
export const lokiUrl = logs.lokiUrl;
export const tempoUrl = tracing.tempoUrl;
export const grafanaUrl = grafana.url;
export const grafanaAdminPassword = grafana.adminPassword;
