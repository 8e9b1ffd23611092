import { RATE_INTERVAL, prom } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";

/** The service graph and RED from span metrics (the collector's connectors). */
export const tracing = defineDashboard({ uid: "obs-tracing", title: "Tracing" }, () => ({
  description: "Service graph and span-metric RED from every span the collector received (before sampling).",
  tags: ["observability", "tracing"],
  panels: [
    {
      type: "nodeGraph",
      title: "Service graph",
      queries: [{ kind: "tempo-service-map" }],
      width: 24,
      height: 12,
    },
    timeSeries({
      title: "Calls by service",
      queries: [
        prom(
          `sum by (service_name) (rate(traces_spanmetrics_calls_total[${RATE_INTERVAL}]))`,
          "{{service_name}}",
        ),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "Error spans by service",
      queries: [
        prom(
          `sum by (service_name) (rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR"}[${RATE_INTERVAL}]))`,
          "{{service_name}}",
        ),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "Span p95 by service",
      queries: [
        prom(
          `histogram_quantile(0.95, sum by (service_name, le) (rate(traces_spanmetrics_duration_seconds_bucket[${RATE_INTERVAL}])))`,
          "{{service_name}}",
          { exemplar: true },
        ),
      ],
      unit: "s",
    }),
    timeSeries({
      title: "Calls between services",
      queries: [
        prom(
          `sum by (client, server) (rate(traces_service_graph_request_total[${RATE_INTERVAL}]))`,
          "{{client}} → {{server}}",
        ),
      ],
      unit: "ops",
    }),
  ],
}));
