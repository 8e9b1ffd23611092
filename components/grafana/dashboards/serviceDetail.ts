import { RATE_INTERVAL, prom } from "../dashboard/model";
import { table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { slos } from "./slos";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

const MICROMETER_ONLY =
  "Spring (Micrometer) services only: other frameworks label endpoints differently (prom-client `path`, OpenTelemetry `http_route`) or not at all (client_golang's promhttp); Service Overview covers every service.";

/**
 * One service by endpoint, from Micrometer's labels: its panels say so, as other frameworks label
 * endpoints differently.
 */
export const serviceDetail = defineDashboard({ uid: "obs-service-detail", title: "Service Detail" }, () => ({
  description: "One service: rate, errors and latency per URI and method, and the error budgets of its SLOs.",
  tags: ["observability", "services"],
  variables: [{ ...SERVICE_VARIABLE, multi: false }],
  panels: [
    timeSeries({
      title: "Requests by endpoint",
      description: MICROMETER_ONLY,
      queries: [
        prom(
          `sum by (method, uri) (rate(http_server_requests_seconds_count{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
          "{{method}} {{uri}}",
        ),
      ],
      unit: "reqps",
    }),
    timeSeries({
      title: "Errors by endpoint",
      description: MICROMETER_ONLY,
      queries: [
        prom(
          `sum by (method, uri, status) (rate(http_server_requests_seconds_count{${SERVICE_MATCHER}, status=~"[45].."}[${RATE_INTERVAL}]))`,
          "{{status}} {{method}} {{uri}}",
        ),
      ],
      unit: "reqps",
    }),
    timeSeries({
      title: "p95 by endpoint",
      description: `${MICROMETER_ONLY} Needs percentiles-histogram (the app ConfigMap sets it).`,
      queries: [
        prom(
          `histogram_quantile(0.95, sum by (method, uri, le) (rate(http_server_requests_seconds_bucket{${SERVICE_MATCHER}}[${RATE_INTERVAL}])))`,
          "{{method}} {{uri}}",
          { exemplar: true },
        ),
      ],
      unit: "s",
    }),
    timeSeries({
      title: "Error budget remaining of its SLOs",
      description:
        "Its HTTP availability and latency SLOs and the metrics.slos entries labelled with its service: the share of each compliance window's error budget left (1 untouched, 0 spent). The SLOs dashboard has their SLIs, burn rates and time to exhaustion.",
      queries: [
        prom(`service:slo_availability:error_budget_remaining{${SERVICE_MATCHER}}`, "availability"),
        prom(`service:slo_latency:error_budget_remaining{${SERVICE_MATCHER}}`, "latency"),
        prom(`slo:error_budget_remaining:ratio{${SERVICE_MATCHER}}`, "{{slo}}"),
      ],
      unit: "percentunit",
      links: [{ title: "SLOs", url: `/d/${slos.uid}?var-service=\${__field.labels.service}` }],
    }),
    table({
      title: "Status codes",
      description: MICROMETER_ONLY,
      queries: [
        prom(
          `sum by (status) (increase(http_server_requests_seconds_count{${SERVICE_MATCHER}}[1h]))`,
          "{{status}}",
        ),
      ],
    }),
  ],
}));
