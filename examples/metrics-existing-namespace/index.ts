import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MetricsStack } from "@observability-stack/pulumi";

const config = new pulumi.Config();
// Set with `pulumi config set --secret slackWebhookUrl https://hooks.slack.com/services/...`.
const slackWebhookUrl = config.getSecret("slackWebhookUrl");
const provider = new k8s.Provider("cluster", {
  context: config.require("kubeContext"),
  enableConfigMapMutable: true,
  enableSecretMutable: true,
});

// The platform team created these namespaces (with their Pod Security labels) and owns them: read
// them, so that a missing one fails `pulumi preview` before anything is written into it.
const namespaces = {
  observability: config.require("namespace"),
  node: config.require("nodeNamespace"),
};
const existing = Object.values(namespaces).map((name) => k8s.core.v1.Namespace.get(name, name, { provider }));

// Prometheus and Alertmanager alone: no Loki, collector or Grafana, so no policy or link points at
// one. The eks profile keeps two Prometheus replicas behind one query path and protects the volumes.
const metrics = new MetricsStack(
  "payments",
  {
    profile: "eks",
    cluster: { name: "shared-prod", env: "prod", region: "eu-west-1" },
    namespaces,
    apps: {
      namespaces: ["payments"],
      services: [
        { name: "payments-api", port: 8080, metricsPath: "/actuator/prometheus" },
        { name: "ledger", port: 9090 },
      ],
    },
    metrics: {
      retentionTime: "30d",
      storageSize: "100Gi",
      alertmanagerReplicas: 2,
    },
    alerting:
      slackWebhookUrl === undefined
        ? undefined
        : { slack: { channel: "#payments-alerts", webhookUrl: slackWebhookUrl } },
    // Prometheus and Alertmanager on hosts of their own, behind the shared ALB, which signs people in
    // through the company's Cognito user pool first.
    exposure: {
      ingress: {
        host: "grafana.example.com",
        className: "alb",
        annotations: {},
        certificateArn: config.require("certificateArn"),
        loadBalancerCidrs: config.requireObject<string[]>("loadBalancerCidrs"),
        prometheus: { host: "prometheus.payments.example.com" },
        alertmanager: { host: "alertmanager.payments.example.com" },
        auth: {
          type: "cognito",
          userPoolArn: config.require("userPoolArn"),
          userPoolClientId: config.require("userPoolClientId"),
          userPoolDomain: "example-sso",
        },
      },
    },
  },
  { provider, dependsOn: existing },
);

export const prometheusUrl = metrics.prometheusUrl;
export const alertmanagerUrl = metrics.alertmanagerUrl;
