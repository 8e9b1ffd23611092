/** A ServiceAccount a component creates, as an IAM role's trust policy names it (IRSA). */
export interface ServiceAccountName {
  readonly namespace: string;
  readonly name: string;
  /** `system:serviceaccount:<namespace>:<name>`: the subject an IRSA trust policy admits. */
  readonly subject: string;
}

/** The ServiceAccount a workload of that name has in that namespace (named for the workload). */
export const serviceAccountName = (namespace: string, name: string): ServiceAccountName => ({
  namespace,
  name,
  subject: `system:serviceaccount:${namespace}:${name}`,
});
