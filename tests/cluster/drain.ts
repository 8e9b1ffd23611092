import * as k8s from "@kubernetes/client-node";
import { KubeObject } from "../../render/manifest";
import { describe as describeError, waitFor } from "../kit/cluster";
import { Json } from "../kit/json";
import { sleep } from "../kit/sleep";

const ZONE_LABEL = "topology.kubernetes.io/zone";
const MERGE_PATCH = { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } };
const SAMPLE_MS = 250;
/**
 * How long a drain may wait on disruption budgets before it counts as blocked (an EKS managed node
 * group waits 15 minutes). Measured: a StatefulSet pod whose sibling was evicted from the previous
 * node waits about two minutes, as the budget's status keeps the evicted pod, whose replacement
 * has the same name, among its disrupted pods until Kubernetes' two-minute deletion timeout.
 */
const EVICTION_DEADLINE_MS = 300_000;

export interface NodeDrain {
  readonly node: string;
  readonly zone: string;
  /** From cordon to the last evicted pod gone. */
  readonly drainSeconds: number;
  readonly evicted: readonly string[];
  /** Evictions a disruption budget refused (429) before it let them through, by pod. */
  readonly refusals: Readonly<Record<string, number>>;
  /** From uncordoning the node (its replacement in the zone) to every workload fully ready. */
  readonly recoverySeconds: number;
}

export interface WorkloadDuringDrains {
  readonly ref: string;
  readonly replicas: number;
  /** The fewest ready pods seen while the nodes were drained and replaced. */
  readonly fewestReady: number;
  /** The fewest zones (`topology.kubernetes.io/zone` of their nodes) with a ready pod, seen meanwhile. */
  readonly fewestReadyZones: number;
  /** Seconds with no ready pod at all. */
  readonly unavailableSeconds: number;
}

export interface DrainReport {
  readonly drains: readonly NodeDrain[];
  readonly workloads: readonly WorkloadDuringDrains[];
}

interface Workload {
  readonly ref: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly replicas: number;
}

/**
 * Drains each node in turn as a managed node group update does: cordon, evict every pod but the
 * DaemonSets' through the Eviction API (a 429 from a disruption budget is retried, as kubectl drain
 * does), wait until the evicted pods are gone, then uncordon, standing for the replacement node
 * in the same zone, and wait until every workload is ready again before the next node. Samples
 * every workload's ready pods throughout.
 */
export async function drainEachNode(
  core: k8s.CoreV1Api,
  objects: readonly KubeObject[],
): Promise<DrainReport> {
  const workloads: Workload[] = objects
    .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
    .map((o) => {
      const spec = o.spec as Json;
      return {
        ref: `${o.kind}/${o.metadata.name}`,
        namespace: o.metadata.namespace ?? "",
        selector: spec.selector.matchLabels as Record<string, string>,
        replicas: spec.replicas as number,
      };
    });
  const nodes = (await core.listNode()).body.items;
  const zoneOf = new Map(nodes.map((n) => [n.metadata?.name, n.metadata?.labels?.[ZONE_LABEL] ?? ""]));
  const fewestReady = new Map(workloads.map((w) => [w.ref, w.replicas]));
  const fewestReadyZones = new Map(workloads.map((w) => [w.ref, Number.POSITIVE_INFINITY]));
  const unavailableMs = new Map(workloads.map((w) => [w.ref, 0]));

  /** Each workload's ready pods and the zones they run in. */
  const readyPods = async (): Promise<Map<string, { count: number; zones: number }>> => {
    const pods = (await core.listPodForAllNamespaces()).body.items.filter(
      (p) =>
        p.metadata?.deletionTimestamp === undefined &&
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
    );
    return new Map(
      workloads.map((w) => {
        const ready = pods.filter(
          (p) =>
            p.metadata?.namespace === w.namespace &&
            Object.entries(w.selector).every(([k, v]) => p.metadata?.labels?.[k] === v),
        );
        const zones = new Set(ready.map((p) => zoneOf.get(p.spec?.nodeName) ?? ""));
        return [w.ref, { count: ready.length, zones: zones.size }];
      }),
    );
  };

  let sampling = true;
  const sampler = (async () => {
    let last = Date.now();
    while (sampling) {
      const counts = await readyPods();
      const now = Date.now();
      for (const [ref, { count: ready, zones }] of counts) {
        fewestReady.set(ref, Math.min(fewestReady.get(ref) ?? ready, ready));
        fewestReadyZones.set(ref, Math.min(fewestReadyZones.get(ref) ?? zones, zones));
        if (ready === 0) {
          unavailableMs.set(ref, (unavailableMs.get(ref) ?? 0) + now - last);
        }
      }
      last = now;
      await sleep(SAMPLE_MS);
    }
  })();

  const drains: NodeDrain[] = [];
  try {
    for (const node of nodes) {
      const name = node.metadata?.name ?? "";
      const zone = zoneOf.get(name) ?? "";
      const start = Date.now();
      await cordon(core, name, true);
      const pods = (
        await core.listPodForAllNamespaces(undefined, undefined, `spec.nodeName=${name}`)
      ).body.items.filter((p) => !(p.metadata?.ownerReferences ?? []).some((o) => o.kind === "DaemonSet"));
      const refusals = await Promise.all(pods.map((pod) => evict(core, pod)));
      for (const pod of pods) {
        await waitFor(
          async () =>
            (await core
              .readNamespacedPod(pod.metadata?.name ?? "", pod.metadata?.namespace ?? "")
              .then((r) => r.body.metadata?.uid !== pod.metadata?.uid)
              .catch(() => true))
              ? true
              : undefined,
          `evicted pod ${pod.metadata?.namespace}/${pod.metadata?.name} gone`,
        );
      }
      const drained = Date.now();
      await cordon(core, name, false);
      await waitFor(
        async () => {
          const counts = await readyPods();
          return workloads.every((w) => counts.get(w.ref)?.count === w.replicas) ? true : undefined;
        },
        `every workload ready again after draining ${name}`,
        120_000,
      );
      drains.push({
        node: name,
        zone,
        drainSeconds: (drained - start) / 1000,
        evicted: pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`),
        refusals: Object.fromEntries(
          pods.flatMap((p, i) =>
            refusals[i] === 0 ? [] : [[`${p.metadata?.namespace}/${p.metadata?.name}`, refusals[i]]],
          ),
        ),
        recoverySeconds: (Date.now() - drained) / 1000,
      });
    }
  } finally {
    sampling = false;
    await sampler;
  }
  return {
    drains,
    workloads: workloads.map((w) => ({
      ref: w.ref,
      replicas: w.replicas,
      fewestReady: fewestReady.get(w.ref) ?? 0,
      fewestReadyZones: Math.min(fewestReadyZones.get(w.ref) ?? 0, w.replicas),
      unavailableSeconds: (unavailableMs.get(w.ref) ?? 0) / 1000,
    })),
  };
}

/** Cordons the node (`true`) or makes it schedulable again. */
function cordon(core: k8s.CoreV1Api, node: string, unschedulable: boolean) {
  const options = [undefined, undefined, undefined, undefined, undefined, MERGE_PATCH] as const;
  return core.patchNode(node, { spec: { unschedulable } }, ...options);
}

/** Evicts `pod`, retrying while a disruption budget refuses; returns how many times one did. */
async function evict(core: k8s.CoreV1Api, pod: k8s.V1Pod): Promise<number> {
  const name = pod.metadata?.name ?? "";
  const namespace = pod.metadata?.namespace ?? "";
  const deadline = Date.now() + EVICTION_DEADLINE_MS;
  for (let refusals = 0; ; refusals++) {
    try {
      await core.createNamespacedPodEviction(name, namespace, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace },
      });
      return refusals;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) {
        return refusals;
      }
      if (status !== 429 || Date.now() > deadline) {
        throw new Error(
          `eviction of ${namespace}/${name} ${status === 429 ? `still refused by its disruption budget after ${EVICTION_DEADLINE_MS / 1000} s` : "failed"}: ${describeError(error)}`,
        );
      }
      await sleep(1000);
    }
  }
}
