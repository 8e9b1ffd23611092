import { ISTIO_SOURCE, MICROMETER_SOURCE, quantile } from "../../common/httpSources";
import { ENDPOINT_P95, ENDPOINT_REQUESTS } from "../../common/recordedSeries";
import { PanelSpec, RATE_INTERVAL, prom } from "../dashboard/model";
import { table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { istioMesh, received } from "./istioMesh";
import { slos } from "./slos";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

const MICROMETER_ONLY =
  "Spring (Micrometer) services only: other frameworks label endpoints differently (prom-client `path`, OpenTelemetry `http_route`) or not at all (client_golang's promhttp); Service Overview covers every service. Read from the series the recording rules write every evaluation over 5-minute windows, so a month answers as fast as an hour.";

/** The raw histogram a user explores for another quantile or for exemplars (which recorded series do not carry). */
const RAW_ENDPOINT_LATENCY = quantile(MICROMETER_SOURCE, 0.99, "5m", {
  by: ["method", "uri"],
  services: 'service="<service>"',
});

const MESHED_ONLY =
  "Meshed services only (mesh.istio): what the service's Istio sidecar received (reporter=destination), whatever the app's framework.";

/** A meshed service as its sidecar sees it: who calls it, how it answers, how fast. */
const sidecarPanels: PanelSpec[] = [
  timeSeries({
    title: "Requests by caller (sidecar)",
    description: MESHED_ONLY,
    queries: [
      prom(
        `sum by (source_canonical_service) (rate(${received()}[${RATE_INTERVAL}]))`,
        "{{source_canonical_service}}",
      ),
    ],
    unit: "reqps",
  }),
  timeSeries({
    title: "Responses by code (sidecar)",
    description: `${MESHED_ONLY} gRPC calls answer HTTP 200 and carry their status in grpc_response_status.`,
    queries: [
      prom(
        `sum by (response_code, grpc_response_status) (rate(${received()}[${RATE_INTERVAL}]))`,
        "{{response_code}} {{grpc_response_status}}",
      ),
    ],
    unit: "reqps",
  }),
  timeSeries({
    title: "Latency p95 by caller (sidecar)",
    description: MESHED_ONLY,
    queries: [
      prom(
        quantile(ISTIO_SOURCE, 0.95, RATE_INTERVAL, {
          services: SERVICE_MATCHER,
          by: ["source_canonical_service"],
        }),
        "{{source_canonical_service}}",
      ),
    ],
    unit: "s",
  }),
];

/**
 * One service by endpoint, from Micrometer's labels: its panels say so, as other frameworks label
 * endpoints differently; with `mesh.istio`, by caller and status from its sidecar too.
 */
export const serviceDetail = defineDashboard(
  { uid: "obs-service-detail", title: "Service Detail" },
  (config) => ({
    description:
      "One service: rate, errors and latency per URI and method, and the error budgets of its SLOs.",
    tags: ["observability", "services"],
    variables: [{ ...SERVICE_VARIABLE, multi: false, includeAll: false }],
    ...(config.mesh.istio.enabled ? { links: [istioMesh] } : {}),
    panels: [
      timeSeries({
        title: "Requests by endpoint",
        description: MICROMETER_ONLY,
        queries: [
          prom(`sum by (method, uri) (${ENDPOINT_REQUESTS}{${SERVICE_MATCHER}})`, "{{method}} {{uri}}"),
        ],
        unit: "reqps",
      }),
      timeSeries({
        title: "Errors by endpoint",
        description: MICROMETER_ONLY,
        queries: [
          prom(
            `sum by (method, uri, status) (${ENDPOINT_REQUESTS}{${SERVICE_MATCHER}, status=~"[45].."})`,
            "{{status}} {{method}} {{uri}}",
          ),
        ],
        unit: "reqps",
      }),
      timeSeries({
        title: "p95 by endpoint",
        description: `${MICROMETER_ONLY} Needs percentiles-histogram (the app ConfigMap sets it). Another quantile, or the exemplars that link a slow request to its trace: Explore, with Exemplars on, ${RAW_ENDPOINT_LATENCY}; it reads every bucket of the service's pods, so keep its range to hours.`,
        queries: [prom(`${ENDPOINT_P95}{${SERVICE_MATCHER}}`, "{{method}} {{uri}}")],
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
            `sum by (status) (avg_over_time(${ENDPOINT_REQUESTS}{${SERVICE_MATCHER}}[1h])) * 3600`,
            "{{status}}",
          ),
        ],
      }),
      ...(config.mesh.istio.enabled ? sidecarPanels : []),
    ],
  }),
);
