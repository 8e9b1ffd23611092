import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GrafanaStack, MetricsStack, StackNamespaces } from "@observability-stack/pulumi";

export = async () => {
  const config = new pulumi.Config();
  // The stack that made the cluster, the AMP workspace, the IRSA roles and Grafana's database.
  const infra = new pulumi.StackReference(config.require("infraStack"));
  const provider = new k8s.Provider("eks", { kubeconfig: infra.requireOutput("kubeconfig") });

  // The components take the workspace and the roles as strings: read them once known (none is secret).
  const infraValue = async (name: string) => String(await infra.requireOutputValue(name));
  const region = await infraValue("region");
  const remoteWrite = {
    url: await infraValue("ampRemoteWriteUrl"),
    region,
    // Prometheus' service account assumes it to write (aps:RemoteWrite) ...
    roleArn: await infraValue("prometheusRoleArn"),
    // ... and Grafana's to query (aps:QueryMetrics, GetSeries, GetLabels, GetMetricMetadata).
    queryRoleArn: await infraValue("grafanaRoleArn"),
  };

  const platform = {
    profile: "eks",
    cluster: { name: "checkout-prod", env: "prod", region },
    apps: {
      namespaces: ["checkout"],
      services: [
        { name: "checkout-api", port: 8080, metricsPath: "/actuator/prometheus" },
        { name: "pricing", port: 9100 },
      ],
    },
  } as const;
  // Grafana behind an internal ALB; Prometheus and Alertmanager are not exposed.
  const exposure = {
    ingress: {
      host: "grafana.checkout.example.com",
      className: "alb",
      certificateArn: config.require("certificateArn"),
      annotations: {},
    },
  };
  const namespaces = new StackNamespaces("namespaces", platform, { provider });
  const inNamespaces = { provider, dependsOn: [namespaces] };

  // Prometheus scrapes the cluster and writes every sample to the workspace; its rules and
  // Alertmanager run here as they would without AMP.
  const metrics = new MetricsStack(
    "metrics",
    { ...platform, metrics: { remoteWrite }, exposure },
    inNamespaces,
  );
  const grafana = new GrafanaStack(
    "grafana",
    {
      ...platform,
      exposure,
      metrics: { remoteWrite },
      // Two replicas share their state in PostgreSQL; the password stays a secret end to end.
      grafana: {
        database: {
          host: await infraValue("grafanaDatabaseEndpoint"),
          name: "grafana",
          user: "grafana",
          password: infra.requireOutput("grafanaDatabasePassword").apply(String),
          sslMode: "verify-full",
        },
      },
      // The workspace's query endpoint, signed with SigV4 in its region: the only backend it queries.
      prometheus: metrics.prometheusQuery,
    },
    inNamespaces,
  );

  return {
    grafanaUrl: grafana.url,
    grafanaAdminUser: grafana.adminUser,
    grafanaAdminPassword: grafana.adminPassword,
    prometheusQueryUrl: metrics.prometheusQuery.url,
  };
};
