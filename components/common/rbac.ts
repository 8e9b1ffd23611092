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
  iamRoleArn?: pulumi.Input<string>,
): k8s.core.v1.ServiceAccountArgs {
  return {
    metadata: {
      ...objectMeta(id, namespace),
      ...(iamRoleArn === undefined ? {} : { annotations: { "eks.amazonaws.com/role-arn": iamRoleArn } }),
    },
    automountServiceAccountToken: false,
  };
}

/** The same rules in each of a few namespaces. */
export interface NamespacedAccess {
  readonly namespaces: readonly string[];
  readonly rules: PolicyRule[];
  /** What the grant is for, when the workload has several: it names the Roles and bindings. */
  readonly purpose?: string;
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

/**
 * A Role with exactly `rules` in each of `namespaces`, bound to the workload's ServiceAccount: what
 * a workload that reads the Kubernetes API in a few namespaces it does not own is allowed.
 */
export function deployNamespacedRoles(
  name: string,
  id: WorkloadIdentity,
  namespace: string,
  access: NamespacedAccess,
  opts: pulumi.CustomResourceOptions,
): void {
  const suffix = access.purpose === undefined ? "" : `-${access.purpose}`;
  for (const granted of access.namespaces) {
    const metadata = objectMeta(id, granted, `${clusterScopedName(id, namespace)}${suffix}`);
    const role = new k8s.rbac.v1.Role(`${name}-${granted}${suffix}`, { metadata, rules: access.rules }, opts);
    new k8s.rbac.v1.RoleBinding(
      `${name}-${granted}${suffix}`,
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: id.name, namespace }],
      },
      opts,
    );
  }
}
