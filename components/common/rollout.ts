import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "./settings";

/**
 * How long `pulumi up` waits for a workload to become ready, on create and on update
 * (`cluster.rolloutTimeoutMinutes`): past it, the provider fails the step with the workload's
 * pods and their reason, instead of waiting out its own default.
 */
export function rolloutTimeouts(
  cluster: Pick<PlatformSettings["cluster"], "rolloutTimeoutMinutes">,
): pulumi.CustomTimeouts {
  const minutes = `${cluster.rolloutTimeoutMinutes}m`;
  return { create: minutes, update: minutes };
}

/** The Kubernetes provider's annotation naming the state that ends its wait, in place of its own check. */
export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";

/** The status fields that count a controller's pods: every pod there is, of the new template, and ready. */
const DONE_WHEN: Readonly<Record<RolledOut, readonly string[]>> = {
  Deployment: ["replicas", "updatedReplicas", "availableReplicas"],
  StatefulSet: ["replicas", "updatedReplicas", "readyReplicas"],
};

/** The controllers whose rollout the provider would judge by the generation before (`rolloutDone`). */
export type RolledOut = "Deployment" | "StatefulSet";

/** Whether a kind of object is one `rolloutDone` is for. */
export const isRolledOut = (kind: string): kind is RolledOut => Object.keys(DONE_WHEN).includes(kind);

/**
 * When a Deployment's or StatefulSet's rollout of `replicas` pods is done: its controller has seen
 * the new spec (the provider checks `status.observedGeneration` first), and all its pods, and no
 * others, run the new template and are ready. The provider's own check can take the status of the
 * generation before for the new one (a StatefulSet's first event after an update, a Deployment
 * read before its controller made the new ReplicaSet) and pass an update whose pods never start.
 * A DaemonSet needs none: the provider judges it by kstatus, which reads the observed generation.
 */
export function rolloutDone(kind: RolledOut, replicas: number): Readonly<Record<string, string>> {
  return {
    [WAIT_FOR_ANNOTATION]: JSON.stringify(
      DONE_WHEN[kind].map((field) => `jsonpath={.status.${field}}=${replicas}`),
    ),
  };
}

/** A controller as the API server reports it: its generation, desired replicas and status. */
export interface ControllerState {
  readonly generation?: number;
  readonly replicas: number;
  readonly status: Readonly<Record<string, unknown>>;
}

/**
 * What a rollout still lacks by `rolloutDone`'s measure, as the provider reads it, e.g.
 * "updatedReplicas 0 of 1", or [] when it is done. A status of an older generation lacks that first.
 */
export function rolloutShortfall(kind: RolledOut, state: ControllerState): string[] {
  const observed = state.status.observedGeneration;
  if (state.generation !== undefined && typeof observed === "number" && observed < state.generation) {
    return [`observedGeneration ${observed} of ${state.generation}`];
  }
  return DONE_WHEN[kind]
    .map((field) => {
      const count = state.status[field];
      return [field, typeof count === "number" ? count : 0] as const;
    })
    .filter(([, count]) => count !== state.replicas)
    .map(([field, count]) => `${field} ${count} of ${state.replicas}`);
}
