import * as k8s from "@kubernetes/client-node";
import { unreadyPodReasons } from "../../checks/unreadyPods";
import { rolloutShortfall } from "../../components/common/rollout";
import { ifExists } from "../cli/ifExists";
import { Finding } from "../cli/findings";
import { WorkloadRef } from "./expectations";

/** A workload as read: what its rollout still lacks, and the labels that select its pods. */
interface WorkloadState {
  readonly shortfall: readonly string[];
  readonly selector: Readonly<Record<string, string>>;
}

/**
 * What a workload's rollout still lacks, or undefined when it does not exist. A Deployment or
 * StatefulSet is done as `pulumi up` judges it (every pod of the new template and ready, no other);
 * a DaemonSet when every node it is scheduled on has its pod ready.
 */
async function workloadState(apps: k8s.AppsV1Api, w: WorkloadRef): Promise<WorkloadState | undefined> {
  if (w.kind === "DaemonSet") {
    const found = (await ifExists(() => apps.readNamespacedDaemonSet(w.name, w.namespace)))?.body;
    if (found === undefined) return undefined;
    const ready = found.status?.numberReady ?? 0;
    const desired = found.status?.desiredNumberScheduled ?? 0;
    return {
      shortfall: desired === 0 || ready < desired ? [`numberReady ${ready} of ${desired}`] : [],
      selector: found.spec?.selector.matchLabels ?? {},
    };
  }
  const found = (
    await ifExists(() =>
      w.kind === "Deployment"
        ? apps.readNamespacedDeployment(w.name, w.namespace)
        : apps.readNamespacedStatefulSet(w.name, w.namespace),
    )
  )?.body;
  if (found === undefined) return undefined;
  return {
    shortfall: rolloutShortfall(w.kind, {
      generation: found.metadata?.generation,
      replicas: found.spec?.replicas ?? 1,
      status: { ...found.status },
    }),
    selector: found.spec?.selector.matchLabels ?? {},
  };
}

/** Every workload ready: one line naming each. */
export const workloadsReady = (workloads: readonly WorkloadRef[]): Finding => ({
  status: "ok",
  message: `all ${workloads.length} workloads ready (${workloads.map((w) => w.name).join(", ")})`,
});

/** Every Deployment, StatefulSet and DaemonSet of the render exists with its rollout done. */
export async function workloadFindings(
  kubeConfig: k8s.KubeConfig,
  workloads: readonly WorkloadRef[],
  stack: string,
): Promise<Finding[]> {
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const findings: Finding[] = [];
  for (const w of workloads) {
    const state = await workloadState(apps, w);
    const ref = `${w.kind} ${w.namespace}/${w.name}`;
    if (state === undefined) {
      findings.push({
        status: "blocking",
        message: `${ref} does not exist`,
        fix: `deploy the stack: ${stack === "kind" ? "npm run up" : `pulumi up -s ${stack}`}`,
      });
    } else if (state.shortfall.length > 0) {
      const pods = await unreadyPodReasons(core, w.namespace, state.selector);
      findings.push({
        status: "blocking",
        message: `${ref} is not rolled out (${state.shortfall.join(", ")})${pods.length === 0 ? "" : `; ${pods.join("; ")}`}`,
        fix: `kubectl -n ${w.namespace} describe ${w.kind.toLowerCase()}/${w.name}; kubectl -n ${w.namespace} get events --sort-by=.lastTimestamp | tail`,
      });
    }
  }
  return findings.length > 0 ? findings : [workloadsReady(workloads)];
}
