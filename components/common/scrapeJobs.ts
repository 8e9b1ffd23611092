import { WorkloadSpec, scrapePortName } from "./workloadSpec";
import { ScrapeConfig } from "./prometheusTypes";

/** Label every target carries: `app` for the observed services, `observability` for the stack itself. */
export const TIER_LABEL = "tier";

/**
 * Scrapes every ready pod behind a stack workload's Service on the port its spec marks `scrape`,
 * found through EndpointSlices, so each replica is a target of its own rather than whichever one
 * the Service load-balances to. The job is named after the workload.
 */
export function workloadScrapeJob(
  spec: WorkloadSpec,
  namespace: string,
  options: {
    /** Keep the metric's own `namespace`/`pod` labels (exporters about other objects, e.g. kube-state-metrics). */
    readonly honorLabels?: boolean;
  } = {},
): ScrapeConfig {
  const portName = scrapePortName(spec);
  if (portName === undefined) {
    throw new Error(`workload ${spec.name} has no port marked scrape`);
  }
  return {
    job_name: spec.name,
    ...(options.honorLabels === true ? { honor_labels: true } : {}),
    kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: [namespace] } }],
    relabel_configs: [
      {
        source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
        regex: `${spec.name};${portName}`,
        action: "keep",
      },
      ...podIdentityRelabels,
      { target_label: TIER_LABEL, replacement: "observability" },
    ],
  };
}

/** `namespace`, `pod` and `node` target labels from Kubernetes discovery metadata. */
export const podIdentityRelabels = [
  { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
  { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
  { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
] as const;
