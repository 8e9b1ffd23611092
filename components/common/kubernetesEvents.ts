/**
 * The Kubernetes events' streams in Loki, as the event collector (components/logs/eventCollector.ts)
 * labels them and the dashboards select them: `job`, the namespace of the object the event is
 * about, and its kind, name, reason and type (Normal or Warning). The line is the event in logfmt.
 */
export const KUBERNETES_EVENTS = {
  job: "kubernetes-events",
  /** Read from the line into labels; `namespace` is the collector's own label. */
  labels: ["kind", "name", "reason", "type"],
} as const;

/** The stream selector of the events about the objects the matchers select: `kind="Pod", name=~"$pod"`. */
export const eventsSelector = (...matchers: readonly string[]): string =>
  `{${[`job="${KUBERNETES_EVENTS.job}"`, ...matchers].join(", ")}}`;
