import { prom } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/**
 * RED of every service from the Metrics component's recording rules (service:*), which pick each service's
 * own source (components/common/httpSources.ts).
 */
export const serviceOverview = defineDashboard(
  { uid: "obs-service-overview", title: "Service Overview" },
  (config) => ({
    description: `RED per service, from ${config.mesh.istio.enabled ? "its Istio sidecar when meshed, else " : ""}its own HTTP metric or else its span metrics: request rate, 4xx and 5xx errors, p50/p95/p99 latency where a histogram exists, average and, for Spring, maximum latency. Every panel reads the series the recording rules write every evaluation, so a month answers as fast as an hour.`,
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
          "From the service's own histogram, else the collector's span metrics, over 5-minute windows as the recording rules compute them. A Spring service publishes a histogram only with percentiles-histogram on (the app ConfigMap sets it). Another quantile, or the exemplars that link a slow request to its trace: Explore the raw histogram, as Service Detail's endpoint panel says.",
        queries: (["p50", "p95", "p99"] as const).map((q) =>
          prom(`service:http_request_duration_seconds:${q}_rate5m{${SERVICE_MATCHER}}`, `${q} {{service}}`),
        ),
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
