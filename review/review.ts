// A reviewer's summary of what a change does to one running stack, from two snapshots of it.
import { createHash } from "crypto";
import * as yaml from "js-yaml";
import type { Flow } from "../components/common/flow";
import { POLICIES } from "../policy/rules";
import {
  ResourceChange,
  Risk,
  changedPaths,
  objectsAtRisk,
  recreatedUnderNewUrn,
  resourceChanges,
  shown,
} from "./objects";
import { Reload, Rollout, reloads, rollouts } from "./rollouts";
import {
  ItemChange,
  alertDestinations,
  dashboardChanges,
  datasourceChanges,
  objectiveChanges,
  routeChanges,
  ruleChanges,
  stoppingRoutes,
  timeIntervalChanges,
  unroutedSeverities,
} from "./signals";
import { configFileChanges } from "./configValues";
import { Snapshot } from "./snapshot";

type Json = Readonly<Record<string, unknown>>;

/** What the change does, worst first: a reviewer reads the first that applies. */
export type Verdict = "refused" | "data at risk" | "replaced" | "rolls" | "no restart" | "nothing";

/**
 * What holds content its readers take, not a running thing: replacing one gives the readers new
 * content (they roll or reload, which the verdict counts), nothing stops. A random password is
 * replaced to rotate it.
 */
const CONTENT_KINDS = new Set(["ConfigMap", "Secret", "random:index/randomPassword:RandomPassword"]);

export type { Risk };

export interface Review {
  readonly stack: string;
  readonly verdict: Verdict;
  /** Why nothing would be deployed: the config refused, a protected resource, a policy. */
  readonly refused: readonly string[];
  readonly atRisk: readonly Risk[];
  readonly resources: readonly ResourceChange[];
  readonly rollouts: readonly Rollout[];
  readonly reloads: readonly Reload[];
  readonly flowsOpened: readonly Flow[];
  readonly flowsClosed: readonly Flow[];
  readonly rules: readonly ItemChange[];
  /** Where each alert goes that is added or changed, or whose receivers move: `name: receivers`. */
  readonly alertReceivers: readonly string[];
  readonly objectives: readonly string[];
  readonly dashboards: readonly ItemChange[];
  readonly datasources: readonly ItemChange[];
  readonly routes: readonly ItemChange[];
  readonly timeIntervals: readonly ItemChange[];
  /** Alerts added or changed whose severity no route reads, and where they go. */
  readonly unrouted: readonly string[];
  /** What reviewers should know that does not change the verdict: a route that stops alerts above the severity routes. */
  readonly warnings: readonly string[];
  /** Inside each changed ConfigMap's config files, the keys whose values change, by resource. */
  readonly configValues: Readonly<Record<string, readonly string[]>>;
  /** Secrets whose content changes, by path: `Secret ns/name key`, or a secret config key. Never values. */
  readonly secrets: readonly string[];
  /** The stack-config keys that change. */
  readonly configKeys: readonly string[];
}

const flowKey = (f: Flow) => JSON.stringify([f.from, f.to, f.ports]);

function flowDiff(before: readonly Flow[] | undefined, after: readonly Flow[] | undefined) {
  if (before === undefined || after === undefined) {
    return { opened: [], closed: [] };
  }
  const [old, now] = [new Set(before.map(flowKey)), new Set(after.map(flowKey))];
  return {
    opened: after.filter((f) => !old.has(flowKey(f))),
    closed: before.filter((f) => !now.has(flowKey(f))),
  };
}

/** A duration such as 7d, 168h, 1h30m, in seconds; sizes such as 40GB in bytes. */
function magnitude(text: string): number {
  const units: Readonly<Record<string, number>> = {
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
    B: 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KiB: 2 ** 10,
    MiB: 2 ** 20,
    GiB: 2 ** 30,
    TiB: 2 ** 40,
  };
  return [...text.matchAll(/([0-9.]+)([a-zA-Z]+)/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * (units[unit] ?? NaN),
    0,
  );
}

/** How long (or how much) each store keeps, read from the rendered workloads and config files. */
function retentionsOf(snapshot: Snapshot): Map<string, string> {
  const found = new Map<string, string>();
  for (const r of snapshot.resources.values()) {
    const object = r.object;
    if (object?.kind === "StatefulSet" && object.metadata.name === "prometheus") {
      const containers = ((((object.spec as Json).template as Json).spec as Json).containers ?? []) as Json[];
      for (const arg of containers.flatMap((c) => (c.args ?? []) as string[])) {
        const match = /^--storage\.tsdb\.retention\.(time|size)=(.+)$/.exec(arg);
        if (match !== null) found.set(`Prometheus retention ${match[1]}`, match[2]);
      }
    }
    const data = (object?.kind === "ConfigMap" ? (object.data ?? {}) : {}) as Record<string, string>;
    if (data["loki.yaml"] !== undefined) {
      const loki = yaml.load(data["loki.yaml"]) as Json;
      const period = (loki.limits_config as Json | undefined)?.retention_period;
      if (typeof period === "string") found.set("Loki retention", period);
    }
    if (data["tempo.yaml"] !== undefined) {
      const tempo = yaml.load(data["tempo.yaml"]) as Json;
      const kept = ((tempo.compactor as Json | undefined)?.compaction as Json | undefined)?.block_retention;
      if (typeof kept === "string") found.set("Tempo retention", kept);
    }
  }
  return found;
}

/** Loki's replicas and replication factor, as rendered. */
function lokiReplication(snapshot: Snapshot): { replicas: number; factor: number } | undefined {
  const sts = snapshot.resources.get("StatefulSet observability/loki")?.object;
  const config = [...snapshot.resources.values()].find(
    (r) => r.object?.metadata.name === "loki-config",
  )?.object;
  if (sts === undefined || config === undefined) return undefined;
  const loki = yaml.load(((config.data ?? {}) as Record<string, string>)["loki.yaml"] ?? "{}") as Json;
  const factor = Number(((loki.common as Json | undefined)?.replication_factor as number | undefined) ?? 1);
  return { replicas: Number((sts.spec as Json).replicas ?? 1), factor };
}

/** Data the stores stop keeping: a retention cut, replicas removed faster than the replication factor allows. */
function keptDataAtRisk(before: Snapshot, after: Snapshot): Risk[] {
  const [old, now] = [retentionsOf(before), retentionsOf(after)];
  const cuts = [...now].flatMap(([what, value]): Risk[] => {
    const previous = old.get(what);
    return previous !== undefined && magnitude(value) < magnitude(previous)
      ? [{ subject: what, why: `${what} is cut from ${previous} to ${value}: what is older is deleted` }]
      : [];
  });
  // A push succeeds once a majority of the factor's replicas hold the line, so a line is sure to be
  // on that many only: removing as many replicas at once may remove every copy not yet in storage.
  const [a, b] = [lokiReplication(before), lokiReplication(after)];
  const quorum = a === undefined ? 0 : Math.floor(a.factor / 2) + 1;
  const replicas =
    a !== undefined && b !== undefined && a.replicas - b.replicas >= quorum
      ? [
          {
            subject: "StatefulSet observability/loki",
            why: `Loki goes from ${a.replicas} to ${b.replicas} replicas in one update; a line is written to ${a.factor} and acknowledged by ${quorum}, so lines not yet flushed to object storage may have every copy on the replicas removed, whose write-ahead logs are never replayed`,
          },
        ]
      : [];
  return [...cuts, ...replicas];
}

/** Config flattened to key paths (`observability:metrics.retentionTime`) → a value, or `secret <digest>`. */
export type ConfigKeys = Readonly<Record<string, string>>;

const secretDigest = (text: string) =>
  `secret ${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;

function flatten(
  value: unknown,
  at: string,
  keys: Record<string, string>,
  secret: (v: unknown) => string | undefined,
): void {
  const hidden = secret(value);
  if (hidden !== undefined) {
    keys[at] = hidden;
  } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    Object.entries(value as Json).forEach(([k, v]) => flatten(v, `${at}.${k}`, keys, secret));
  } else {
    keys[at] = JSON.stringify(value);
  }
}

/** A stack file's `observability:` keys, a secret as a digest of its ciphertext. */
export function stackFileKeys(text: string): ConfigKeys {
  const doc = (yaml.load(text) ?? {}) as { config?: Json };
  const keys: Record<string, string> = {};
  const secure = (value: unknown) => {
    const entries = value !== null && typeof value === "object" ? Object.entries(value as Json) : [];
    return entries.length === 1 && entries[0][0] === "secure"
      ? secretDigest(String(entries[0][1]))
      : undefined;
  };
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (key.startsWith("observability:")) flatten(value, key, keys, secure);
  }
  return keys;
}

/**
 * Config as Pulumi hands it to a program (`namespace:key` → JSON text), every value under a secret
 * key hidden: Pulumi marks a structured key secret as a whole when any value in it is.
 */
export function pulumiConfigKeys(
  config: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
): ConfigKeys {
  const keys: Record<string, string> = {};
  for (const [key, text] of Object.entries(config)) {
    if (!key.startsWith("observability:")) continue;
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // A plain string, as the CLI stores one.
    }
    flatten(value, key, keys, (v) =>
      secretKeys.includes(key) && typeof v !== "object" ? secretDigest(shown(v)) : undefined,
    );
  }
  return keys;
}

const isSecret = (value: string | undefined) => value?.startsWith("secret ") === true;

/**
 * Whether a key's value changes. A value hidden on one side only (its key became secret, or stopped
 * being) is compared hidden on both, so that a key made secret for another value's sake is unchanged.
 */
function keyChanged(before: string | undefined, after: string | undefined): boolean {
  if (before === undefined || after === undefined || isSecret(before) === isSecret(after)) {
    return before !== after;
  }
  const hide = (plain: string) => secretDigest(shown(JSON.parse(plain)));
  return isSecret(before) ? before !== hide(after) : hide(before) !== after;
}

/** Secret objects whose keys change, by path only. */
function secretChanges(before: Snapshot, after: Snapshot): string[] {
  return [...after.resources.values()].flatMap((now): string[] => {
    if (now.object?.kind !== "Secret") return [];
    const old = before.resources.get(now.key);
    const payload = (r: typeof now | undefined) => ({
      ...((r?.registration.inputs.data ?? {}) as Json),
      ...((r?.registration.inputs.stringData ?? {}) as Json),
    });
    return changedPaths(payload(old), payload(now)).map((key) => `${now.key} ${key}`);
  });
}

/** Reviews the change from `before` to `after` of one stack, whose config keys are `keys` at each. */
export function review(
  before: Snapshot,
  after: Snapshot,
  keys: { readonly before: ConfigKeys; readonly after: ConfigKeys },
): Review {
  const [oldKeys, newKeys] = [keys.before, keys.after];
  const configKeys = [...new Set([...Object.keys(oldKeys), ...Object.keys(newKeys)])]
    .sort()
    .filter((key) => keyChanged(oldKeys[key], newKeys[key]));
  const secretKeys = configKeys.filter((key) => isSecret(oldKeys[key]) || isSecret(newKeys[key]));
  const base = {
    stack: after.stack,
    configKeys,
    secrets: secretKeys,
    resources: [],
    rollouts: [],
    reloads: [],
    flowsOpened: [],
    flowsClosed: [],
    rules: [],
    alertReceivers: [],
    objectives: [],
    dashboards: [],
    datasources: [],
    routes: [],
    timeIntervals: [],
    unrouted: [],
    atRisk: [],
    warnings: [],
    configValues: {},
  };
  if (after.refused !== undefined) {
    return { ...base, verdict: "refused", refused: after.refused };
  }
  const resources = resourceChanges(before, after);
  const rolled = rollouts(before, after, resources);
  const flows = flowDiff(before.flows, after.flows);
  const policies = POLICIES.flatMap((policy) =>
    policy
      .check(
        [...after.resources.values()].map((r) => ({
          type: r.registration.type,
          props: r.registration.inputs,
          protect: r.registration.protect,
        })),
      )
      .map((problem) => `policy ${policy.name}: ${problem}`),
  );
  const refused = [
    ...resources
      .filter((r) => r.refused === true)
      .map(
        (r) =>
          `${r.key} is protected, and the update would ${r.change === "deleted" ? "delete" : "replace"} it: Pulumi refuses, and the update stops there`,
      ),
    ...recreatedUnderNewUrn(resources),
    ...policies,
  ];
  const atRisk: Risk[] = [...objectsAtRisk(before, after, resources), ...keptDataAtRisk(before, after)];
  const verdict: Verdict =
    refused.length > 0
      ? "refused"
      : atRisk.length > 0
        ? "data at risk"
        : resources.some((r) => r.change === "replaced" && !CONTENT_KINDS.has(r.key.split(" ")[0]))
          ? "replaced"
          : rolled.length > 0
            ? "rolls"
            : resources.length > 0
              ? "no restart"
              : "nothing";
  const rules = ruleChanges(before, after);
  return {
    ...base,
    verdict,
    refused,
    atRisk,
    resources,
    rollouts: rolled,
    reloads: reloads(after, resources, rolled),
    flowsOpened: flows.opened,
    flowsClosed: flows.closed,
    rules,
    alertReceivers: alertDestinations(before, after, rules),
    unrouted: unroutedSeverities(after, rules),
    objectives: objectiveChanges(before, after),
    dashboards: dashboardChanges(before, after),
    datasources: datasourceChanges(before, after),
    routes: routeChanges(before, after),
    timeIntervals: timeIntervalChanges(before, after),
    warnings: stoppingRoutes(before, after),
    configValues: configFileChanges(before, after, resources),
    secrets: [...secretChanges(before, after), ...secretKeys],
  };
}

/**
 * Whether the review lets the change through: nothing refused, and every risk acknowledged by its
 * subject (`--accept 'StatefulSet observability/loki'`).
 */
export function passes(reviewed: Review, accepted: readonly string[]): boolean {
  return reviewed.refused.length === 0 && reviewed.atRisk.every((risk) => accepted.includes(risk.subject));
}
