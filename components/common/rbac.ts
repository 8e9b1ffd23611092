import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity } from "./labels";
import { objectMeta } from "./metadata";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/**
 * A workload's own ServiceAccount, named like the workload. With an IAM role (IRSA) its pods act
 * as that role on AWS. Whether the Kubernetes API token is mounted is decided per pod.
 */
export function serviceAccountArgs(
  id: WorkloadIdentity,
  namespace: string,
  iamRoleArn?: string,
): k8s.core.v1.ServiceAccountArgs {
  return {
    metadata: {
      ...objectMeta(id, namespace),
      ...(iamRoleArn === undefined ? {} : { annotations: { "eks.amazonaws.com/role-arn": iamRoleArn } }),
    },
    automountServiceAccountToken: false,
  };
}

/** Cluster-wide objects are prefixed with the namespace, so two stacks in one cluster do not collide. */
function clusterScopedName(id: WorkloadIdentity, namespace: string): string {
  return `${namespace}-${id.name}`;
}

/**
 * A ClusterRole with exactly `rules`, bound to the workload's ServiceAccount: what a workload that
 * reads the Kubernetes API across namespaces is allowed, and nothing more.
 */
export function deployClusterRole(
  name: string,
  id: WorkloadIdentity,
  namespace: string,
  rules: PolicyRule[],
  opts: pulumi.CustomResourceOptions,
): void {
  const metadata = objectMeta(id, undefined, clusterScopedName(id, namespace));
  const clusterRole = new k8s.rbac.v1.ClusterRole(name, { metadata, rules }, opts);
  new k8s.rbac.v1.ClusterRoleBinding(
    name,
    {
      metadata,
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: clusterRole.metadata.name,
      },
      subjects: [{ kind: "ServiceAccount", name: id.name, namespace }],
    },
    opts,
  );
}
