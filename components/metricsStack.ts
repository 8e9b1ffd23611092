import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { deployAlertmanager } from "./metrics/alertmanagerWorkload";
import { datastoreScrapeJobs, deployDatastoreExporters } from "./metrics/datastoreExporters";
import { deployKubeStateMetrics, deployNodeExporter } from "./metrics/exporters";
import { ALERTMANAGER, KUBE_STATE_METRICS, NODE_EXPORTER } from "./metrics/names";
import { annotatedPodsJob, appServiceJobs, kubeletJobs, prometheusSelfJob } from "./metrics/prometheusConfig";
import { deployPrometheus } from "./metrics/prometheusWorkload";
import { ScrapeRegistry, serviceScrapeJob } from "./metrics/scrapeRegistry";

export interface MetricsStackArgs {
  readonly config: StackConfig;
  /**
   * Scrape jobs of the other stacks, registered before this stack is created. The MetricsStack
   * adds its own (Prometheus, Alertmanager, exporters, kubelet, the apps) to the same registry.
   */
  readonly scrapeJobs: ScrapeRegistry;
}

/** The metrics jobs every stack has, whatever else registers: the apps and the Kubernetes layer. */
export function registerMetricsScrapeJobs(registry: ScrapeRegistry, config: StackConfig): ScrapeRegistry {
  const namespace = config.namespaces.observability;
  return registry.register(
    prometheusSelfJob(),
    serviceScrapeJob({ job: ALERTMANAGER.name, namespace, service: ALERTMANAGER.name, portName: "http" }),
    serviceScrapeJob({
      job: KUBE_STATE_METRICS.name,
      namespace,
      service: KUBE_STATE_METRICS.name,
      portName: "http-metrics",
      honorLabels: true,
    }),
    serviceScrapeJob({
      job: NODE_EXPORTER.name,
      namespace: config.namespaces.node,
      service: NODE_EXPORTER.name,
      portName: "http-metrics",
    }),
    ...kubeletJobs(),
    ...datastoreScrapeJobs(config),
    ...appServiceJobs(config.apps.services),
    ...(config.apps.namespaces.length === 0 ? [] : [annotatedPodsJob(config.apps.namespaces)]),
  );
}

/**
 * Prometheus, Alertmanager, kube-state-metrics, node-exporter and the configured datastore
 * exporters, with alert, SLO and
 * self-monitoring rules. Outputs the in-cluster URLs Grafana and the Collector use.
 */
export class MetricsStack extends pulumi.ComponentResource {
  /** Prometheus' in-cluster URL (queries, remote write at /api/v1/write). */
  public readonly prometheusUrl: pulumi.Output<string>;
  /** Alertmanager's in-cluster URL. */
  public readonly alertmanagerUrl: pulumi.Output<string>;

  constructor(name: string, args: MetricsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:MetricsStack", name, {}, opts);
    const { config } = args;
    const children = { parent: this };

    const jobs = registerMetricsScrapeJobs(args.scrapeJobs, config).jobs();
    const prometheus = deployPrometheus(name, { config, jobs }, children);
    const alertmanager = deployAlertmanager(name, config, children);
    deployKubeStateMetrics(name, config, children);
    deployNodeExporter(name, config, children);
    deployDatastoreExporters(name, config, children);

    this.prometheusUrl = prometheus.url;
    this.alertmanagerUrl = alertmanager.url;
    this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl });
  }
}
