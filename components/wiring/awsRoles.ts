import type * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { GRAFANA } from "../grafana/names";
import { LOKI } from "../logs/names";
import { PROMETHEUS, THANOS_COMPACTOR, THANOS_STORE } from "../metrics/names";
import { TEMPO } from "../tracing/names";

/** A ServiceAccount the stack annotates with an IAM role (IRSA), and the key that names the role. */
interface AwsRoleServiceAccount {
  /** `<namespace>/<name>`, the trust policy's subject `system:serviceaccount:<namespace>:<name>`. */
  readonly serviceAccount: string;
  readonly roleArn: pulumi.Input<string>;
  readonly configKey: string;
}

/**
 * Who needs an IAM role on eks, for the stack outputs: Loki and Tempo for their S3 buckets,
 * Prometheus to remote-write to Amazon Managed Prometheus and Grafana to query it, or Prometheus
 * (its Thanos sidecar), the store gateways and the compactor for the metrics bucket. The workload
 * builders annotate these ServiceAccounts; a test holds this list equal to the render's.
 */
export function awsRoleServiceAccounts(
  config: Pick<StackConfig, "namespaces" | "storage" | "metrics">,
): AwsRoleServiceAccount[] {
  const account = (name: string) => `${config.namespaces.observability}/${name}`;
  const loki = config.storage.s3?.loki;
  const tempo = config.storage.s3?.tempo;
  const { remoteWrite, objectStorage } = config.metrics;
  return [
    ...(loki === undefined
      ? []
      : [
          { serviceAccount: account(LOKI.name), roleArn: loki.roleArn, configKey: "storage.s3.loki.roleArn" },
        ]),
    ...(tempo === undefined
      ? []
      : [
          {
            serviceAccount: account(TEMPO.name),
            roleArn: tempo.roleArn,
            configKey: "storage.s3.tempo.roleArn",
          },
        ]),
    ...(remoteWrite === undefined
      ? []
      : [
          {
            serviceAccount: account(PROMETHEUS.name),
            roleArn: remoteWrite.roleArn,
            configKey: "metrics.remoteWrite.roleArn",
          },
          {
            serviceAccount: account(GRAFANA.name),
            roleArn: remoteWrite.queryRoleArn,
            configKey: "metrics.remoteWrite.queryRoleArn",
          },
        ]),
    ...(objectStorage === undefined
      ? []
      : (
          [
            [PROMETHEUS, "roleArn"],
            [THANOS_STORE, "storeRoleArn"],
            [THANOS_COMPACTOR, "compactorRoleArn"],
          ] as const
        ).map(([spec, key]) => ({
          serviceAccount: account(spec.name),
          roleArn: objectStorage[key],
          configKey: `metrics.objectStorage.${key}`,
        }))),
  ];
}
