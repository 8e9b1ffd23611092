import * as k8s from "@kubernetes/client-node";

/**
 * What keeps each of the selected pods from being ready, e.g. "grafana-0: ImagePullBackOff": its
 * waiting containers' reasons, else why it is not scheduled, else "not ready". Empty when all are.
 */
export async function unreadyPodReasons(
  core: k8s.CoreV1Api,
  namespace: string,
  selector: Readonly<Record<string, string>>,
): Promise<string[]> {
  const labelSelector = Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const pods = (
    await core.listNamespacedPod(namespace, undefined, undefined, undefined, undefined, labelSelector)
  ).body.items.filter((p) => p.metadata?.deletionTimestamp === undefined);
  return pods
    .filter((p) => !p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    .map((p) => {
      const waiting = (p.status?.containerStatuses ?? []).flatMap((c) =>
        c.ready || c.state?.waiting?.reason === undefined ? [] : [c.state.waiting.reason],
      );
      const unscheduled = p.status?.conditions?.find(
        (c) => c.type === "PodScheduled" && c.status === "False",
      );
      const reason = waiting.length > 0 ? waiting.join(", ") : (unscheduled?.reason ?? "not ready");
      return `${p.metadata?.name ?? ""}: ${reason}`;
    });
}
