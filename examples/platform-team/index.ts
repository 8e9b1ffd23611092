import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  GrafanaStack,
  LogsStack,
  MetricsStack,
  ServiceAccountName,
  StackNamespaces,
  TracingStack,
} from "@observability-stack/pulumi";

const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");

// The cluster the platform runs. A program that makes it with pulumi-eks (`new eks.Cluster(...)`)
// has the same two things to hand over: a provider from `cluster.kubeconfigJson` and the OIDC
// provider IRSA trusts. The provider patches ConfigMaps and Secrets in place (docs/package.md).
const cluster = {
  provider: new k8s.Provider("cluster", {
    kubeconfig: config.require("kubeconfig"),
    enableConfigMapMutable: true,
    enableSecretMutable: true,
  }),
  oidcProviderArn: config.require("oidcProviderArn"),
  oidcProviderUrl: config.require("oidcProviderUrl"),
};

/** A role only `account` may assume, through the cluster's OIDC provider (IRSA). */
function irsaRole(name: string, account: ServiceAccountName): aws.iam.Role {
  return new aws.iam.Role(name, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: cluster.oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${cluster.oidcProviderUrl}:sub`]: account.subject,
              [`${cluster.oidcProviderUrl}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    }),
  });
}

/** A bucket, and the role `account` reads and writes it with: what a component's storage args take. */
function bucketFor(name: string, account: ServiceAccountName) {
  const bucket = new aws.s3.BucketV2(name, {});
  const role = irsaRole(`${name}-irsa`, account);
  new aws.iam.RolePolicy(`${name}-irsa`, {
    role: role.id,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket.arn] },
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: [pulumi.interpolate`${bucket.arn}/*`],
        },
      ],
    }),
  });
  // Both are Outputs: known once AWS has made them.
  return { bucket: bucket.bucket, region, roleArn: role.arn };
}

const platform = {
  profile: "eks",
  cluster: { name: "platform-prod", env: "prod", region },
  apps: { namespaces: ["shop"] },
} as const;
// The ServiceAccounts' names are known before the components exist: the roles trust them first.
const storage = {
  s3: {
    loki: bucketFor("loki", LogsStack.serviceAccounts(platform).loki),
    tempo: bucketFor("tempo", TracingStack.serviceAccounts(platform).tempo),
  },
};
const grafanaHost = config.require("grafanaHost");
const certificate = new aws.acm.Certificate("grafana", { domainName: grafanaHost, validationMethod: "DNS" });
const exposure = {
  mode: "ingress",
  ingress: {
    host: grafanaHost,
    className: "alb",
    annotations: {},
    certificateArn: certificate.arn,
    loadBalancerCidrs: config.requireObject<string[]>("loadBalancerCidrs"),
  },
} as const;

const namespaces = new StackNamespaces("namespaces", platform, { provider: cluster.provider });
const opts = { provider: cluster.provider, dependsOn: [namespaces] };

// Each component is given the others' peers, and no `clients`: the one that connects admits itself.
const metrics = new MetricsStack("metrics", { ...platform, exposure }, opts);
const logs = new LogsStack("logs", { ...platform, storage, alertmanager: metrics.alertmanager }, opts);
const tracing = new TracingStack(
  "tracing",
  { ...platform, storage, exposure, prometheusWrites: metrics.prometheusWrites },
  opts,
);
const grafana = new GrafanaStack(
  "grafana",
  {
    ...platform,
    exposure,
    // One replica on its volume: more share their state through grafana.database.
    grafana: { replicas: 1 },
    prometheus: metrics.prometheusQuery,
    alertmanager: metrics.alertmanager,
    loki: logs.loki,
    tempo: tracing.tempo,
  },
  opts,
);

export const grafanaUrl = grafana.url;
export const grafanaAdminPassword = grafana.adminPassword;
export const lokiRoleArn = storage.s3.loki.roleArn;
