// A review in one sentence, worst first: what a table row of edits says about each stack.
import { shown } from "./objects";
import { Review } from "./review";

const CONFIG_KINDS = new Set(["ConfigMap", "Secret"]);
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

const kindOf = (key: string) => key.split(" ")[0];

/** Up to `shown` items, then how many more. */
function listed(items: readonly string[], shown = 3): string {
  const rest = items.length - shown;
  return rest > 0 ? `${items.slice(0, shown).join(", ")} and ${rest} more` : items.join(", ");
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The first clause of a sentence: the part before its explanation. */
const clause = (text: string) => text.split(/: |; /)[0];

/** What the review says, as one line of clauses separated by semicolons. */
export function summary(r: Review): string {
  if (r.verdict === "refused") {
    return r.refused.map(clause).join("; ");
  }
  const changes = (change: string) => r.resources.filter((c) => c.change === change);
  const replaced = changes("replaced").filter((c) => !CONFIG_KINDS.has(kindOf(c.key)));
  const configReplaced = changes("replaced").filter((c) => CONFIG_KINDS.has(kindOf(c.key)));
  const created = changes("created");
  const deleted = changes("deleted");
  const workloads = (list: typeof created) =>
    list.filter((c) => WORKLOADS.has(kindOf(c.key))).map((c) => c.key);
  const reloaded = [
    ...new Set(
      r.reloads.flatMap((reload) =>
        reload.readers.filter((reader) => reader.takes === "live").map((reader) => reader.workload),
      ),
    ),
  ];
  const ruleChanges = (change: string) => r.rules.filter((rule) => rule.change === change).length;
  const rules = ["added", "changed", "removed"]
    .filter((change) => ruleChanges(change) > 0)
    .map((change) => `${ruleChanges(change)} ${change}`);
  const rolling = new Set(r.rollouts.map((w) => w.key));
  const updated = changes("updated").filter((c) => !rolling.has(c.key));
  const scaled = updated.flatMap((c) => {
    const replicas = c.values?.["spec.replicas"];
    return replicas === undefined ? [] : [`${c.key} ${shown(replicas[0] ?? 1)} → ${shown(replicas[1] ?? 1)}`];
  });
  const grown = updated.flatMap((c) => {
    const size = c.values?.["spec.resources.requests.storage"];
    return size === undefined
      ? []
      : [`${c.key.replace(/^PersistentVolumeClaim /, "")} ${shown(size[0])} → ${shown(size[1])}`];
  });
  const verb = (items: readonly string[], one: string, many: string) =>
    `${listed(items)} ${items.length === 1 ? one : many}`;
  const clauses = [
    ...r.atRisk.map((risk) => clause(risk.why)),
    replaced.length > 0 ? `${listed(replaced.map((c) => c.key))} replaced` : "",
    r.rollouts.length > 0
      ? verb(
          r.rollouts.map((w) => w.key),
          "rolls",
          "roll",
        )
      : "",
    scaled.length > 0 ? `scaled: ${listed(scaled)}` : "",
    grown.length > 0 ? `claims resized in place: ${listed(grown)}` : "",
    reloaded.length > 0 ? verb(reloaded, "reloads without a restart", "reload without a restart") : "",
    configReplaced.length > 0
      ? `${listed(configReplaced.map((c) => c.key))} replaced with the new content`
      : "",
    created.length > 0
      ? `${plural(created.length, "object")} created${workloads(created).length > 0 ? ` (${listed(workloads(created))})` : ""}`
      : "",
    deleted.length > 0
      ? `${plural(deleted.length, "object")} deleted${workloads(deleted).length > 0 ? ` (${listed(workloads(deleted))})` : ""}`
      : "",
    updated.length > scaled.length
      ? `${plural(updated.length - scaled.length, "other object")} updated in place`
      : "",
    r.flowsOpened.length > 0 ? `${plural(r.flowsOpened.length, "flow")} opened` : "",
    r.flowsClosed.length > 0 ? `${plural(r.flowsClosed.length, "flow")} closed` : "",
    rules.length > 0 ? `rules ${rules.join(", ")}` : "",
    r.dashboards.length > 0
      ? `${plural(r.dashboards.length, "dashboard")} ${listed([...new Set(r.dashboards.map((d) => d.change))])}`
      : "",
    r.datasources.length > 0
      ? `datasources: ${listed(r.datasources.map((d) => `${d.name} ${d.change}`))}`
      : "",
    r.routes.length > 0 ? `${plural(r.routes.length, "Alertmanager route")} changed` : "",
    r.timeIntervals.length > 0
      ? `${plural(r.timeIntervals.length, "Alertmanager time interval")} ${listed([...new Set(r.timeIntervals.map((t) => t.change))])}`
      : "",
    r.secrets.length > 0 ? `secret paths changed: ${listed(r.secrets)}` : "",
  ].filter((text) => text !== "");
  return clauses.length === 0 ? "nothing changes" : clauses.join("; ");
}
