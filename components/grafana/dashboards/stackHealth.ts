import { RATE_INTERVAL, prom } from "../dashboard/model";
import { table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";

/** A line per counter, named by its key: its per-second rate summed over every replica. */
const perSecond = (counters: Readonly<Record<string, string>>) =>
  Object.entries(counters).map(([legend, counter]) =>
    prom(`sum(rate(${counter}[${RATE_INTERVAL}]))`, legend),
  );

/** Ingestion and errors of every component of the stack itself. */
export const stackHealth = defineDashboard({ uid: "obs-stack-health", title: "Stack health" }, () => ({
  description:
    "Ingestion and errors of Prometheus, Loki, Tempo, the OpenTelemetry Collector and Alloy, and Loki's canary; the series each scrape job and metric adds.",
  tags: ["observability", "self-monitoring"],
  panels: [
    table({
      title: "Targets down",
      queries: [prom('up{tier="observability"} == 0')],
      width: 24,
      height: 5,
    }),
    timeSeries({
      title: "Prometheus samples / s",
      queries: perSecond({ samples: "prometheus_tsdb_head_samples_appended_total" }),
      unit: "ops",
    }),
    timeSeries({
      title: "Prometheus active series",
      queries: [prom("sum(prometheus_tsdb_head_series)", "series")],
    }),
    table({
      title: "Series by job (top 15)",
      description:
        "Samples each job's targets had at their last scrape after metric relabelling, the most first. Each target is refused past its sample_limit (ScrapeSampleLimitExceeded), and a refused one is counted with what it would have stored.",
      queries: [prom("topk(15, sum by (job) (scrape_samples_post_metric_relabeling))", "samples")],
    }),
    table({
      title: "Series by metric (top 15)",
      description:
        "Series Prometheus holds now per metric name, the most first: where a growing job's series come from. It reads every series, so it is a table of now, not a graph over time.",
      queries: [prom('topk(15, count by (__name__) ({__name__=~".+"}))', "series")],
    }),
    timeSeries({
      title: "Loki lines received / s",
      queries: perSecond({ lines: "loki_distributor_lines_received_total" }),
      unit: "ops",
    }),
    timeSeries({
      title: "Loki 5xx responses / s",
      queries: [
        prom(
          `sum by (route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[${RATE_INTERVAL}]))`,
          "{{route}}",
        ),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "Tempo spans received / s",
      queries: perSecond({ spans: "tempo_distributor_spans_received_total" }),
      unit: "ops",
    }),
    timeSeries({
      title: "Collector spans accepted / refused",
      queries: perSecond({
        accepted: "otelcol_receiver_accepted_spans_total",
        refused: "otelcol_receiver_refused_spans_total",
        "export failed": "otelcol_exporter_send_failed_spans_total",
      }),
      unit: "ops",
    }),
    timeSeries({
      title: "Alloy lines sent / dropped",
      queries: perSecond({
        sent: "loki_write_sent_entries_total",
        dropped: "loki_write_dropped_entries_total",
      }),
      unit: "ops",
    }),
    timeSeries({
      title: "Loki canary lines per 5 min",
      description:
        "Lines Loki's canary wrote to its stdout, and of those: late (not back on its tail within a minute), missing (not in Loki 10 minutes later), duplicated.",
      queries: Object.entries({
        written: "loki_canary_entries_total",
        late: "loki_canary_websocket_missing_entries_total",
        missing: "loki_canary_missing_entries_total",
        duplicate: "loki_canary_duplicate_entries_total",
      }).map(([legend, counter]) => prom(`sum(increase(${counter}[5m]))`, legend)),
    }),
    timeSeries({
      title: "Alertmanager notifications failed",
      queries: [
        prom(
          `sum by (integration) (rate(alertmanager_notifications_failed_total[${RATE_INTERVAL}]))`,
          "{{integration}}",
        ),
      ],
      unit: "ops",
    }),
  ],
}));
