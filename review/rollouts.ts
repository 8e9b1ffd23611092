// Which workloads roll, how they are paced, and which config changes reach running pods without one.
import { READS_LIVE_ANNOTATION } from "../components/common/readsLive";
import { ResourceChange, changedPaths, shown } from "./objects";
import { Resource, Snapshot } from "./snapshot";

type Json = Readonly<Record<string, unknown>>;

const CONTROLLERS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

export interface Rollout {
  /** The controller, `Kind namespace/name`. */
  readonly key: string;
  /** Why its pods are replaced: the config checksums that moved, or the template fields that changed. */
  readonly because: readonly string[];
  /** How many pods, and how they go: one at a time, at the disruption budget's pace. */
  readonly pace: string;
}

/** A workload that reads a changed ConfigMap or Secret, and when the change reaches it. */
export interface Reader {
  /** The controller, `Kind namespace/name`. */
  readonly workload: string;
  /** Created with it; rolled (above); re-read while it runs; or read at its next restart. */
  readonly takes: "created" | "rolls" | "live" | "restart";
  /** For `live`: how, as the workload says. */
  readonly how?: string;
}

export interface Reload {
  /** The ConfigMap or Secret, `Kind namespace/name`. */
  readonly key: string;
  /** The stack's workloads that mount or read it; none when only pods the stack does not run do. */
  readonly readers: readonly Reader[];
}

/** A reader as a reviewer reads it. */
export function readerText(reader: Reader): string {
  switch (reader.takes) {
    case "created":
      return `${reader.workload} is created, and starts on it`;
    case "rolls":
      return `${reader.workload} rolls (above)`;
    case "live":
      return `${reader.workload}: ${reader.how ?? "re-reads it"}`;
    case "restart":
      return `${reader.workload} reads it at its next restart`;
  }
}

const spec = (resource: Resource | undefined) => (resource?.object?.spec ?? {}) as Json;
const template = (resource: Resource | undefined) => (spec(resource).template ?? {}) as Json;
const templateLabels = (resource: Resource | undefined) =>
  (((template(resource).metadata ?? {}) as Json).labels ?? {}) as Readonly<Record<string, string>>;

/** The disruption budget whose selector picks the workload's pods, as it reads. */
function budgetOf(after: Snapshot, workload: Resource): string | undefined {
  const labels = templateLabels(workload);
  const budget = [...after.resources.values()].find((r) => {
    if (
      r.object?.kind !== "PodDisruptionBudget" ||
      r.object.metadata.namespace !== workload.object?.metadata.namespace
    ) {
      return false;
    }
    const match = (((r.object.spec ?? {}) as Json).selector as Json | undefined)?.matchLabels as
      | Readonly<Record<string, string>>
      | undefined;
    return match !== undefined && Object.entries(match).every(([k, v]) => labels[k] === v);
  });
  if (budget === undefined) return undefined;
  const budgetSpec = (budget.object?.spec ?? {}) as Json;
  const bound =
    budgetSpec.minAvailable !== undefined
      ? `minAvailable ${shown(budgetSpec.minAvailable)}`
      : `maxUnavailable ${shown(budgetSpec.maxUnavailable)}`;
  return `${budget.key} (${bound})`;
}

/** How a controller replaces its pods. */
function paceOf(after: Snapshot, workload: Resource): string {
  const kind = workload.object?.kind ?? "";
  const replicas = spec(workload).replicas;
  const budget = budgetOf(after, workload);
  const count =
    kind === "DaemonSet" ? "one pod per node" : `${shown(replicas ?? 1)} pod${replicas === 1 ? "" : "s"}`;
  const order =
    kind === "StatefulSet"
      ? "one at a time, highest ordinal first, each on its own claim"
      : kind === "DaemonSet"
        ? "node by node"
        : "a new pod before an old one goes";
  return `${count}, ${order}${budget === undefined ? "" : `; drains paced by ${budget}`}`;
}

/** A container's arguments that change, by flag: `--flag old → new`, `--flag added`, `--flag removed`. */
function argChanges(before: readonly string[], after: readonly string[]): string {
  const flags = (args: readonly string[]) =>
    new Map(args.map((arg) => [arg.split("=")[0], arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : ""]));
  const [old, now] = [flags(before), flags(after)];
  const changes = [...new Set([...old.keys(), ...now.keys()])].flatMap((flag) => {
    const [a, b] = [old.get(flag), now.get(flag)];
    if (a === b) return [];
    if (a === undefined) return [`${flag} added${b === "" ? "" : ` (${short(b ?? "")})`}`];
    if (b === undefined) return [`${flag} removed`];
    const [was, is] = [a.split(","), b.split(",")];
    if (was.length > 1 || is.length > 1) {
      const items = [
        ...is.filter((item) => !was.includes(item)).map((item) => `+${item}`),
        ...was.filter((item) => !is.includes(item)).map((item) => `-${item}`),
      ];
      return [`${flag} ${items.map(short).join(" ")}`];
    }
    return [`${flag} ${short(a)} → ${short(b)}`];
  });
  return changes.length === 0 ? "reordered" : changes.join("; ");
}

/** Up to `max` characters of a value as a reviewer reads it. */
export const short = (value: unknown, max = 60): string => {
  const text = shown(value);
  return text.length > max ? `${text.slice(0, max - 3)}…` : text;
};

/** What an env var is set to: its value, or where it is read from. */
function envValue(variable: Json | undefined): unknown {
  if (variable === undefined) return undefined;
  const from = variable.valueFrom as Json | undefined;
  return from === undefined ? variable.value : `from ${short(from)}`;
}

/** A container's env vars that change, by name: `NAME old → new`, added or removed. */
function envChanges(before: unknown, after: unknown): string[] {
  const byName = (list: unknown) =>
    new Map(((list ?? []) as Json[]).map((v) => [String(v.name), v] as const));
  const [old, now] = [byName(before), byName(after)];
  return [...new Set([...old.keys(), ...now.keys()])].flatMap((name) => {
    const [a, b] = [envValue(old.get(name)), envValue(now.get(name))];
    if (!old.has(name)) return [`${name} added (${short(b)})`];
    if (!now.has(name)) return [`${name} removed`];
    return shown(a) === shown(b) ? [] : [`${name} ${short(a)} → ${short(b)}`];
  });
}

/** A container's resources that change, each request or limit as it was and will be. */
const requirementChanges = (before: unknown, after: unknown): string[] =>
  changedPaths(before, after).map((path) => {
    const at = (resources: unknown) =>
      path.split(".").reduce<unknown>((node, key) => (node as Json | undefined)?.[key], resources);
    return `${path} ${short(at(before))} → ${short(at(after))}`;
  });

/** What changes in a pod template's containers, by container: its image as it was and is, its args, other fields. */
function containerChanges(before: unknown, after: unknown): string[] {
  const byName = (list: unknown) =>
    new Map(((list ?? []) as Json[]).map((c) => [String(c.name), c] as const));
  const [old, now] = [byName(before), byName(after)];
  const added = [...now.keys()].filter((name) => !old.has(name)).map((name) => `container ${name} added`);
  const removed = [...old.keys()].filter((name) => !now.has(name)).map((name) => `container ${name} removed`);
  const changed = [...now].flatMap(([name, container]) => {
    const was = old.get(name);
    if (was === undefined) return [];
    const fields = changedPaths(was, container);
    if (fields.length === 0) return [];
    const args = (c: Json) => ((c.args ?? []) as string[]).map(String);
    const details = [...new Set(fields.map((f) => f.split(".")[0]))].map((field) => {
      if (field === "image") return `image ${String(was.image)} → ${String(container.image)}`;
      if (field === "args") return `args ${argChanges(args(was), args(container))}`;
      if (field === "env") return `env ${envChanges(was.env, container.env).join("; ") || "reordered"}`;
      if (field === "resources")
        return `resources ${requirementChanges(was.resources, container.resources).join(", ")}`;
      return field;
    });
    return [`container ${name}: ${details.join(", ")}`];
  });
  return [...added, ...removed, ...changed];
}

/** Every controller whose pod template changes in place, with why and how its pods go. */
export function rollouts(before: Snapshot, after: Snapshot, changes: readonly ResourceChange[]): Rollout[] {
  return changes.flatMap((change): Rollout[] => {
    const now = after.resources.get(change.key);
    if (change.change !== "updated" || now === undefined || !CONTROLLERS.has(now.object?.kind ?? "")) {
      return [];
    }
    const fields = changedPaths(template(before.resources.get(change.key)), template(now));
    if (fields.length === 0) {
      return [];
    }
    const checksums = fields
      .filter((f) => f.startsWith("metadata.annotations.checksum/"))
      .map((f) => `its ${f.slice("metadata.annotations.checksum/".length)} changed (checksum)`);
    const podSpec = (r: Resource | undefined) => (template(r).spec ?? {}) as Json;
    const containers = ["containers", "initContainers"].flatMap((list) =>
      containerChanges(podSpec(before.resources.get(change.key))[list], podSpec(now)[list]),
    );
    const others = fields.filter(
      (f) =>
        !f.startsWith("metadata.annotations.checksum/") &&
        f !== "spec.containers" &&
        f !== "spec.initContainers",
    );
    const [was, is] = [spec(before.resources.get(change.key)).replicas, spec(now).replicas];
    const scaled = was === is ? [] : [`replicas ${shown(was ?? 1)} → ${shown(is ?? 1)}`];
    return [
      {
        key: change.key,
        because: [...scaled, ...checksums, ...containers, ...others],
        pace: paceOf(after, now),
      },
    ];
  });
}

/** The pod volumes through which a workload mounts the ConfigMap or Secret of that name. */
function volumesOf(resource: Resource, kind: string, name: string): string[] {
  const volumes = (((template(resource).spec ?? {}) as Json).volumes ?? []) as Json[];
  return volumes
    .filter((volume) => {
      const configMap = volume.configMap as Json | undefined;
      const secret = volume.secret as Json | undefined;
      return kind === "ConfigMap" ? configMap?.name === name : secret?.secretName === name;
    })
    .map((volume) => String(volume.name));
}

/** The names of the ConfigMaps and Secrets a pod template mounts or reads. */
function configOf(resource: Resource): { configMaps: Set<string>; secrets: Set<string> } {
  const podSpec = (template(resource).spec ?? {}) as Json;
  const volumes = (podSpec.volumes ?? []) as Json[];
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const volume of volumes) {
    const configMap = volume.configMap as Json | undefined;
    const secret = volume.secret as Json | undefined;
    if (configMap !== undefined) configMaps.add(String(configMap.name));
    if (secret !== undefined) secrets.add(String(secret.secretName));
    for (const source of ((volume.projected as Json | undefined)?.sources ?? []) as Json[]) {
      if (source.configMap !== undefined) configMaps.add(String((source.configMap as Json).name));
      if (source.secret !== undefined) secrets.add(String((source.secret as Json).name));
    }
  }
  const containers = [
    ...((podSpec.containers ?? []) as Json[]),
    ...((podSpec.initContainers ?? []) as Json[]),
  ];
  for (const container of containers) {
    for (const from of (container.envFrom ?? []) as Json[]) {
      if (from.configMapRef !== undefined) configMaps.add(String((from.configMapRef as Json).name));
      if (from.secretRef !== undefined) secrets.add(String((from.secretRef as Json).name));
    }
    for (const env of (container.env ?? []) as Json[]) {
      const source = env.valueFrom as Json | undefined;
      if (source?.configMapKeyRef !== undefined)
        configMaps.add(String((source.configMapKeyRef as Json).name));
      if (source?.secretKeyRef !== undefined) secrets.add(String((source.secretKeyRef as Json).name));
    }
  }
  return { configMaps, secrets };
}

/** How the workload picks up a change of each pod volume it re-reads live, as its controller says. */
function readsLiveOf(resource: Resource): Readonly<Record<string, string>> {
  const said = resource.object?.metadata.annotations?.[READS_LIVE_ANNOTATION];
  return said === undefined ? {} : (JSON.parse(said) as Record<string, string>);
}

/**
 * Every ConfigMap and Secret whose content changes, with what happens in the workloads that read it
 * but do not roll: re-read live as the workload says it does (a config reloader, a poll), or read
 * at their next restart.
 */
export function reloads(
  after: Snapshot,
  changes: readonly ResourceChange[],
  rolled: readonly Rollout[],
): Reload[] {
  const rolling = new Set(rolled.map((r) => r.key));
  const created = new Set(changes.filter((c) => c.change === "created").map((c) => c.key));
  const workloads = [...after.resources.values()]
    .filter((r) => CONTROLLERS.has(r.object?.kind ?? ""))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return changes.flatMap((change): Reload[] => {
    const now = after.resources.get(change.key);
    const kind = now?.object?.kind;
    const content = change.fields.some((field) => /^(data|binaryData|stringData)(\.|$)/.test(field));
    if (!content || (kind !== "ConfigMap" && kind !== "Secret")) {
      return [];
    }
    const readers = workloads
      .filter((w) => w.object?.metadata.namespace === now?.object?.metadata.namespace)
      .filter((w) =>
        (kind === "ConfigMap" ? configOf(w).configMaps : configOf(w).secrets).has(
          now?.object?.metadata.name ?? "",
        ),
      )
      .map((w): Reader => {
        const live = volumesOf(w, kind, now?.object?.metadata.name ?? "")
          .map((volume) => readsLiveOf(w)[volume])
          .find((how) => how !== undefined);
        return created.has(w.key)
          ? { workload: w.key, takes: "created" }
          : rolling.has(w.key)
            ? { workload: w.key, takes: "rolls" }
            : live !== undefined
              ? { workload: w.key, takes: "live", how: live }
              : { workload: w.key, takes: "restart" };
      });
    return [{ key: change.key, readers }];
  });
}
