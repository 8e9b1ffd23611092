import { latencySources, perService, quantile } from "../../common/httpSources";
import { RATE_INTERVAL, prom } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/**
 * The quantile from each service's sidecar (when meshed), else its own histogram, else its span
 * metrics, read raw for exemplars.
 */
const latencyQuantile = (q: number, mesh: boolean) =>
  perService(latencySources(mesh), (s) => quantile(s, q, RATE_INTERVAL, { services: SERVICE_MATCHER }));

/**
 * RED of every service from the Metrics component's recording rules (service:*), which pick each service's
 * own source (components/common/httpSources.ts).
 */
export const serviceOverview = defineDashboard(
  { uid: "obs-service-overview", title: "Service Overview" },
  (config) => ({
    description: `RED per service, from ${config.mesh.istio.enabled ? "its Istio sidecar when meshed, else " : ""}its own HTTP metric or else its span metrics: request rate, 4xx and 5xx errors, p50/p95/p99 latency where a histogram exists (exemplars to traces), average and, for Spring, maximum latency.`,
    tags: ["observability", "services", "red"],
    variables: [SERVICE_VARIABLE],
    panels: [
      timeSeries({
        title: "Request rate",
        queries: [prom(`sum by (service) (service:http_requests:rate5m{${SERVICE_MATCHER}})`, "{{service}}")],
        unit: "reqps",
      }),
      timeSeries({
        title: "5xx ratio",
        queries: [
          prom(`sum by (service) (service:http_errors:ratio_rate5m{${SERVICE_MATCHER}})`, "{{service}}"),
        ],
        unit: "percentunit",
      }),
      timeSeries({
        title: "4xx rate",
        queries: [
          prom(`sum by (service) (service:http_client_errors:rate5m{${SERVICE_MATCHER}})`, "{{service}}"),
        ],
        unit: "reqps",
      }),
      timeSeries({
        title: "Latency p50 / p95 / p99 (histograms)",
        description:
          "From the service's own histogram, else the collector's span metrics. A Spring service publishes a histogram only with percentiles-histogram on (the app ConfigMap sets it).",
        queries: [
          prom(latencyQuantile(0.5, config.mesh.istio.enabled), "p50 {{service}}", { exemplar: true }),
          prom(latencyQuantile(0.95, config.mesh.istio.enabled), "p95 {{service}}", { exemplar: true }),
          prom(latencyQuantile(0.99, config.mesh.istio.enabled), "p99 {{service}}", { exemplar: true }),
        ],
        unit: "s",
      }),
      timeSeries({
        title: "Latency average (_sum / _count)",
        description: "Every service with a duration metric, histogram or not (Spring's defaults print none).",
        queries: [
          prom(`service:http_request_duration_seconds:avg_rate5m{${SERVICE_MATCHER}}`, "avg {{service}}"),
        ],
        unit: "s",
      }),
      timeSeries({
        title: "Latency maximum (Micrometer _max)",
        description:
          "Spring (Micrometer) services only: Micrometer's _max gauge (largest request of a rolling window); no other framework prints a maximum.",
        queries: [prom(`service:http_request_duration_seconds:max{${SERVICE_MATCHER}}`, "max {{service}}")],
        unit: "s",
      }),
    ],
  }),
);
