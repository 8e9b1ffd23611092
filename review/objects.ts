// What `pulumi up` does to each resource between two snapshots: created, deleted, updated in
// place or replaced, as the Kubernetes provider decides it, and what that puts at risk.
import { storedForm } from "../render/storedForm";
import { isDowngrade } from "../config/imageVersion";
import { Resource, Snapshot } from "./snapshot";

/**
 * The fields whose change makes the Kubernetes provider (v4) replace an object rather than patch
 * it, by kind: the API server refuses to update them (a StatefulSet's spec but its replicas,
 * template, update strategy and the like; a selector; a Service's cluster IP; a binding's role), or
 * the provider treats the object as immutable (a ConfigMap's or Secret's data, unless its provider
 * is told they are mutable: MUTABLE_KINDS). An object's name and namespace are its identity for
 * every kind.
 */
const REPLACED_ON: Readonly<Record<string, readonly string[]>> = {
  StatefulSet: [
    "spec.podManagementPolicy",
    "spec.revisionHistoryLimit",
    "spec.selector",
    "spec.serviceName",
    "spec.volumeClaimTemplates",
  ],
  Deployment: ["spec.selector"],
  DaemonSet: ["spec.selector"],
  Job: ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
  Service: ["spec.clusterIP"],
  PersistentVolumeClaim: ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
  RoleBinding: ["roleRef"],
  ClusterRoleBinding: ["roleRef"],
  StorageClass: ["parameters", "provisioner"],
  ConfigMap: ["data", "binaryData"],
  Secret: ["type", "data", "stringData"],
};
const IDENTITY = ["metadata.name", "metadata.namespace"];

/**
 * Resources of other providers, by type: the inputs whose change makes their provider replace them
 * (`any`: every input), anything else being updated in place. Every argument of a random resource,
 * its keepers included, forces a new value; the Grafana provider (bridging Terraform's
 * grafana_folder_permission and grafana_team) replaces a folder permission moved to another folder
 * and either resource moved to another organisation (`folder_uid` and `org_id` force a new one).
 */
const REPLACED_ON_INPUTS: Readonly<Record<string, readonly string[] | "any">> = {
  "random:index/randomPassword:RandomPassword": "any",
  "grafana:oss/folderPermission:FolderPermission": ["folderUid", "orgId"],
  "grafana:oss/team:Team": ["orgId"],
};

/** The provider options under which a kind's data is updated in place, unless the object says `immutable`. */
const MUTABLE_KINDS: Readonly<Record<string, string>> = {
  ConfigMap: "enableConfigMapMutable",
  Secret: "enableSecretMutable",
};

/** How an object holds data that outlives its pods. */
const CLAIM_KINDS = new Set(["PersistentVolumeClaim", "PersistentVolumeClaimPatch"]);

export type Change = "created" | "deleted" | "updated" | "replaced";

/** Something at risk, named by the resource (or store) an author acknowledges it with. */
export interface Risk {
  readonly subject: string;
  readonly why: string;
}

export interface ResourceChange {
  readonly key: string;
  /** The URN Pulumi knows it by: the new one, or for a deletion the old one. */
  readonly urn: string;
  readonly change: Change;
  /** The changed fields (dotted paths), the first level that differs. */
  readonly fields: readonly string[];
  /** Short values as they were and will be, by changed field; never a Secret's. */
  readonly values?: Readonly<Record<string, readonly [unknown, unknown]>>;
  /** For a replacement: the fields that force it. */
  readonly replacedBy?: readonly string[];
  /** Protected: Pulumi refuses to delete or replace it, and the update stops there. */
  readonly refused?: boolean;
  /** Deleted from the program but kept in the cluster (retainOnDelete). */
  readonly retained?: boolean;
}

type Json = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** JSON with keys sorted, so that key order never reads as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A value as a reviewer reads it: text as it is, anything else as JSON, nothing as `none`. */
export const shown = (value: unknown): string =>
  value === undefined ? "none" : typeof value === "string" ? value : JSON.stringify(value);

/** The paths at which two inputs differ, descending into objects (not lists), skipping `ignored`. */
export function changedPaths(
  before: unknown,
  after: unknown,
  ignored: readonly string[] = [],
  at = "",
): string[] {
  if (ignored.includes(at)) {
    return [];
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) =>
      changedPaths(before[key], after[key], ignored, at === "" ? key : `${at}.${key}`),
    );
  }
  return sameValue(before, after) ? [] : [at];
}

/** Whether a change at `path` touches `field`: one contains the other. */
const touches = (path: string, field: string) =>
  path === field || path.startsWith(`${field}.`) || field.startsWith(`${path}.`);

/** Pulumi's ignoreChanges paths, as dotted paths of the inputs (`spec.volumeClaimTemplates`). */
const ignoredOf = (resource: Resource) =>
  resource.registration.ignoreChanges.map((p) => p.replace(/\[\d+\]/g, ""));

/** The value at a dotted path of a resource's inputs; a key may hold dots itself (a label's). */
function valueAt(resource: Resource, dotted: string): unknown {
  const segments = dotted.split(".");
  let node: unknown = resource.registration.inputs;
  for (let i = 0; i < segments.length; ) {
    if (!isObject(node)) return undefined;
    const here = node;
    const end = [...Array(segments.length - i).keys()]
      .map((k) => segments.length - k)
      .find((j) => segments.slice(i, j).join(".") in here);
    if (end === undefined) return undefined;
    node = here[segments.slice(i, end).join(".")];
    i = end;
  }
  return node;
}

/** Changed scalar fields whose values read in a line (a size, a count, a flag), unless the object is a Secret. */
function shortValues(before: Resource, after: Resource, fields: readonly string[]) {
  if (after.object?.kind === "Secret") return {};
  const scalar = (v: unknown) =>
    v === undefined ||
    typeof v === "number" ||
    typeof v === "boolean" ||
    (typeof v === "string" && v.length <= 40);
  const values = Object.fromEntries(
    fields
      .map((field) => [field, [valueAt(before, field), valueAt(after, field)] as const] as const)
      .filter(([, [a, b]]) => scalar(a) && scalar(b)),
  );
  return Object.keys(values).length === 0 ? {} : { values };
}

/** Whether the resource's provider updates objects of its kind in place where it would otherwise replace them. */
function updatedInPlace(resource: Resource, kind: string, providers: ReadonlyMap<string, Resource>): boolean {
  const option = MUTABLE_KINDS[kind];
  // A provider reference is `<provider URN>::<provider ID>`.
  const provider = providers.get((resource.registration.provider ?? "").replace(/::[^:]*$/, ""));
  // Provider inputs reach the provider as text.
  const enabled = option === undefined ? undefined : provider?.registration.inputs[option];
  return (enabled === true || enabled === "true") && resource.object?.immutable !== true;
}

/** A resource's inputs as the provider compares them: as the API server keeps them. */
const asStored = (resource: Resource): Json =>
  storedForm(resource.object?.kind, resource.registration.inputs);

/** What happens to one resource present in both snapshots. */
function kept(
  before: Resource,
  after: Resource,
  providers: ReadonlyMap<string, Resource>,
): ResourceChange | undefined {
  const fields = changedPaths(asStored(before), asStored(after), ignoredOf(after));
  if (fields.length === 0) {
    return undefined;
  }
  const kind = after.object?.kind.replace(/Patch$/, "");
  const byType = REPLACED_ON_INPUTS[after.registration.type];
  const forcing =
    byType === "any"
      ? fields
      : (byType ??
        (kind === undefined
          ? []
          : [...IDENTITY, ...(updatedInPlace(after, kind, providers) ? [] : (REPLACED_ON[kind] ?? []))]));
  const replacedBy = fields.filter((path) => forcing.some((field) => touches(path, field)));
  if (replacedBy.length === 0) {
    return {
      key: after.key,
      urn: after.urn,
      change: "updated",
      fields,
      ...shortValues(before, after, fields),
    };
  }
  return {
    key: after.key,
    urn: after.urn,
    change: "replaced",
    fields,
    replacedBy,
    ...(before.registration.protect ? { refused: true } : {}),
  };
}

/**
 * Every resource the update creates, deletes, updates in place or replaces, in key order. Pulumi
 * knows a resource by its URN: one is the same across the two when the URN it had is its own or
 * one it answers to (an alias, its own or its parents'), so a renamed type keeps its state.
 */
export function resourceChanges(before: Snapshot, after: Snapshot): ResourceChange[] {
  const byUrn = new Map([...before.resources.values()].map((r) => [r.urn, r]));
  const providers = new Map([...after.resources.values()].map((r) => [r.urn, r]));
  const previous = (now: Resource) => now.answers.map((urn) => byUrn.get(urn)).find((r) => r !== undefined);
  const matched = new Set<string>();
  const changes = [...after.resources.values()].flatMap((now): ResourceChange[] => {
    const old = previous(now);
    if (old === undefined) {
      return [{ key: now.key, urn: now.urn, change: "created", fields: [] }];
    }
    matched.add(old.key);
    const change = kept(old, now, providers);
    return change === undefined ? [] : [change];
  });
  const deleted = [...before.resources.values()]
    .filter((old) => !matched.has(old.key))
    .map(
      (old): ResourceChange => ({
        key: old.key,
        urn: old.urn,
        change: "deleted",
        fields: [],
        ...(old.registration.protect ? { refused: true } : {}),
        ...(old.registration.retainOnDelete ? { retained: true } : {}),
      }),
    );
  return [...changes, ...deleted].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Objects the update would create while the object of that name still exists: registered under a
 * new URN that answers to none of the old ones. Pulumi creates before it deletes, and the API
 * server refuses a second object of one name, so the update fails there.
 */
export function recreatedUnderNewUrn(changes: readonly ResourceChange[]): string[] {
  const deleted = new Set(changes.filter((c) => c.change === "deleted").map((c) => c.key));
  return changes
    .filter((c) => c.change === "created" && deleted.has(c.key) && !c.key.startsWith("pulumi:"))
    .map(
      (c) =>
        `${c.key} is registered under a new URN with no alias to its old one: Pulumi would create it while the old one exists, and the API server refuses (add the old type or name as an alias)`,
    );
}

/** A claim's or claim template's requested storage, in bytes. */
function storageBytes(request: unknown): number | undefined {
  if (typeof request !== "string") return undefined;
  const match = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(request);
  if (match === null) return undefined;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(match[1]) * (match[2] === undefined ? 1 : unit[match[2] as keyof typeof unit]);
}

const requestedStorage = (object: Json | undefined): unknown =>
  ((((object?.spec as Json | undefined)?.resources as Json | undefined)?.requests as Json | undefined) ?? {})
    .storage;

/** Each claim template of a StatefulSet: its name and requested storage. */
function claimTemplates(resource: Resource | undefined): Map<string, unknown> {
  const spec = resource?.object?.spec as Json | undefined;
  const templates = (spec?.volumeClaimTemplates ?? []) as Json[];
  return new Map(templates.map((t) => [String((t.metadata as Json).name), requestedStorage(t)]));
}

const holdsData = (resource: Resource | undefined) =>
  resource !== undefined &&
  (CLAIM_KINDS.has(resource.object?.kind ?? "") || claimTemplates(resource).size > 0);

/**
 * What the update puts at risk of being lost, one sentence each: a claim or a StatefulSet with
 * claims deleted or replaced, a volume asked to shrink. (A protected one is refused instead.)
 */
export function objectsAtRisk(before: Snapshot, after: Snapshot, changes: readonly ResourceChange[]): Risk[] {
  const risks = changes.flatMap((change): Risk[] => {
    const old = before.resources.get(change.key) ?? after.resources.get(change.key);
    if (change.refused === true) {
      return [];
    }
    if (change.change === "replaced" && holdsData(old)) {
      return [
        {
          subject: change.key,
          why: `${change.key} is replaced (${(change.replacedBy ?? []).join(", ")}): deleted before it is created again, so every replica stops at once and nothing is collected or served until the new pods run on the kept claims`,
        },
      ];
    }
    if (change.change === "deleted" && change.retained !== true && holdsData(old)) {
      return [
        {
          subject: change.key,
          why: CLAIM_KINDS.has(old?.object?.kind ?? "")
            ? `${change.key} is deleted, and what it holds with it`
            : `${change.key} is deleted: its claims are kept, but nothing reads what they hold any more`,
        },
      ];
    }
    return [];
  });
  const shrunk = [...after.resources.values()].flatMap((now): Risk[] => {
    const old = before.resources.get(now.key);
    const sizes = CLAIM_KINDS.has(now.object?.kind ?? "")
      ? [["", requestedStorage(old?.object), requestedStorage(now.object)] as const]
      : [...claimTemplates(now)].map(
          ([name, size]) => [` claim ${name}`, claimTemplates(old).get(name), size] as const,
        );
    return sizes.flatMap(([what, from, to]) => {
      const [a, b] = [storageBytes(from), storageBytes(to)];
      return a !== undefined && b !== undefined && b < a
        ? [
            {
              subject: now.key,
              why: `${now.key}${what} shrinks from ${String(from)} to ${String(to)}: volumes only grow`,
            },
          ]
        : [];
    });
  });
  return [...risks, ...shrunk, ...downgraded(before, after)];
}

/** `container` → image of each container of a workload's pod template. */
function containerImages(resource: Resource | undefined): Map<string, string> {
  const template = (resource?.object?.spec as Json | undefined)?.template as Json | undefined;
  const containers = ((template?.spec as Json | undefined)?.containers ?? []) as Json[];
  return new Map(containers.map((c) => [String(c.name), String(c.image)]));
}

/**
 * A workload that holds data whose image goes back to an older release on the same volume: a
 * server reading what a newer release of it wrote is data at risk until that server's docs say
 * it can (a rollback, or an `images.*` pin set lower).
 */
function downgraded(before: Snapshot, after: Snapshot): Risk[] {
  return [...after.resources.values()]
    .filter((now) => holdsData(now) && holdsData(before.resources.get(now.key)))
    .flatMap((now) => {
      const old = containerImages(before.resources.get(now.key));
      return [...containerImages(now)]
        .filter(([name, image]) => old.has(name) && isDowngrade(old.get(name) as string, image))
        .map(([name, image]) => ({
          subject: now.key,
          why: `${now.key}'s ${name} goes back from ${old.get(name)} to ${image} on the same volume: an older release reading what a newer one wrote is data at risk until its docs say it can (docs/day-two.md#rolling-back)`,
        }));
    });
}
