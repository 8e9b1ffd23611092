import * as k8s from "@kubernetes/client-node";
import { ifExists } from "../cli/ifExists";
import { Finding } from "../cli/findings";
import { WorkloadRef } from "./expectations";

/** Ready and desired pods of one workload, or undefined when it does not exist. */
async function readiness(
  apps: k8s.AppsV1Api,
  w: WorkloadRef,
): Promise<{ ready: number; desired: number } | undefined> {
  if (w.kind === "DaemonSet") {
    const found = await ifExists(() => apps.readNamespacedDaemonSet(w.name, w.namespace));
    return found === undefined
      ? undefined
      : {
          ready: found.body.status?.numberReady ?? 0,
          desired: found.body.status?.desiredNumberScheduled ?? 0,
        };
  }
  const found = await ifExists(() =>
    w.kind === "Deployment"
      ? apps.readNamespacedDeployment(w.name, w.namespace)
      : apps.readNamespacedStatefulSet(w.name, w.namespace),
  );
  return found === undefined
    ? undefined
    : { ready: found.body.status?.readyReplicas ?? 0, desired: found.body.spec?.replicas ?? 1 };
}

/** Every workload ready: one line naming each. */
export const workloadsReady = (workloads: readonly WorkloadRef[]): Finding => ({
  status: "ok",
  message: `all ${workloads.length} workloads ready (${workloads.map((w) => w.name).join(", ")})`,
});

/** Every Deployment, StatefulSet and DaemonSet of the render exists with all its pods ready. */
export async function workloadFindings(
  kubeConfig: k8s.KubeConfig,
  workloads: readonly WorkloadRef[],
  stack: string,
): Promise<Finding[]> {
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
  const findings: Finding[] = [];
  for (const w of workloads) {
    const state = await readiness(apps, w);
    const ref = `${w.kind} ${w.namespace}/${w.name}`;
    if (state === undefined) {
      findings.push({
        status: "blocking",
        message: `${ref} does not exist`,
        fix: `deploy the stack: ${stack === "kind" ? "npm run up" : `pulumi up -s ${stack}`}`,
      });
    } else if (state.desired === 0 || state.ready < state.desired) {
      findings.push({
        status: "blocking",
        message: `${ref} has ${state.ready}/${state.desired} pods ready`,
        fix: `kubectl -n ${w.namespace} describe ${w.kind.toLowerCase()}/${w.name}; kubectl -n ${w.namespace} get events --sort-by=.lastTimestamp | tail`,
      });
    }
  }
  return findings.length > 0 ? findings : [workloadsReady(workloads)];
}
