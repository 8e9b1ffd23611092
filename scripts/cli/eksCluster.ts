import { StackConfig } from "../../config";

/**
 * The EKS cluster the `aws eks` commands name: from the context when it is an EKS cluster ARN (as
 * `aws eks update-kubeconfig` names contexts), else the stack's `cluster.name` and region.
 */
export function eksCluster(cluster: StackConfig["cluster"]): {
  readonly name: string;
  readonly region: string;
} {
  const arn = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):[0-9]{12}:cluster\/(.+)$/.exec(cluster.kubeContext);
  return arn === null ? { name: cluster.name, region: cluster.region } : { name: arn[2], region: arn[1] };
}
