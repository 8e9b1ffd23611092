import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GrafanaStack, MetricsStack, StackNamespaces } from "@observability-stack/pulumi";

const config = new pulumi.Config();
const provider = new k8s.Provider("cluster", {
  context: config.require("kubeContext"),
  enableConfigMapMutable: true,
  enableSecretMutable: true,
});

const platform = {
  cluster: { name: "checkout-dev", env: "dev", region: "local" },
  apps: {
    namespaces: ["checkout"],
    defaults: { metricsPath: "/actuator/prometheus" },
    services: [
      { name: "checkout-api", port: 8080 },
      { name: "cart", port: 8080 },
    ],
  },
} as const;
// The team's files, by paths from this project's root (where Pulumi.yaml is), checked when the
// components are constructed: a missing file, a rule Prometheus would refuse, an alert name the
// stack uses already or an SLO the stack cannot translate stops `pulumi preview`, naming the file.
const openSloFiles = ["slos/checkout.yaml"];

const namespaces = new StackNamespaces("namespaces", platform, { provider });
const inNamespaces = { provider, dependsOn: [namespaces] };

const metrics = new MetricsStack(
  "metrics",
  {
    ...platform,
    metrics: { extraRuleFiles: ["rules/checkout.rules.yml"], openSloFiles },
  },
  inNamespaces,
);
const grafana = new GrafanaStack(
  "grafana",
  {
    ...platform,
    grafana: {
      dashboardsFolder: "Platform",
      extraDashboards: [{ folder: "Checkout", path: "dashboards/checkout" }],
    },
    // The SLOs dashboard draws the team's SLOs as MetricsStack records them.
    metrics: { openSloFiles },
    // MetricsStack's own peers: Grafana admits itself into their pods.
    prometheus: metrics.prometheusQuery,
    alertmanager: metrics.alertmanager,
  },
  inNamespaces,
);

export const grafanaUrl = grafana.url;
export const grafanaAdminPassword = grafana.adminPassword;
