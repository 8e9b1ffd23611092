import { alertFactory } from "../common/alertFactory";
import { ISTIO_SOURCE, matchingRate, quantile, requestRate } from "../common/httpSources";
import { RuleGroup } from "../common/prometheusTypes";
import { ISTIO_JOBS } from "./istioTargets";

/** The destination workload beside its Service: one Service's pods of several Deployments apart. */
const WORKLOAD = ["destination_workload_namespace", "destination_workload"];

/**
 * What `mesh.istio` adds beside the per-service series (which take a meshed service's sidecar
 * first, httpSources.ts): the same RED per destination workload, and alerts on the mesh's
 * scraping and control plane.
 */
export function meshRuleGroups(runbookBaseUrl: string): RuleGroup[] {
  const alert = alertFactory(runbookBaseUrl);
  return [
    {
      name: "mesh-red",
      rules: [
        { record: "workload:istio_requests:rate5m", expr: requestRate(ISTIO_SOURCE, "5m", "", WORKLOAD) },
        {
          record: "workload:istio_errors:ratio_rate5m",
          expr: `${matchingRate(ISTIO_SOURCE, ISTIO_SOURCE.errors, "5m", "", WORKLOAD)} / workload:istio_requests:rate5m`,
        },
        {
          record: "workload:istio_request_duration_seconds:p99_rate5m",
          expr: quantile(ISTIO_SOURCE, 0.99, "5m", { by: WORKLOAD }),
        },
      ],
    },
    {
      name: "mesh",
      rules: [
        // A target gone from discovery reports no `up`: ServiceDown and PlatformTargetDown cannot see it.
        alert(
          "IstioSidecarsMissing",
          "warning",
          `absent(up{job="${ISTIO_JOBS.proxies}"})`,
          "15m",
          "No Istio sidecar is scraped in the meshed namespaces",
          "Prometheus has discovered no pod with an istio-proxy container (port http-envoy-prom) in mesh.istio.namespaces for 15 minutes: the sidecars' RED and SLO signals, the Istio Mesh dashboard and Kiali have no data.",
        ),
        alert(
          "IstiodTargetMissing",
          "warning",
          `absent(up{job="${ISTIO_JOBS.istiod}"})`,
          "15m",
          "istiod has disappeared from Prometheus' discovery",
          "No endpoint of an istiod Service with the port http-monitoring has been discovered in mesh.istio.istiodNamespace for 15 minutes: the control plane's metrics are not collected.",
        ),
        // istiod creates the counter at its first reject: a series new in the window counts whole.
        alert(
          "IstioConfigRejected",
          "warning",
          "sum by (pod, type) ((increase(pilot_total_xds_rejects[10m]) > 0) or (pilot_total_xds_rejects unless pilot_total_xds_rejects offset 10m)) > 0",
          undefined,
          "Sidecars reject the {{ $labels.type }} configuration {{ $labels.pod }} pushes",
          "{{ $value | humanize }} {{ $labels.type }} pushes were rejected by sidecars in 10 minutes: they keep their previous configuration, so the latest routing or policy change does not apply to them.",
        ),
      ],
    },
  ];
}
