// The review as a reviewer reads it: Markdown for a pull-request comment, plain text for a terminal.
import { Flow, endpointText, portsText } from "../components/common/flow";
import { shown } from "./objects";
import { readerText } from "./rollouts";
import { ItemChange } from "./signals";
import { Review } from "./review";

export type Format = "markdown" | "text";

const FOLDED_AFTER = 12;

const flow = (f: Flow): string =>
  `${endpointText(f.from)} → ${endpointText(f.to)} ${portsText(f.ports)}: ${f.why}`;

const item = (c: ItemChange): string =>
  c.change === "changed" ? `${c.name} changed: ${c.fields.join(", ")}` : `${c.name} ${c.change}`;

/** One stack's review, as lines. */
function stackLines(r: Review, format: Format, accepted: readonly string[]): string[] {
  const md = format === "markdown";
  const heading = (text: string) => (md ? [`#### ${text}`, ""] : [text.toUpperCase()]);
  const code = (text: string) => (md ? `\`${text}\`` : text);
  // A long list folds in a pull-request comment, so the verdict and the risks stay on the first screen.
  const section = (title: string, lines: readonly string[]) =>
    lines.length === 0
      ? []
      : md && lines.length > FOLDED_AFTER
        ? [
            `<details><summary><b>${title}</b> (${lines.length})</summary>`,
            "",
            ...lines.map((line) => `- ${line}`),
            "",
            "</details>",
            "",
          ]
        : [...heading(title), ...lines.map((line) => `- ${line}`), ""];
  const rolling = new Set(r.rollouts.map((w) => w.key));
  // Inside a ConfigMap's files: the keys that change, as they were and will be.
  const inside = (key: string) => {
    const values = r.configValues[key];
    return values === undefined ? "" : ` (${values.join("; ")})`;
  };
  const count = (change: string) => r.resources.filter((c) => c.change === change).length;
  return [
    md ? `### Stack ${code(r.stack)}: ${r.verdict}` : `== stack ${r.stack}: ${r.verdict} ==`,
    "",
    `${count("created")} created, ${count("deleted")} deleted, ${count("updated")} updated in place, ${count("replaced")} replaced; ${r.rollouts.length} workload${r.rollouts.length === 1 ? "" : "s"} roll.`,
    "",
    ...section("Refused (nothing would be deployed)", r.refused),
    ...section(
      "Data at risk",
      r.atRisk.map(
        (risk) =>
          `${risk.why}${accepted.includes(risk.subject) ? " (acknowledged)" : ` (acknowledge with ${code(`--accept '${risk.subject}'`)})`}`,
      ),
    ),
    ...section("Warnings", r.warnings),
    ...section(
      "Replaced",
      r.resources
        .filter((c) => c.change === "replaced")
        .map(
          (c) =>
            `${code(c.key)}: ${(c.replacedBy ?? []).join(", ")} cannot change in place${inside(c.key)}; deleted, then created`,
        ),
    ),
    ...section(
      "Workloads that roll",
      r.rollouts.map((w) => `${code(w.key)}: ${w.because.join("; ")}. ${w.pace}`),
    ),
    ...section(
      "Changed config and the pods that read it",
      r.reloads.map(
        (reload) =>
          `${code(reload.key)}: ${
            reload.readers.length === 0
              ? "no workload of this stack reads it; pods that do see the change when they next start"
              : reload.readers.map(readerText).join("; ")
          }`,
      ),
    ),
    ...section(
      "Created",
      r.resources.filter((c) => c.change === "created").map((c) => code(c.key)),
    ),
    ...section(
      "Deleted",
      r.resources
        .filter((c) => c.change === "deleted")
        .map(
          (c) => `${code(c.key)}${c.retained === true ? " (kept in the cluster: retained on delete)" : ""}`,
        ),
    ),
    ...section(
      "Updated in place (besides the workloads that roll)",
      r.resources
        .filter((c) => c.change === "updated" && !rolling.has(c.key))
        .map((c) => {
          const fields = c.fields.slice(0, 6).map((field) => {
            const value = c.values?.[field];
            return value === undefined ? field : `${field} ${shown(value[0])} → ${shown(value[1])}`;
          });
          return `${code(c.key)}: ${fields.join(", ")}${c.fields.length > 6 ? ", …" : ""}${inside(c.key)}`;
        }),
    ),
    ...section("Network flows opened", r.flowsOpened.map(flow)),
    ...section("Network flows closed", r.flowsClosed.map(flow)),
    ...section("Alerts and recording rules", r.rules.map(item)),
    ...section("Where the alerts go", r.alertReceivers),
    ...section("SLO objectives", r.objectives),
    ...section("Dashboards", r.dashboards.map(item)),
    ...section("Grafana datasources", r.datasources.map(item)),
    ...section("Alertmanager routes", r.routes.map(item)),
    ...section("Alertmanager time intervals", r.timeIntervals.map(item)),
    ...section("Alerts whose severity no route reads", r.unrouted),
    ...section("Secrets (paths only)", r.secrets.map(code)),
    ...section("Stack-config keys", r.configKeys.map(code)),
  ];
}

/** The whole review: every stack, and what blocks the change. */
export function formatReview(
  reviews: readonly Review[],
  format: Format,
  base: string,
  accepted: readonly string[],
): string {
  const title =
    format === "markdown"
      ? [`## What this change does to the running stacks (against ${base})`, ""]
      : [`What this change does to the running stacks (against ${base})`, ""];
  return [...title, ...reviews.flatMap((r) => stackLines(r, format, accepted))].join("\n").trimEnd() + "\n";
}
