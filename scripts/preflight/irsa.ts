import { KubeObject } from "../../render/manifest";

/** The annotation that makes EKS hand a pod of this ServiceAccount the role's web identity token. */
export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";

/** A ServiceAccount the stack creates with an IAM role (IRSA). */
export interface IrsaServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly roleArn: string;
}

/**
 * Every ServiceAccount of a render that carries an IAM role. Read from the render rather than
 * listed by hand, so a workload that gains a role is checked and trusted without touching this.
 */
export function irsaServiceAccounts(objects: readonly KubeObject[]): IrsaServiceAccount[] {
  return objects.flatMap((object) => {
    const roleArn = object.metadata.annotations?.[ROLE_ARN_ANNOTATION];
    return object.kind === "ServiceAccount" && roleArn !== undefined
      ? [{ namespace: object.metadata.namespace ?? "default", name: object.metadata.name, roleArn }]
      : [];
  });
}

/** What a role's trust policy matches: the token's `sub` claim for this ServiceAccount. */
export function trustSubject(account: Pick<IrsaServiceAccount, "namespace" | "name">): string {
  return `system:serviceaccount:${account.namespace}:${account.name}`;
}
