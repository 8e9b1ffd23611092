import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentity, selectorLabels } from "./labels";
import { objectMeta } from "./metadata";

type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

/**
 * Replicas spread over nodes and zones where the cluster has them. `ScheduleAnyway`: a
 * single-node cluster (kind) still schedules every replica.
 */
export function spreadAcrossNodes(id: WorkloadIdentity): TopologySpreadConstraint[] {
  return ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: selectorLabels(id) },
  }));
}

/**
 * Keeps all but one replica up during voluntary disruptions (node drains, upgrades). It never
 * blocks a drain: one pod may always go, and pods that are not ready may always be evicted.
 */
function disruptionBudgetArgs(
  id: WorkloadIdentity,
  namespace: string,
  replicas: number,
): k8s.policy.v1.PodDisruptionBudgetArgs {
  return {
    metadata: objectMeta(id, namespace),
    spec: {
      minAvailable: replicas - 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: selectorLabels(id) },
    },
  };
}

/** A replicated workload's disruption budget; a single replica gets none, as it could never be drained. */
export function deployDisruptionBudget(
  name: string,
  id: WorkloadIdentity,
  namespace: string,
  replicas: number,
  opts: pulumi.CustomResourceOptions,
): void {
  if (replicas > 1) {
    new k8s.policy.v1.PodDisruptionBudget(name, disruptionBudgetArgs(id, namespace, replicas), opts);
  }
}
