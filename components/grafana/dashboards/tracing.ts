import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";

/** The service graph and RED from span metrics (the collector's connectors). */
export const tracing: DashboardDefinition = {
  uid: "obs-tracing",
  title: "Tracing",
  content: () => ({
    description:
      "Service graph and span-metric RED from every span the collector received (before sampling).",
    tags: ["observability", "tracing"],
    panels: [
      panel("nodeGraph", "Service graph", [{ kind: "tempo-service-map" }], { width: 24, height: 12 }),
      panel(
        "timeseries",
        "Calls by service",
        [
          prom(
            `sum by (service_name) (rate(traces_spanmetrics_calls_total[${RATE_INTERVAL}]))`,
            "{{service_name}}",
          ),
        ],
        {
          unit: "ops",
        },
      ),
      panel(
        "timeseries",
        "Error spans by service",
        [
          prom(
            `sum by (service_name) (rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR"}[${RATE_INTERVAL}]))`,
            "{{service_name}}",
          ),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Span p95 by service",
        [
          prom(
            `histogram_quantile(0.95, sum by (service_name, le) (rate(traces_spanmetrics_duration_seconds_bucket[${RATE_INTERVAL}])))`,
            "{{service_name}}",
            { exemplar: true },
          ),
        ],
        { unit: "s" },
      ),
      panel(
        "timeseries",
        "Calls between services",
        [
          prom(
            `sum by (client, server) (rate(traces_service_graph_request_total[${RATE_INTERVAL}]))`,
            "{{client}} → {{server}}",
          ),
        ],
        { unit: "ops" },
      ),
    ],
  }),
};
