/**
 * What a workload's processes re-read while they run: pod volume → how the change reaches them (a
 * config reloader, a poll). Said on the controller (not the pod template, which would roll the pods
 * when it changes) so that a review can tell a ConfigMap edit that takes effect in place from one
 * that waits for the next restart.
 */
export type ReadsLive = Readonly<Record<string, string>>;

export const READS_LIVE_ANNOTATION = "observability.io/reads-live";

/** The controller's annotation for `readsLive`, none when nothing is re-read. */
export function readsLiveAnnotations(readsLive: ReadsLive | undefined): Record<string, string> {
  return readsLive === undefined || Object.keys(readsLive).length === 0
    ? {}
    : { [READS_LIVE_ANNOTATION]: JSON.stringify(readsLive) };
}
