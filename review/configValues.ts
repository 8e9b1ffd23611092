// What changes inside the config files a ConfigMap holds: each key whose value changes, as it was and
// will be, so that a replaced ConfigMap says more than which file moved.
import * as yaml from "js-yaml";
import { ResourceChange, changedPaths, shown } from "./objects";
import { short } from "./rollouts";
import { Snapshot } from "./snapshot";

type Json = Readonly<Record<string, unknown>>;

/** How many keys of one file a review lists before it says how many more. */
const LISTED = 6;

/** How much of a config value a line shows. */
const SHOWN = 40;

/** A config file as data: YAML (JSON among it), or nothing a review can compare key by key. */
function parsed(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  try {
    const value = yaml.load(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The name a list item goes by, as a scrape job or a receiver is named. */
function itemName(item: unknown): string | undefined {
  if (item === null || typeof item !== "object") return undefined;
  const name = (item as Json).job_name ?? (item as Json).name;
  return typeof name === "string" ? name : undefined;
}

/** Items by their names, when each has a name of its own. */
function byName(items: readonly unknown[]): Map<string, unknown> | undefined {
  const names = items.map(itemName);
  if (names.some((name) => name === undefined) || new Set(names).size !== names.length) return undefined;
  return new Map(items.map((item, i) => [names[i] as string, item]));
}

/**
 * A list's items added (+) and removed (-), or that its order changed; items that each have a name
 * by that name, and those both sides have with the keys that change in them (~).
 */
function listChange(was: readonly unknown[], is: readonly unknown[]): string {
  const [before, after] = [byName(was), byName(is)];
  if (before !== undefined && after !== undefined) {
    const items = [
      ...[...after.keys()].filter((name) => !before.has(name)).map((name) => `+${name}`),
      ...[...before.keys()].filter((name) => !after.has(name)).map((name) => `-${name}`),
      ...[...after.keys()].flatMap((name) => {
        const paths = before.has(name) ? changedPaths(before.get(name), after.get(name)) : [];
        return paths.length === 0 ? [] : [`~${name} (${paths.join(", ")})`];
      }),
    ];
    return items.length === 0 ? "reordered" : items.join(" ");
  }
  const [old, now] = [was.map((item) => shown(item)), is.map((item) => shown(item))];
  const items = [
    ...now.filter((item) => !old.includes(item)).map((item) => `+${short(item, SHOWN)}`),
    ...old.filter((item) => !now.includes(item)).map((item) => `-${short(item, SHOWN)}`),
  ];
  return items.length === 0 ? "reordered" : items.join(" ");
}

const valueAt = (document: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);

/**
 * Each changed ConfigMap's config files (`data.<file>`), by resource: the keys whose values change
 * (`limits_config.retention_period 168h → 336h`), up to six a file. A Secret's are never read.
 */
export function configFileChanges(
  before: Snapshot,
  after: Snapshot,
  changes: readonly ResourceChange[],
): Readonly<Record<string, readonly string[]>> {
  const files = (snapshot: Snapshot, key: string) =>
    (snapshot.resources.get(key)?.object?.data ?? {}) as Readonly<Record<string, string>>;
  return Object.fromEntries(
    changes.flatMap((change) => {
      if (!change.key.startsWith("ConfigMap ") || !["updated", "replaced"].includes(change.change)) return [];
      const [old, now] = [files(before, change.key), files(after, change.key)];
      const lines = [...new Set([...Object.keys(old), ...Object.keys(now)])].flatMap((file) => {
        if (old[file] === now[file]) return [];
        if (old[file] === undefined) return [`${file} added`];
        if (now[file] === undefined) return [`${file} removed`];
        const [a, b] = [parsed(old[file]), parsed(now[file])];
        if (a === undefined || b === undefined) return [];
        const paths = changedPaths(a, b);
        const listed = paths.slice(0, LISTED).map((path) => {
          const [was, is] = [valueAt(a, path), valueAt(b, path)];
          return Array.isArray(was) && Array.isArray(is)
            ? `${path} ${listChange(was, is)}`
            : `${path} ${short(was, SHOWN)} → ${short(is, SHOWN)}`;
        });
        const more = paths.length > LISTED ? [`${paths.length - LISTED} more`] : [];
        return [`${file}: ${[...listed, ...more].join(", ")}`];
      });
      return lines.length === 0 ? [] : [[change.key, lines] as const];
    }),
  );
}
