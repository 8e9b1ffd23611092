// The backtest as a reviewer reads it, under the review: per changed alert, how often it would have
// fired before and after the change and where it would have gone; per moved SLO budget, what it
// would have left.
import type { Format } from "../format";
import type { Episode } from "./alertEpisodes";
import type { AlertHistory, BudgetSide, SideHistory, StackHistory } from "./backtest";

const when = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");

/** `2d 3h`, `2h 10m`, `45m`, `30s`: the two largest units. */
export function spanText(seconds: number): string {
  const units: [string, number][] = [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let left = Math.round(seconds);
  for (const [unit, size] of units) {
    const count = Math.floor(left / size);
    if (count > 0 && parts.length < 2) parts.push(`${count}${unit}`);
    if (parts.length > 0) left -= count * size;
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? "0s" : parts.join(" ");
}

const episodeText = (e: Episode) =>
  `${when(e.firedAt)} – ${e.ongoing ? "still firing at the end" : when(e.resolvedAt)}`;

/** One side of an alert, in words: episodes, time firing, first and last, where they went. */
export function sideText(side: SideHistory): string {
  switch (side.kind) {
    case "absent":
      return "no such rule";
    case "cannot":
      return `cannot backtest: ${side.why}`;
    default: {
      const { episodes } = side;
      const evaluated = side.fromRules.length === 0 ? "" : ` (${side.fromRules.join(", ")} from their rules)`;
      if (episodes.length === 0) return `never fired${evaluated}`;
      const firing = episodes.reduce((sum, e) => sum + (e.resolvedAt - e.firedAt), 0);
      const [first, last] = [episodes[0], episodes[episodes.length - 1]];
      const went = [...side.receivers].map(([to, count]) => `${count} to ${to}`).join("; ");
      return (
        [
          `${episodes.length} firing episode${episodes.length === 1 ? "" : "s"}, ${spanText(firing)} in all`,
          episodes.length === 1
            ? `${episodeText(first)}`
            : `first ${episodeText(first)}, last ${episodeText(last)}`,
          ...(went === "" ? [] : [went]),
        ].join("; ") + evaluated
      );
    }
  }
}

const budgetText = (side: BudgetSide): string => {
  switch (side.kind) {
    case "absent":
      return "no such rule";
    case "cannot":
      return `cannot backtest: ${side.why}`;
    default:
      return side.last === undefined
        ? "no value in the period"
        : `${side.last.value.toFixed(3)} left at the end, lowest ${side.lowest!.value.toFixed(3)} (${when(side.lowest!.at)})`;
  }
};

const alertLines = (a: AlertHistory): string[] => [
  `${a.name} (${a.change})`,
  `  before: ${sideText(a.before)}`,
  `  after: ${sideText(a.after)}`,
  ...a.gaps.map((g) => `  gap: ${when(g.from)} – ${when(g.to)}, no samples of ${g.missing.join(", ")}`),
  ...(a.gapsUntold === undefined ? [] : [`  gaps not looked for: ${a.gapsUntold}`]),
];

/** One stack's backtest, as lines under the review. */
export function historyLines(history: StackHistory, format: Format): string[] {
  const md = format === "markdown";
  const days = Math.round((history.period.end - history.period.start) / 86400);
  const title = `History of ${history.stack}: the ${days} days to ${when(history.period.end)} UTC from ${history.source}`;
  const note =
    "Each rule evaluated at its group's interval with its for and keep_firing_for, and routed by each side's Alertmanager routes; silences and inhibitions are not modelled, so a firing counted here may have been silenced or inhibited.";
  const item = (line: string) => (md ? (line.startsWith("  ") ? `  - ${line.trim()}` : `- ${line}`) : line);
  const lines = [md ? `### ${title}` : `== ${title} ==`, ...(md ? [""] : []), note, ...(md ? [""] : [])];
  if (history.alerts.length === 0 && history.budgets.length === 0)
    lines.push(item("no alert or SLO budget changes"));
  for (const alert of history.alerts) lines.push(...alertLines(alert).map(item));
  for (const objective of history.objectives) lines.push(item(`objective ${objective}`));
  for (const b of history.budgets) {
    lines.push(
      item(b.budget),
      item(`  before: ${budgetText(b.before)}`),
      item(`  after: ${budgetText(b.after)}`),
    );
  }
  for (const skipped of history.skipped) lines.push(item(`not backtested: ${skipped}`));
  const { requests, seconds } = history.requests;
  lines.push(
    item(`${requests} request${requests === 1 ? "" : "s"} to the history in ${seconds.toFixed(1)} s`),
  );
  return [...lines, ""];
}

/** A stack's history section when the source could not be read: the review stands, without it. */
export function historyUnread(stack: string, url: string, reason: string, format: Format): string[] {
  const title = `History of ${stack}: not read from ${url}`;
  return [
    format === "markdown" ? `### ${title}` : `== ${title} ==`,
    ...(format === "markdown" ? [""] : []),
    reason,
    "",
  ];
}
