// What the review compares: one stack rendered by one revision of the program, offline.
import type { Flow } from "../components/common/flow";
import { KubeObject, kubeObjects, kubePatches } from "../render/manifest";
import { Registration } from "../render/mocks";
import { PROJECT } from "../render/renderStack";
import { answeredUrns, resourceKey, urnOf } from "../render/urns";

/** A resource as the review sees it: its registration, and its Kubernetes object when it is one. */
export interface Resource {
  /** `Kind namespace/name` for a Kubernetes object (render/urns.ts), `type name` for any other. */
  readonly key: string;
  readonly registration: Registration;
  readonly object?: KubeObject;
  /** The URN it registers under. */
  readonly urn: string;
  /** Every URN it answers to: its own and those its aliases and its parents' give it. */
  readonly answers: readonly string[];
}

/** One stack as one revision renders it. */
export interface Snapshot {
  readonly stack: string;
  /** Every resource the program registers, by key. */
  readonly resources: ReadonlyMap<string, Resource>;
  /** The wiring graph its NetworkPolicies come from; undefined when that revision cannot say. */
  readonly flows?: readonly Flow[];
  /** Config errors the revision refused the stack file with, instead of rendering it. */
  readonly refused?: readonly string[];
}

/** A snapshot of a render: each registration with the object it made, if any. */
export function snapshotOf(
  stack: string,
  render: { readonly registrations: readonly Registration[] },
  rest: Omit<Snapshot, "stack" | "resources">,
): Snapshot {
  const deployment = { stack, project: PROJECT };
  const answered = answeredUrns(render.registrations, deployment);
  const resources = new Map<string, Resource>();
  // A read (`Namespace.get`) finds what the cluster holds: the update neither creates nor deletes it.
  for (const registration of render.registrations.filter((r) => !r.read)) {
    const [object] = registration.type.endsWith("Patch")
      ? kubePatches([registration])
      : kubeObjects([registration]);
    const key = resourceKey(registration);
    const urn = urnOf(registration, deployment);
    resources.set(key, {
      key,
      registration,
      urn,
      answers: answered.get(urn) ?? [urn],
      ...(object === undefined ? {} : { object }),
    });
  }
  return { stack, resources, ...rest };
}
