import { SPAN_CALLS, SPAN_P95 } from "../../common/recordedSeries";
import { RATE_INTERVAL, prom } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { DashboardSettings } from "../settings";
import { defineDashboard } from "./definition";

/**
 * The service graph from Istio's sidecars, edge by edge, beside the one from spans: every request
 * the called sidecar received, sampled or not, from callers with or without tracing.
 */
const sidecarGraph = (config: DashboardSettings) =>
  timeSeries({
    title: "Calls between services (Istio sidecars)",
    description:
      "The service graph from istio_requests_total as each called pod's sidecar reports it (reporter=destination); Kiali draws it as a graph.",
    queries: [
      prom(
        `sum by (source_canonical_service, destination_service_name) (rate(istio_requests_total{reporter="destination"}[${RATE_INTERVAL}]))`,
        "{{source_canonical_service}} → {{destination_service_name}}",
      ),
    ],
    unit: "reqps",
    ...(config.kialiUrl === undefined
      ? {}
      : { links: [{ title: "Kiali graph", url: `${config.kialiUrl}/console/graph/namespaces` }] }),
  });

/** The service graph and RED from span metrics (the collector's connectors), and from the sidecars with `mesh.istio`. */
export const tracing = defineDashboard({ uid: "obs-tracing", title: "Tracing" }, (config) => ({
  description:
    "Service graph and span-metric RED from every span the collector received (before sampling); calls, errors and p95 read the series the recording rules write over 5-minute windows. Exemplars, which recorded series do not carry, are on the raw traces_spanmetrics_duration_seconds_bucket in Explore.",
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
      queries: [prom(`sum by (service_name) (${SPAN_CALLS})`, "{{service_name}}")],
      unit: "ops",
    }),
    timeSeries({
      title: "Error spans by service",
      queries: [
        prom(`sum by (service_name) (${SPAN_CALLS}{status_code="STATUS_CODE_ERROR"})`, "{{service_name}}"),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "Span p95 by service",
      queries: [prom(SPAN_P95, "{{service_name}}")],
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
    ...(config.mesh.istio.enabled ? [sidecarGraph(config)] : []),
  ],
}));
