// Where an Istio mesh publishes its metrics, as Istio's docs ("Prometheus" integration) and its
// charts set it up: each sidecar's Envoy on :15090/stats/prometheus (the istio-proxy container's
// port `http-envoy-prom`), and with metrics merging (the injector's default) the agent on
// :15020/stats/prometheus, serving its own, Envoy's and the app's metrics together, which the
// injector points the pod's `prometheus.io/*` annotations at; istiod on its Service's port
// `http-monitoring` (15014).
import { StackConfig } from "../../config";
import { RelabelConfig, ScrapeConfig } from "../common/prometheusTypes";
import { TIER_LABEL, podIdentityRelabels } from "../common/scrapeJobs";
import { appTier, notRunning, podServiceRelabels } from "./prometheusConfig";

export const ISTIO_PORTS = {
  /** The agent's merged endpoint. */
  agent: 15020,
  /** Envoy's own endpoint. */
  envoy: 15090,
  /** istiod's monitoring port. */
  istiod: 15014,
} as const;

const METRICS_PATH = "/stats/prometheus";
const ENVOY_PORT_NAME = "http-envoy-prom";

/** The jobs' names, which the mesh alerts select by. */
export const ISTIO_JOBS = { proxies: "istio-proxies", istiod: "istiod" } as const;

const annotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;

/**
 * Every sidecar and gateway of the meshed namespaces, once per pod (the target of its
 * `http-envoy-prom` container port): at the merged endpoint the injector annotated (metrics
 * merging), else at Envoy's own. Labelled like an annotated pod, `tier="app"`: with merging the
 * target is the app's metrics endpoint too. Istio's own labels (`reporter`, `source_*`,
 * `destination_*`, …), which the rules and Kiali read, are the series' and untouched.
 */
export function istioProxiesJob(namespaces: readonly string[]): ScrapeConfig {
  return {
    job_name: ISTIO_JOBS.proxies,
    metrics_path: METRICS_PATH,
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: namespaces } }],
    relabel_configs: [
      {
        source_labels: ["__meta_kubernetes_pod_container_port_name"],
        regex: ENVOY_PORT_NAME,
        action: "keep",
      },
      notRunning,
      {
        source_labels: ["__address__", annotation("port"), annotation("path")],
        regex: `([^:]+)(?::\\d+)?;(\\d+);${METRICS_PATH}`,
        replacement: "$1:$2",
        target_label: "__address__",
      },
      ...podServiceRelabels,
      ...podIdentityRelabels,
      appTier,
    ],
  };
}

/** istiod (any revision, `istiod-<revision>`) in its namespace, a platform target. */
export function istiodJob(namespace: string): ScrapeConfig {
  return {
    job_name: ISTIO_JOBS.istiod,
    kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: [namespace] } }],
    relabel_configs: [
      {
        source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
        regex: "istiod(-.+)?;http-monitoring",
        action: "keep",
      },
      ...podIdentityRelabels,
      { target_label: TIER_LABEL, replacement: "kubernetes" },
    ],
  };
}

/**
 * For the annotated-pods job: the merged endpoints of injected pods (the injector's annotation
 * `sidecar.istio.io/status` and its `prometheus.io/path`) in `namespaces`, which istioProxiesJob
 * scrapes. An injected pod whose annotations still name the app's own endpoint (merging off) stays
 * that job's.
 */
export function mergedSidecarsDropped(namespaces: readonly string[]): RelabelConfig {
  return {
    source_labels: [
      "__meta_kubernetes_namespace",
      "__meta_kubernetes_pod_annotationpresent_sidecar_istio_io_status",
      annotation("path"),
    ],
    regex: `(${namespaces.join("|")});true;${METRICS_PATH}`,
    action: "drop",
  };
}

/** The mesh's scrape jobs with `mesh.istio` on: its sidecars and istiod. */
export function istioJobs(mesh: StackConfig["mesh"]): ScrapeConfig[] {
  return mesh.istio.enabled
    ? [istioProxiesJob(mesh.istio.namespaces), istiodJob(mesh.istio.istiodNamespace)]
    : [];
}
