import * as k8s from "@kubernetes/client-node";

/** Workloads whose volumes hold history: nothing a user does to the stack may delete or replace them. */
export const DATA_WORKLOADS = ["prometheus", "alertmanager", "loki", "tempo", "grafana"] as const;

/**
 * `Kind namespace/name` → UID of each object that holds data in `namespace`: every claim, and the
 * StatefulSets of DATA_WORKLOADS. A deleted or replaced one comes back with another UID.
 */
export async function dataObjectUids(
  kubeConfig: k8s.KubeConfig,
  namespace: string,
): Promise<Map<string, string>> {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
  const uids = new Map<string, string>();
  for (const claim of (await core.listNamespacedPersistentVolumeClaim(namespace)).body.items) {
    uids.set(`PersistentVolumeClaim ${namespace}/${claim.metadata?.name}`, String(claim.metadata?.uid));
  }
  for (const set of (await apps.listNamespacedStatefulSet(namespace)).body.items) {
    if ((DATA_WORKLOADS as readonly string[]).includes(set.metadata?.name ?? "")) {
      uids.set(`StatefulSet ${namespace}/${set.metadata?.name}`, String(set.metadata?.uid));
    }
  }
  return uids;
}

/** The data objects of `before` that are gone or came back as another object in `after`. */
export function lostDataObjects(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  return [...before].filter(([key, uid]) => after.get(key) !== uid).map(([key]) => key);
}
