// The incidents a backtest of the review is tried on, and what each edited alert must have done
// over them, computed by hand: the same cases against Prometheus (tests/servers/reviewHistory)
// and against Thanos Query over the bucket (tests/servers/thanosRuler).
import type { PulumiConfig } from "../../config";
import type { AlertHistory, StackHistory } from "../../review/history/backtest";
import type { HistoryFamily } from "./metricHistory";
import { configSetJson } from "./userEdits";

const MINUTE_S = 60;
const DAY_S = 86400;

/** An incident: from `start` (Unix seconds, on a minute) for `minutes`, at `level`. */
export type Incident = readonly [start: number, minutes: number, level: number];

/** A gauge at `base`, at each incident's level from its start for its minutes. */
export function gauge(
  name: string,
  labels: Record<string, string>,
  base: number,
  incidents: readonly Incident[] = [],
): HistoryFamily {
  return {
    name,
    type: "gauge",
    series: [labels],
    value: (_i, t) =>
      incidents.find(([start, minutes]) => t >= start && t < start + minutes * MINUTE_S)?.[2] ?? base,
  };
}

/** The incidents of a history that ends at `end` (on a minute), days before it. */
export function backtestIncidents(end: number) {
  const at = (daysBefore: number) => end - daysBefore * DAY_S;
  return {
    // NodeFileDescriptorsNearLimit (> 0.9 of 1000 for 15m; the edit: > 0.8): 30 minutes at 0.85, an hour at 0.95.
    filefd: [
      [at(10), 30, 850],
      [at(5), 60, 950],
    ] as readonly Incident[],
    // NodeConntrackNearlyFull (> 0.75 of 1000 for 5m; the edit: for 30m): 3, 10 and 45 minutes at 0.8.
    conntrack: [
      [at(12), 3, 800],
      [at(8), 10, 800],
      [at(3), 45, 800],
    ] as readonly Incident[],
    // PendingPods (> 0 for 10m; the edit switches it off): 20 minutes, and 5.
    pending: [
      [at(9), 20, 1],
      [at(2), 5, 1],
    ] as readonly Incident[],
    // The team's QueueBacklogHigh (> 100 for 5m, keep_firing_for 10m): 20 minutes, 4 below, 10 more.
    queue: [
      [at(6), 20, 150],
      [at(6) + 24 * MINUTE_S, 10, 150],
    ] as readonly Incident[],
  };
}

const NODE = { instance: "node-a:9100", job: "node-exporter" };

/** The series the four edited alerts read, with the incidents of a history that ends at `end`. */
export function backtestFamilies(end: number): HistoryFamily[] {
  const incidents = backtestIncidents(end);
  return [
    gauge("node_filefd_maximum", NODE, 1000),
    gauge("node_filefd_allocated", NODE, 500, incidents.filefd),
    gauge("node_nf_conntrack_entries_limit", NODE, 1000),
    gauge("node_nf_conntrack_entries", NODE, 300, incidents.conntrack),
    gauge(
      "kube_pod_status_phase",
      { namespace: "shop", pod: "cart-0", phase: "Pending" },
      0,
      incidents.pending,
    ),
    gauge("queue_depth", { queue: "orders" }, 10, incidents.queue),
  ];
}

const TEAM_RULES = `groups:
  - name: team-queues
    rules:
      - alert: QueueBacklogHigh
        expr: queue_depth > 100
        for: 5m
        keep_firing_for: 10m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.queue }} backs up"
`;

/** A threshold lowered, a for lengthened, an alert switched off and a team's rule file added. */
export function withAlertEdits(config: PulumiConfig): PulumiConfig {
  const edited = configSetJson(config, "metrics.alerts.overrides", {
    NodeFileDescriptorsNearLimit: { threshold: 0.8 },
    NodeConntrackNearlyFull: { for: "30m" },
  });
  return configSetJson(
    configSetJson(edited, "metrics.alerts.disabled", ["PendingPods"]),
    "metrics.extraRuleFiles",
    [{ name: "team-queues.yaml", content: TEAM_RULES }],
  );
}

/** An episode as [Unix seconds it fired, minutes it fired], or "absent" for a side without the rule. */
export type Expected = readonly (readonly [number, number])[] | "absent";

/** What each edited alert fired before and after the edits, over the incidents of `end`'s history. */
export function expectedEpisodes(end: number): Record<string, { before: Expected; after: Expected }> {
  const { filefd, conntrack, pending, queue } = backtestIncidents(end);
  const after = (incident: Incident, minutes: number) => incident[0] + minutes * MINUTE_S;
  return {
    // Fires 15 minutes into each run above its threshold, resolves when the run ends.
    NodeFileDescriptorsNearLimit: {
      before: [[after(filefd[1], 15), 45]],
      after: [
        [after(filefd[0], 15), 15],
        [after(filefd[1], 15), 45],
      ],
    },
    // The 3-minute run never fires; with for 30m neither does the 10-minute one.
    NodeConntrackNearlyFull: {
      before: [
        [after(conntrack[1], 5), 5],
        [after(conntrack[2], 5), 40],
      ],
      after: [[after(conntrack[2], 30), 15]],
    },
    PendingPods: { before: [[after(pending[0], 10), 10]], after: "absent" },
    // One episode through the 4-minute dip: resolved 10 minutes after the second run ends, at 44.
    QueueBacklogHigh: { before: "absent", after: [[after(queue[0], 5), 39]] },
  };
}

/** The one alert of that name the backtest tells. */
export function alertNamed(history: StackHistory, alert: string): AlertHistory {
  const found = history.alerts.filter((a) => a.name.includes(`: alert ${alert} (`));
  if (found.length !== 1) {
    throw new Error(`${found.length} alerts named ${alert}: ${history.alerts.map((a) => a.name).join(", ")}`);
  }
  return found[0];
}

/** What a side of the backtest told, as the expectations are written. */
export function told(side: AlertHistory["before"]): Expected | `cannot: ${string}` {
  if (side.kind === "absent") return "absent";
  if (side.kind === "cannot") return `cannot: ${side.why}`;
  return side.episodes.map((e) => [e.firedAt, (e.resolvedAt - e.firedAt) / MINUTE_S] as const);
}
