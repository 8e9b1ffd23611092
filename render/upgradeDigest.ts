// What an upgrade does to the cluster, told from two renders of the same stack file (the earlier
// release's program and this one's): each object by kind, namespace and name, with a digest of its
// content and one of the fields Kubernetes refuses to change in place. The earlier render is kept as
// its digests (tests/support/upgrades/<release>/renders/), as its program cannot run beside this one.
import { createHash } from "crypto";
import { KubeObject } from "./manifest";
import { storedForm } from "./storedForm";

export interface ObjectDigest {
  /** The whole object. */
  readonly content: string;
  /** The fields a change of which replaces the object: `pulumi up` deletes and creates it. */
  readonly identity: string;
}

/** Object → digests, keyed `Kind namespace/name` (`Kind name` when cluster-scoped). */
export type RenderDigest = Readonly<Record<string, ObjectDigest>>;

export interface UpgradeChanges {
  readonly created: readonly string[];
  readonly deleted: readonly string[];
  readonly replaced: readonly string[];
  readonly updated: readonly string[];
}

type Spec = Readonly<Record<string, unknown>>;

/**
 * What the API server refuses to update, per kind: a StatefulSet's spec but for the fields it lists
 * as updatable ("updates to statefulset spec for fields other than ... are forbidden"; the program
 * ignores changes to its claim templates), a Deployment's, DaemonSet's and Job's selector (and a
 * Job's template), a Service's cluster IP, a binding's role.
 */
function identityOf(object: KubeObject): unknown {
  const spec = (object.spec ?? {}) as Spec;
  switch (object.kind) {
    case "StatefulSet": {
      const updatable = [
        "replicas",
        "ordinals",
        "template",
        "updateStrategy",
        "persistentVolumeClaimRetentionPolicy",
        "minReadySeconds",
        "volumeClaimTemplates",
      ];
      return Object.fromEntries(Object.entries(spec).filter(([field]) => !updatable.includes(field)));
    }
    case "Deployment":
    case "DaemonSet":
      return spec.selector;
    case "Job":
      return [spec.selector, spec.template];
    case "Service":
      return [spec.clusterIP, spec.clusterIPs];
    case "RoleBinding":
    case "ClusterRoleBinding":
      return (object as { roleRef?: unknown }).roleRef;
    default:
      return null;
  }
}

/** JSON with keys sorted at every level: the same object digests the same whoever printed it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const digest = (value: unknown): string =>
  createHash("sha256").update(canonical(value)).digest("hex").slice(0, 16);

/** The digests of a render's documents (its objects, then its patches), as `npm run render` prints them. */
export function renderDigest(documents: readonly KubeObject[]): RenderDigest {
  const digests: Record<string, ObjectDigest> = {};
  for (const object of documents) {
    const { namespace, name } = object.metadata;
    let key = `${object.kind} ${namespace === undefined ? "" : `${namespace}/`}${name}`;
    // A server-side apply patch of an object the render also has.
    if (key in digests) key = `${key} (patch)`;
    digests[key] = { content: digest(storedForm(object.kind, object)), identity: digest(identityOf(object)) };
  }
  return digests;
}

/** What `pulumi up` does going from the render `before` to `after`, object by object. */
export function upgradeChanges(before: RenderDigest, after: RenderDigest): UpgradeChanges {
  const kept = Object.keys(after).filter((key) => key in before);
  return {
    created: Object.keys(after).filter((key) => !(key in before)),
    deleted: Object.keys(before).filter((key) => !(key in after)),
    replaced: kept.filter((key) => before[key].identity !== after[key].identity),
    updated: kept.filter(
      (key) => before[key].identity === after[key].identity && before[key].content !== after[key].content,
    ),
  };
}
