import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GrafanaStack, MetricsStack, StackNamespaces } from "@observability-stack/pulumi";

export = () => {
  const config = new pulumi.Config();
  // The stack that made the cluster, the AMP workspace, the IRSA roles and Grafana's database.
  const infra = new pulumi.StackReference(config.require("infraStack"));
  const provider = new k8s.Provider("eks", {
    kubeconfig: infra.requireOutput("kubeconfig"),
    enableConfigMapMutable: true,
    enableSecretMutable: true,
  });

  // The components take the workspace, the roles and the database endpoint as the Outputs they are.
  const infraText = (name: string) => infra.requireOutput(name).apply(String);
  // Names this program chooses are its own config: they label every series and sign every request.
  const region = config.require("region");
  const remoteWrite = {
    url: infraText("ampRemoteWriteUrl"),
    region,
    // Prometheus' service account assumes it to write (aps:RemoteWrite) ...
    roleArn: infraText("prometheusRoleArn"),
    // ... and Grafana's to query (aps:QueryMetrics, GetSeries, GetLabels, GetMetricMetadata).
    queryRoleArn: infraText("grafanaRoleArn"),
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
      loadBalancerCidrs: config.requireObject<string[]>("loadBalancerCidrs"),
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
          host: infraText("grafanaDatabaseEndpoint"),
          // Known before the endpoint is: Grafana's NetworkPolicy opens it to the database.
          port: 5432,
          name: "grafana",
          user: "grafana",
          password: infraText("grafanaDatabasePassword"),
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
