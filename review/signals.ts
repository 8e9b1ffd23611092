// What a change does to what people see and are paged by: alert and recording rules, dashboards,
// Grafana's datasources and Alertmanager's routes, each read back from the rendered config files.
import * as yaml from "js-yaml";
import { routed, routesInWords, severityRoutes } from "../config/alerting/severities";
import { alertReceivers, fixedLabels } from "./alertReceivers";
import { sameValue } from "./objects";
import { Resource, Snapshot } from "./snapshot";

type Json = Readonly<Record<string, unknown>>;

/** One item added, removed or changed, with the fields that changed. */
export interface ItemChange {
  readonly name: string;
  readonly change: "added" | "removed" | "changed";
  readonly fields: readonly string[];
}

/** Items by name before and after, compared field by field. */
function compareItems(before: ReadonlyMap<string, Json>, after: ReadonlyMap<string, Json>): ItemChange[] {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  return names.flatMap((name): ItemChange[] => {
    const [old, now] = [before.get(name), after.get(name)];
    if (old === undefined) return [{ name, change: "added", fields: [] }];
    if (now === undefined) return [{ name, change: "removed", fields: [] }];
    const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])]
      .sort()
      .filter((field) => !sameValue(old[field], now[field]));
    return fields.length === 0 ? [] : [{ name, change: "changed", fields }];
  });
}

/** The data of the ConfigMaps of that name (or, with `family`, every name that starts with it), in every namespace. */
export function configMapFiles(snapshot: Snapshot, name: string, family = false): Record<string, string> {
  const found = [...snapshot.resources.values()].filter(
    (r: Resource) =>
      r.object?.kind === "ConfigMap" &&
      (family ? r.object.metadata.name.startsWith(name) : r.object.metadata.name === name),
  );
  return Object.assign({}, ...found.map((r) => (r.object?.data ?? {}) as Record<string, string>)) as Record<
    string,
    string
  >;
}

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels?: Json;
  readonly annotations?: Json;
}

const FIRST_TOLD = ["sloth_severity", "severity"];
const rank = (label: string) => (FIRST_TOLD.includes(label) ? FIRST_TOLD.indexOf(label) : FIRST_TOLD.length);

/** The fewest labels that tell alerts of one name apart, Sloth's and the severity first. */
function telling(namesakes: readonly Json[]): string[] {
  const differing = [...new Set(namesakes.flatMap((labels) => Object.keys(labels)))]
    .filter((label) => namesakes.some((labels) => labels[label] !== namesakes[0][label]))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const told: string[] = [];
  const distinct = () =>
    new Set(namesakes.map((labels) => JSON.stringify(told.map((label) => labels[label])))).size ===
    namesakes.length;
  for (const label of differing) {
    if (distinct()) break;
    told.push(label);
  }
  return told;
}

/**
 * Every rule of rule files, by `alert Name` / `record name` and group, for one ruler. Alerts of one
 * name in one group (a rule at two thresholds, Sloth's page and ticket) are told apart by the
 * labels in which they differ: `alert X [sloth_severity=page]`.
 */
function rulesOf(files: Readonly<Record<string, string>>, server: string): Map<string, Json> {
  const found: [string, Json][] = [];
  for (const [file, text] of Object.entries(files)) {
    const parsed = yaml.load(text) as
      | { groups?: { name: string; interval?: string; labels?: Json; rules: Rule[] }[] }
      | undefined;
    for (const group of parsed?.groups ?? []) {
      for (const rule of group.rules) {
        const name = rule.alert === undefined ? `record ${rule.record ?? "?"}` : `alert ${rule.alert}`;
        const labels: Json = { ...group.labels, ...rule.labels };
        found.push([
          `${server}: ${name} (${file}, group ${group.name})`,
          {
            alert: rule.alert,
            record: rule.record,
            expr: rule.expr,
            for: rule.for,
            keep_firing_for: rule.keep_firing_for,
            interval: group.interval,
            severity: labels.severity,
            labels,
          },
        ]);
      }
    }
  }
  const rules = new Map<string, Json>();
  for (const [key, rule] of found) {
    const namesakes = found.filter(([other]) => other === key).map(([, r]) => r.labels as Json);
    const labels = rule.labels as Readonly<Record<string, string | undefined>>;
    const told = telling(namesakes).map((label) => `${label}=${labels[label] ?? ""}`);
    rules.set(told.length === 0 ? key : `${key} [${told.join(", ")}]`, rule);
  }
  return rules;
}

/**
 * Prometheus', Thanos Ruler's (the windows longer than Prometheus keeps) and Loki's rules, by
 * `Prometheus: alert Name (file, group g)`.
 */
export const allRules = (s: Snapshot) =>
  new Map([
    ...rulesOf(configMapFiles(s, "prometheus-rules"), "Prometheus"),
    ...rulesOf(configMapFiles(s, "thanos-ruler-rules"), "Thanos Ruler"),
    ...rulesOf(configMapFiles(s, "loki-rules"), "Loki"),
  ]);

/** Every rule that is added, removed or changed (expression, `for`, severity, labels). */
export function ruleChanges(before: Snapshot, after: Snapshot): ItemChange[] {
  return compareItems(allRules(before), allRules(after));
}

/** The stack's alertmanager.yml, parsed, if it has one. */
export function alertmanagerYml(snapshot: Snapshot): Json | undefined {
  const text = configMapFiles(snapshot, "alertmanager-config")["alertmanager.yml"];
  return text === undefined ? undefined : (yaml.load(text) as Json);
}

/** Where each alert of the snapshot goes, by its name in `allRules`. */
function destinations(snapshot: Snapshot): Map<string, string> {
  const config = alertmanagerYml(snapshot);
  if (config === undefined) return new Map();
  return new Map(
    [...allRules(snapshot)]
      .filter(([, rule]) => rule.alert !== undefined)
      .map(([name, rule]) => [
        name,
        alertReceivers(config, fixedLabels(String(rule.alert), rule.labels as Json)),
      ]),
  );
}

/**
 * Where each alert goes that the change adds or changes, or whose receivers the change moves
 * (`was → is`): the receivers Alertmanager's routes send it to.
 */
export function alertDestinations(before: Snapshot, after: Snapshot, rules: readonly ItemChange[]): string[] {
  const [old, now] = [destinations(before), destinations(after)];
  const touched = new Set(rules.filter((rule) => rule.change !== "removed").map((rule) => rule.name));
  return [...now]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .filter(([name, receivers]) => touched.has(name) || (old.has(name) && old.get(name) !== receivers))
    .map(([name, receivers]) =>
      touched.has(name) || old.get(name) === receivers
        ? `${name}: ${receivers}`
        : `${name}: ${old.get(name)!} → ${receivers}`,
    );
}

/**
 * Each alert the change adds or changes whose severity no route of Alertmanager reads, with where it
 * goes instead (Sloth's page to the critical receiver, alerting.otherSeverities' last route, or the
 * root's receiver, which notifies no one) and the routes that exist.
 */
export function unroutedSeverities(after: Snapshot, rules: readonly ItemChange[]): string[] {
  const config = alertmanagerYml(after);
  if (config === undefined) return [];
  const children = ((config.route as Json).routes as { receiver: string; matchers?: string[] }[]).map(
    (r) => ({
      receiver: r.receiver,
      matchers: r.matchers ?? [],
    }),
  );
  const routes = severityRoutes(children);
  const severities = allRules(after);
  const goes = destinations(after);
  return rules
    .filter((rule) => rule.change !== "removed" && rule.name.includes(": alert "))
    .flatMap((rule) => {
      const severity = severities.get(rule.name)?.severity as string | undefined;
      if (severity !== undefined && (severity.includes("{{") || routed(severity, routes))) return [];
      return [
        `${rule.name}: severity ${severity === undefined ? "(none)" : JSON.stringify(severity)} is read by no route, so it goes to ${goes.get(rule.name)!}; the routes read ${routesInWords(routes)}`,
      ];
    });
}

/** The SLO objectives the rules record (`slo:objective:ratio`), by SLO, that change. */
export function objectiveChanges(before: Snapshot, after: Snapshot): string[] {
  const objectives = (s: Snapshot) => {
    const found = new Map<string, string>();
    const metricRules = ["prometheus-rules", "thanos-ruler-rules"].flatMap((map) =>
      Object.values(configMapFiles(s, map)),
    );
    for (const text of metricRules) {
      const parsed = yaml.load(text) as { groups?: { rules: Rule[] }[] } | undefined;
      for (const rule of (parsed?.groups ?? []).flatMap((g) => g.rules)) {
        if (rule.record?.includes(":objective") === true) {
          const labels = Object.entries(rule.labels ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(",");
          found.set(`${rule.record}{${labels}}`, rule.expr);
        }
      }
    }
    return found;
  };
  const [old, now] = [objectives(before), objectives(after)];
  return [...new Set([...old.keys(), ...now.keys()])]
    .sort()
    .filter((key) => old.get(key) !== now.get(key))
    .map((key) => `${key}: ${old.get(key) ?? "none"} → ${now.get(key) ?? "none"}`);
}

interface Panel {
  readonly title?: string;
  readonly panels?: Panel[];
  readonly targets?: { readonly expr?: string }[];
}

/** A dashboard's panels by title, each with its queries. */
function panelsOf(board: Json): Map<string, Json> {
  const panels = new Map<string, Json>();
  const visit = (list: readonly Panel[]) => {
    for (const panel of list) {
      if (panel.panels !== undefined) visit(panel.panels);
      panels.set(panel.title ?? "(untitled)", { queries: (panel.targets ?? []).map((t) => t.expr ?? "") });
    }
  };
  visit((board.panels ?? []) as Panel[]);
  return panels;
}

/** Dashboards added, removed or changed, by uid; for a changed one its panels and other fields that change. */
export function dashboardChanges(before: Snapshot, after: Snapshot): ItemChange[] {
  const boards = (s: Snapshot) =>
    new Map(
      Object.values(configMapFiles(s, "grafana-dashboards", true)).map((text) => {
        const board = JSON.parse(text) as Json;
        return [String(board.uid), board] as const;
      }),
    );
  const [old, now] = [boards(before), boards(after)];
  const titled = (uid: string) => `${String((now.get(uid) ?? old.get(uid))?.title)} (${uid})`;
  return compareItems(old, now).map((change) => {
    if (change.change !== "changed") return { ...change, name: titled(change.name) };
    const [was, is] = [old.get(change.name) ?? {}, now.get(change.name) ?? {}];
    const panels = compareItems(panelsOf(was), panelsOf(is)).map(
      (panel) => `panel ${panel.name} ${panel.change}`,
    );
    const others = change.fields
      .filter((field) => field !== "panels")
      .map((field) => (field === "title" ? `title was ${String(was.title)}` : field));
    const layout = change.fields.includes("panels") && panels.length === 0 ? ["panel layout"] : [];
    return { ...change, name: titled(change.name), fields: [...others, ...panels, ...layout] };
  });
}

/** Grafana's provisioned datasources added, removed or changed, by name. */
export function datasourceChanges(before: Snapshot, after: Snapshot): ItemChange[] {
  const datasources = (s: Snapshot) => {
    const text = configMapFiles(s, "grafana-provisioning")["datasources.yaml"];
    const parsed = (text === undefined ? {} : yaml.load(text)) as { datasources?: Json[] };
    return new Map((parsed.datasources ?? []).map((d) => [String(d.name), d]));
  };
  return compareItems(datasources(before), datasources(after));
}

/** Alertmanager's routes, flattened: each route's path of matchers, the receiver it ends at. */
function routesOf(snapshot: Snapshot): Map<string, Json> {
  const text = configMapFiles(snapshot, "alertmanager-config")["alertmanager.yml"];
  const routes = new Map<string, Json>();
  const visit = (route: Json, path: string) => {
    for (const [i, child] of ((route.routes ?? []) as Json[]).entries()) {
      // A route is known by its matchers, so that one inserted before it does not rename it.
      const matchers = ((child.matchers ?? []) as string[]).join(", ") || "every alert";
      const at = routes.has(`${path} > ${matchers}`)
        ? `${path} > ${matchers} (route ${i})`
        : `${path} > ${matchers}`;
      routes.set(at, {
        receiver: child.receiver,
        continue: child.continue ?? false,
        group_by: child.group_by,
        repeat_interval: child.repeat_interval,
        mute_time_intervals: child.mute_time_intervals,
        active_time_intervals: child.active_time_intervals,
      });
      visit(child, at);
    }
  };
  if (text !== undefined) {
    const root = ((yaml.load(text) as Json).route ?? {}) as Json;
    routes.set("root", { receiver: root.receiver, group_by: root.group_by });
    visit(root, "root");
  }
  return routes;
}

/** Alertmanager's routes added, removed or changed (receiver, continue, grouping, repeat, time intervals). */
export function routeChanges(before: Snapshot, after: Snapshot): ItemChange[] {
  return compareItems(routesOf(before), routesOf(after));
}

/** Alertmanager's time intervals by name, each period (`period 1`…) a field. */
function timeIntervalsOf(snapshot: Snapshot): Map<string, Json> {
  const text = configMapFiles(snapshot, "alertmanager-config")["alertmanager.yml"];
  const intervals = ((text === undefined ? {} : (yaml.load(text) as Json)).time_intervals ?? []) as Json[];
  return new Map(
    intervals.map((interval) => [
      String(interval.name),
      Object.fromEntries(
        ((interval.time_intervals ?? []) as Json[]).map((period, i) => [`period ${i + 1}`, period]),
      ),
    ]),
  );
}

/** Alertmanager's time intervals added, removed or changed, naming the periods that change. */
export function timeIntervalChanges(before: Snapshot, after: Snapshot): ItemChange[] {
  return compareItems(timeIntervalsOf(before), timeIntervalsOf(after));
}

/** The platform's severity routes: each severity to its own receiver. */
const isSeverityRoute = (route: Json) =>
  ["critical", "warning"].includes(String(route.receiver)) &&
  JSON.stringify(route.matchers) === JSON.stringify([`severity="${String(route.receiver)}"`]);

/**
 * Routes this change adds or changes that take alerts for good above the severity routes: without
 * `continue`, what they match never reaches the platform's critical and warning receivers below.
 * One sentence each, naming what it stops. An SLO's own alert, sent to the receivers the SLO names,
 * and the Watchdog's are meant to stop where they are.
 */
export function stoppingRoutes(before: Snapshot, after: Snapshot): string[] {
  const topRoutes = (snapshot: Snapshot): Json[] => {
    const text = configMapFiles(snapshot, "alertmanager-config")["alertmanager.yml"];
    const root = (text === undefined ? {} : ((yaml.load(text) as Json).route ?? {})) as Json;
    return (root.routes ?? []) as Json[];
  };
  const routes = topRoutes(after);
  const known = new Set(topRoutes(before).map((route) => JSON.stringify(route)));
  const severity = routes.filter(isSeverityRoute);
  const above = routes.slice(0, Math.max(routes.findIndex(isSeverityRoute), 0));
  const matchers = (route: Json) => ((route.matchers ?? []) as string[]).join(", ");
  const ownRoute = (route: Json) =>
    String(route.receiver) === "watchdog" ||
    ((route.matchers ?? []) as string[]).some((m) => m.startsWith('slo="'));
  return above
    .filter((route) => route.continue !== true && !ownRoute(route) && !known.has(JSON.stringify(route)))
    .map(
      (route) =>
        `the route ${matchers(route)} → ${String(route.receiver)} has no continue and sits above the severity routes: every alert it matches stops there and no longer reaches ${severity.map((r) => `${String(r.receiver)} (${matchers(r)})`).join(" or ")}; set continue: true to send them to both`,
    );
}
