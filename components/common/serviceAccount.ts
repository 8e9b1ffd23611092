import { StackConfig } from "../../config";
import { componentConfig } from "../../config/componentArgs";
import { ConfigRead } from "../../config/schema";

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

/**
 * The config a component's ServiceAccounts are named from, read off its args before it is
 * constructed: the profile, the namespaces, and `reads` besides (where a workload runs).
 */
export const accountsConfig = (
  component: string,
  args: object,
  reads: readonly ConfigRead[] = [],
): StackConfig => componentConfig(`${component}.serviceAccounts`, args, ["profile", "namespaces", ...reads]);
