import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";

/** Ingestion and errors of every component of the stack itself. */
export const stackHealth: DashboardDefinition = {
  uid: "obs-stack-health",
  title: "Stack health",
  content: () => ({
    description: "Ingestion and errors of Prometheus, Loki, Tempo, the OpenTelemetry Collector and Alloy.",
    tags: ["observability", "self-monitoring"],
    panels: [
      panel("table", "Targets down", [prom('up{tier="observability"} == 0', undefined, { instant: true })], {
        width: 24,
        height: 5,
      }),
      panel(
        "timeseries",
        "Prometheus samples / s",
        [prom(`sum(rate(prometheus_tsdb_head_samples_appended_total[${RATE_INTERVAL}]))`, "samples")],
        {
          unit: "ops",
        },
      ),
      panel("timeseries", "Prometheus active series", [prom("sum(prometheus_tsdb_head_series)", "series")]),
      panel(
        "timeseries",
        "Loki lines received / s",
        [prom(`sum(rate(loki_distributor_lines_received_total[${RATE_INTERVAL}]))`, "lines")],
        {
          unit: "ops",
        },
      ),
      panel(
        "timeseries",
        "Loki 5xx responses / s",
        [
          prom(
            `sum by (route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[${RATE_INTERVAL}]))`,
            "{{route}}",
          ),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Tempo spans received / s",
        [prom(`sum(rate(tempo_distributor_spans_received_total[${RATE_INTERVAL}]))`, "spans")],
        {
          unit: "ops",
        },
      ),
      panel(
        "timeseries",
        "Collector spans accepted / refused",
        [
          prom(`sum(rate(otelcol_receiver_accepted_spans_total[${RATE_INTERVAL}]))`, "accepted"),
          prom(`sum(rate(otelcol_receiver_refused_spans_total[${RATE_INTERVAL}]))`, "refused"),
          prom(`sum(rate(otelcol_exporter_send_failed_spans_total[${RATE_INTERVAL}]))`, "export failed"),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Alloy lines sent / dropped",
        [
          prom(`sum(rate(loki_write_sent_entries_total[${RATE_INTERVAL}]))`, "sent"),
          prom(`sum(rate(loki_write_dropped_entries_total[${RATE_INTERVAL}]))`, "dropped"),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Alertmanager notifications failed",
        [
          prom(
            `sum by (integration) (rate(alertmanager_notifications_failed_total[${RATE_INTERVAL}]))`,
            "{{integration}}",
          ),
        ],
        { unit: "ops" },
      ),
    ],
  }),
};
