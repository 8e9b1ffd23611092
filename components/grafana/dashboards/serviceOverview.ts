import { LATENCY_SOURCES, perService, sumRate } from "../../metrics/httpSources";
import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/** The quantile from each service's own histogram, else its span metrics, read raw for exemplars. */
const quantile = (q: number) =>
  perService(
    LATENCY_SOURCES,
    (s) =>
      `histogram_quantile(${q}, ${sumRate(s, `${s.family}_bucket`, [], RATE_INTERVAL, { by: ["le"], services: SERVICE_MATCHER })})`,
  );

/**
 * RED of every service from the MetricsStack's recording rules (service:*), which pick each service's
 * own source (components/metrics/httpSources.ts).
 */
export const serviceOverview: DashboardDefinition = {
  uid: "obs-service-overview",
  title: "Service Overview",
  content: () => {
    const selector = `{${SERVICE_MATCHER}}`;
    return {
      description:
        "RED per service, from its own HTTP metric or else its span metrics: request rate, 4xx and 5xx errors, p50/p95/p99 latency where a histogram exists (exemplars to traces), average and, for Spring, maximum latency.",
      tags: ["observability", "services", "red"],
      variables: [SERVICE_VARIABLE],
      panels: [
        panel(
          "timeseries",
          "Request rate",
          [prom(`sum by (service) (service:http_requests:rate5m${selector})`, "{{service}}")],
          {
            unit: "reqps",
          },
        ),
        panel(
          "timeseries",
          "5xx ratio",
          [prom(`sum by (service) (service:http_errors:ratio_rate5m${selector})`, "{{service}}")],
          {
            unit: "percentunit",
          },
        ),
        panel(
          "timeseries",
          "4xx rate",
          [prom(`sum by (service) (service:http_client_errors:rate5m${selector})`, "{{service}}")],
          { unit: "reqps" },
        ),
        panel(
          "timeseries",
          "Latency p50 / p95 / p99 (histograms)",
          [
            prom(quantile(0.5), "p50 {{service}}", { exemplar: true }),
            prom(quantile(0.95), "p95 {{service}}", { exemplar: true }),
            prom(quantile(0.99), "p99 {{service}}", { exemplar: true }),
          ],
          {
            unit: "s",
            description:
              "From the service's own histogram, else the collector's span metrics. A Spring service publishes a histogram only with percentiles-histogram on (the app ConfigMap sets it).",
          },
        ),
        panel(
          "timeseries",
          "Latency average (_sum / _count)",
          [prom(`service:http_request_duration_seconds:avg_rate5m${selector}`, "avg {{service}}")],
          {
            unit: "s",
            description:
              "Every service with a duration metric, histogram or not (Spring's defaults print none).",
          },
        ),
        panel(
          "timeseries",
          "Latency maximum (Micrometer _max)",
          [prom(`service:http_request_duration_seconds:max${selector}`, "max {{service}}")],
          {
            unit: "s",
            description:
              "Spring (Micrometer) services only: Micrometer's _max gauge (largest request of a rolling window); no other framework prints a maximum.",
          },
        ),
      ],
    };
  },
};
