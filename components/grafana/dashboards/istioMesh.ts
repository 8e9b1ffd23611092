import { ISTIO_SOURCE, matchingRate, quantile, requestRate } from "../../common/httpSources";
import { DashboardLink, RATE_INTERVAL, VariableSpec, prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";

/** The meshed services: those a sidecar received requests for. */
export const MESH_SERVICE_VARIABLE: VariableSpec = {
  name: "service",
  label: "Service",
  query: 'label_values(istio_requests_total{reporter="destination"}, destination_service_name)',
};

/** Requests the called Service's sidecar received, for the services picked in `$service`, and `extra`. */
export const received = (extra = "") =>
  `istio_requests_total{reporter="destination", destination_service_name=~"$service"${extra === "" ? "" : `, ${extra}`}}`;

const MTLS = 'connection_security_policy="mutual_tls"';
const PICKED = 'service=~"$service"';

/** The pair of a request: the calling app (`unknown` outside the mesh) and the Service it called. */
const PAIR = "source_canonical_service, destination_service_name";
const PAIR_LEGEND = "{{source_canonical_service}} → {{destination_service_name}}";

/** A TCP counter as the caller's sidecar counts it, which sees destinations outside the mesh too. */
const tcp = (metric: string) => `${metric}{reporter="source", destination_service_name=~"$service"}`;

const sumReceived = (by: string, extra = "") => `sum by (${by}) (rate(${received(extra)}[${RATE_INTERVAL}]))`;

const DESTINATION_ONLY =
  "As the called pod's sidecar reports it (reporter=destination): callers outside the mesh included, requests that never reached a pod (no healthy upstream) not.";

/** The mesh dashboard's links: Kiali where people can reach it. */
function kialiLinks(kialiUrl: string | undefined): DashboardLink[] {
  return kialiUrl === undefined ? [] : [{ title: "Kiali", url: kialiUrl }];
}

/**
 * The Istio mesh from its sidecars' standard metrics: who calls whom and how much, success and
 * latency per called Service (the definitions the SLOs use), TCP connections, and mTLS coverage.
 */
const requests = requestRate(ISTIO_SOURCE, RATE_INTERVAL, PICKED);
const failed = matchingRate(ISTIO_SOURCE, ISTIO_SOURCE.errors, RATE_INTERVAL, PICKED);

export const istioMesh = defineDashboard({ uid: "obs-istio-mesh", title: "Istio Mesh" }, (config) => ({
  description:
    "Requests between services as Istio's sidecars measure them: volume by caller and callee, success rate and latency per called Service, TCP connections, and the share of requests protected by mutual TLS.",
  tags: ["observability", "mesh", "istio"],
  variables: [MESH_SERVICE_VARIABLE],
  links: kialiLinks(config.kialiUrl),
  panels: [
    statTile({
      title: "mTLS coverage",
      description: `Share of requests received over mutual TLS (connection_security_policy="mutual_tls"). ${DESTINATION_ONLY} The caller's sidecar cannot tell, and reports unknown.`,
      expr: `sum(rate(${received(MTLS)}[${RATE_INTERVAL}])) / sum(rate(${received()}[${RATE_INTERVAL}]))`,
      unit: "percentunit",
      width: 8,
    }),
    statTile({
      title: "Requests / s",
      description: DESTINATION_ONLY,
      expr: `sum(rate(${received()}[${RATE_INTERVAL}]))`,
      unit: "reqps",
      sparkline: true,
      width: 8,
    }),
    statTile({
      title: "Success rate",
      description: `Requests neither 5xx nor a failed gRPC status, as the SLOs count them. ${DESTINATION_ONLY}`,
      expr: `1 - sum(${failed}) / sum(${requests})`,
      unit: "percentunit",
      width: 8,
    }),
    timeSeries({
      title: "Request volume by source → destination",
      description: DESTINATION_ONLY,
      queries: [prom(sumReceived(PAIR), PAIR_LEGEND)],
      unit: "reqps",
      width: 24,
    }),
    timeSeries({
      title: "Success rate by destination",
      description: `Share of each called Service's requests that were neither 5xx nor a failed gRPC status (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). ${DESTINATION_ONLY}`,
      queries: [prom(`1 - ${failed} / ${requests}`, "{{service}}")],
      unit: "percentunit",
    }),
    timeSeries({
      title: "Latency by destination",
      description: `p50, p95 and p99 of istio_request_duration_milliseconds, in seconds. ${DESTINATION_ONLY}`,
      queries: [0.5, 0.95, 0.99].map((q) =>
        prom(quantile(ISTIO_SOURCE, q, RATE_INTERVAL, { services: PICKED }), `p${q * 100} {{service}}`),
      ),
      unit: "s",
    }),
    table({
      title: "mTLS by source → destination",
      description: `Share of each pair's requests over mutual TLS: 0 is a plaintext pair. ${DESTINATION_ONLY}`,
      queries: [
        prom(`(${sumReceived(PAIR, MTLS)} or 0 * ${sumReceived(PAIR)}) / ${sumReceived(PAIR)}`, PAIR_LEGEND),
      ],
    }),
    timeSeries({
      title: "TCP connections opened and closed",
      description:
        "Per second, as the caller's sidecar reports them (reporter=source), which sees destinations outside the mesh (databases) too.",
      queries: [
        prom(
          `sum by (${PAIR}) (rate(${tcp("istio_tcp_connections_opened_total")}[${RATE_INTERVAL}]))`,
          `opened ${PAIR_LEGEND}`,
        ),
        prom(
          `sum by (${PAIR}) (rate(${tcp("istio_tcp_connections_closed_total")}[${RATE_INTERVAL}]))`,
          `closed ${PAIR_LEGEND}`,
        ),
      ],
      unit: "ops",
    }),
    timeSeries({
      title: "TCP connections open",
      description: "Opened minus closed since each sidecar started, by caller and callee (reporter=source).",
      queries: [
        prom(
          `sum by (${PAIR}) (${tcp("istio_tcp_connections_opened_total")}) - sum by (${PAIR}) (${tcp("istio_tcp_connections_closed_total")})`,
          PAIR_LEGEND,
        ),
      ],
      unit: "short",
    }),
  ],
}));
