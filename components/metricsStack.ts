import * as pulumi from "@pulumi/pulumi";
import { deployAlertmanager } from "./metrics/alertmanagerWorkload";
import { deployDatastoreExporters } from "./metrics/datastoreExporters";
import { deployKubeStateMetrics, deployNodeExporter } from "./metrics/exporters";
import { deployMetricsExposure, metricsPublicUrls } from "./metrics/metricsExposure";
import { ALERTMANAGER, KUBE_STATE_METRICS, NODE_EXPORTER, datastoreExporters } from "./metrics/names";
import {
  annotatedPodsJob,
  appServiceJobs,
  kubeletJobs,
  prometheusRemoteWriteUrls,
  prometheusSelfJob,
} from "./metrics/prometheusConfig";
import { ScrapeConfig } from "./metrics/prometheusTypes";
import { deployPrometheus } from "./metrics/prometheusWorkload";
import { PrometheusQueryEndpoint, prometheusQueryEndpoint } from "./metrics/queryEndpoint";
import { workloadScrapeJob } from "./metrics/scrapeJobs";
import { MetricsSettings } from "./metrics/settings";

export interface MetricsStackArgs extends MetricsSettings {
  /**
   * The other stacks' scrape jobs (their static `scrapeJobs`), listed before this stack's own in
   * prometheus.yml. Job names must be unique.
   */
  readonly scrapeJobs: readonly ScrapeConfig[];
}

/** The metrics jobs every stack has: Prometheus, Alertmanager, the exporters, the kubelets and the apps. */
export function metricsScrapeJobs(settings: MetricsSettings): ScrapeConfig[] {
  const namespace = settings.namespaces.observability;
  return [
    prometheusSelfJob(),
    workloadScrapeJob(ALERTMANAGER, namespace),
    workloadScrapeJob(KUBE_STATE_METRICS, namespace, { honorLabels: true }),
    workloadScrapeJob(NODE_EXPORTER, settings.namespaces.node),
    ...kubeletJobs(),
    ...datastoreExporters(settings.metrics).map((e) => workloadScrapeJob(e.spec, namespace)),
    ...appServiceJobs(settings.apps.services),
    ...(settings.apps.namespaces.length === 0 ? [] : [annotatedPodsJob(settings.apps.namespaces)]),
  ];
}

/** The first job name listed twice, if any: Prometheus refuses such a config. */
export function duplicateJobName(jobs: readonly ScrapeConfig[]): string | undefined {
  return jobs.find((job, i) => jobs.findIndex((j) => j.job_name === job.job_name) !== i)?.job_name;
}

/**
 * Prometheus, Alertmanager, kube-state-metrics, node-exporter and the configured datastore
 * exporters, with alert, SLO and self-monitoring rules. Created first: the other stacks send to
 * Prometheus and Alertmanager at the URLs it exposes.
 */
export class MetricsStack extends pulumi.ComponentResource {
  /** Prometheus' in-cluster query URL: the `prometheus-query` Service, one replica (`metrics.queryReplica`). */
  public readonly prometheusUrl: string;
  /** Where dashboards read metrics: that Service, or Amazon Managed Prometheus with remote write. */
  public readonly prometheusQuery: PrometheusQueryEndpoint;
  /** Public URLs of Prometheus and Alertmanager when `exposure.ingress` exposes them (for `--web.external-url`). */
  public readonly publicUrls: ReturnType<typeof metricsPublicUrls>;
  /** Every Prometheus replica's remote-write endpoint, for writers that must reach each one. */
  public readonly prometheusWriteUrls: readonly string[];
  /** Alertmanager's in-cluster URL. */
  public readonly alertmanagerUrl: string;

  constructor(name: string, args: MetricsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:MetricsStack", name, {}, opts);
    const children = { parent: this };

    const jobs = [...args.scrapeJobs, ...metricsScrapeJobs(args)];
    const duplicate = duplicateJobName(jobs);
    if (duplicate !== undefined) {
      throw new pulumi.ResourceError(`scrape job ${duplicate} is listed twice`, this);
    }
    const prometheus = deployPrometheus(name, { config: args, jobs }, children);
    const alertmanager = deployAlertmanager(name, args, children);
    deployKubeStateMetrics(name, args, children);
    deployNodeExporter(name, args, children);
    deployDatastoreExporters(name, args, children);
    deployMetricsExposure(name, args, children);

    this.prometheusUrl = prometheus.url;
    this.prometheusQuery = prometheusQueryEndpoint(args);
    this.publicUrls = metricsPublicUrls(args.exposure);
    this.alertmanagerUrl = alertmanager.url;
    this.prometheusWriteUrls = prometheusRemoteWriteUrls(
      args.namespaces.observability,
      args.metrics.replicas,
    );
    this.registerOutputs({
      prometheusUrl: this.prometheusUrl,
      prometheusQueryUrl: this.prometheusQuery.url,
      prometheusWriteUrls: this.prometheusWriteUrls,
      alertmanagerUrl: this.alertmanagerUrl,
    });
  }
}
