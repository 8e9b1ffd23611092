import { ScrapeConfig } from "./prometheusTypes";

/** Label every target carries: `app` for the observed services, `observability` for the stack itself. */
export const TIER_LABEL = "tier";

/**
 * The scrape jobs Prometheus runs. Each component registers its own targets here (before the
 * MetricsStack renders prometheus.yml) instead of editing one central function.
 */
export class ScrapeRegistry {
  private readonly registered: ScrapeConfig[] = [];

  register(...jobs: readonly ScrapeConfig[]): this {
    for (const job of jobs) {
      if (this.registered.some((existing) => existing.job_name === job.job_name)) {
        throw new Error(`Scrape job ${job.job_name} is registered twice`);
      }
      this.registered.push(job);
    }
    return this;
  }

  /** The jobs in registration order. */
  jobs(): readonly ScrapeConfig[] {
    return [...this.registered];
  }
}

/**
 * Scrapes every ready pod behind a stack Service, found through EndpointSlices, so each replica
 * is a target of its own rather than whichever one the Service load-balances to.
 */
export function serviceScrapeJob(args: {
  readonly job: string;
  readonly namespace: string;
  readonly service: string;
  readonly portName: string;
  readonly metricsPath?: string;
  /** Keep the metric's own `namespace`/`pod` labels (exporters about other objects, e.g. kube-state-metrics). */
  readonly honorLabels?: boolean;
}): ScrapeConfig {
  return {
    job_name: args.job,
    ...(args.honorLabels === true ? { honor_labels: true } : {}),
    ...(args.metricsPath === undefined ? {} : { metrics_path: args.metricsPath }),
    kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: [args.namespace] } }],
    relabel_configs: [
      {
        source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
        regex: `${args.service};${args.portName}`,
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
