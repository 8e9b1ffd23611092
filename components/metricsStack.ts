import * as pulumi from "@pulumi/pulumi";
import { StackConfig, keyPath } from "../config";
import { deployAlertmanager } from "./metrics/alertmanagerWorkload";
import { deployDatastoreExporters } from "./metrics/datastoreExporters";
import { deployKubeStateMetrics, deployNodeExporter } from "./metrics/exporters";
import {
  ALERTMANAGER,
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  NODE_EXPORTER,
  THANOS_QUERY,
} from "./metrics/names";
import { deployMonitorScraper } from "./metrics/monitorScraper";
import { deployMetricsExposure, metricsPublicUrls } from "./metrics/metricsExposure";
import {
  annotatedPodsJob,
  appServiceJobs,
  controlPlaneJobs,
  kubeletJobs,
  prometheusRemoteWriteUrls,
  prometheusSelfJob,
} from "./metrics/prometheusConfig";
import { ScrapeConfig } from "./common/prometheusTypes";
import { deployPrometheus } from "./metrics/prometheusWorkload";
import { extraRuleFileProblems } from "./metrics/ruleFiles";
import { extraScrapeJob } from "./metrics/extraScrapeJobs";
import {
  PrometheusQueryEndpoint,
  prometheusQueryEndpoint,
  queryServiceUrl,
  thanosQueryRuns,
} from "./metrics/queryEndpoint";
import { deployThanosQuery } from "./metrics/thanosQueryWorkload";
import { workloadScrapeJob } from "./metrics/scrapeJobs";
import { MetricsSettings } from "./metrics/settings";
import { withFormerType } from "./common/formerType";
import { datastoreExporters } from "./metrics/datastores";

/**
 * What Metrics takes: its sections of the validated stack config (see MetricsSettings for each, with
 * its default) and the other components' scrape jobs. index.ts maps them from the config.
 */
export interface MetricsStackArgs extends MetricsSettings {
  /**
   * The other components' scrape jobs (their static `scrapeJobs`), listed before this component's own in
   * prometheus.yml. Job names must be unique.
   * @default none
   */
  readonly scrapeJobs?: readonly ScrapeConfig[];
}

/**
 * The metrics jobs: Prometheus, Alertmanager, the exporters, the kubelets, the apps, and last the
 * teams' `metrics.extraScrapeConfigs`.
 */
export function metricsScrapeJobs(
  settings: Pick<MetricsSettings, "namespaces" | "apps" | "metrics">,
): ScrapeConfig[] {
  const namespace = settings.namespaces.observability;
  const annotated = [...settings.apps.namespaces, ...settings.metrics.annotationDiscovery.namespaces];
  return [
    prometheusSelfJob(),
    workloadScrapeJob(ALERTMANAGER, namespace),
    workloadScrapeJob(KUBE_STATE_METRICS, namespace, { honorLabels: true }),
    workloadScrapeJob(NODE_EXPORTER, settings.namespaces.node),
    ...kubeletJobs(),
    ...controlPlaneJobs(),
    ...datastoreExporters(settings.metrics).map((e) => workloadScrapeJob(e.spec, namespace)),
    ...appServiceJobs(settings.apps.services),
    ...(annotated.length === 0 ? [] : [annotatedPodsJob([...new Set(annotated)])]),
    ...(thanosQueryRuns(settings.metrics) ? [workloadScrapeJob(THANOS_QUERY, namespace)] : []),
    ...(settings.metrics.prometheusOperatorMonitors.enabled
      ? [workloadScrapeJob(MONITOR_SCRAPER, namespace)]
      : []),
    ...settings.metrics.extraScrapeConfigs.map(extraScrapeJob),
  ];
}

/**
 * Every job name an earlier job already has, as a problem naming the later job's key: Prometheus
 * refuses such a config. `jobs` are the other components' followed by metricsScrapeJobs', so a clash
 * is the extra job's fault when the later one is an extra; among the stack's own, it is a bug.
 */
export function jobNameProblems(
  jobs: readonly ScrapeConfig[],
  extras: StackConfig["metrics"]["extraScrapeConfigs"],
): string[] {
  const firstExtra = jobs.length - extras.length;
  return jobs.flatMap((job, i) => {
    const first = jobs.findIndex((j) => j.job_name === job.job_name);
    if (first === i) {
      return [];
    }
    const clashesWith =
      first >= firstExtra
        ? `${keyPath(["metrics", "extraScrapeConfigs", first - firstExtra, "job_name"])} has it already`
        : "it is one of the stack's own jobs";
    return i >= firstExtra
      ? [
          `${keyPath(["metrics", "extraScrapeConfigs", i - firstExtra, "job_name"])} must be unique: ` +
            `${job.job_name} is taken (${clashesWith})`,
        ]
      : [`scrape job ${job.job_name} is listed twice among the stack's own jobs`];
  });
}

/**
 * Prometheus, Alertmanager, kube-state-metrics, node-exporter and the configured datastore
 * exporters, with alert, SLO and self-monitoring rules. Created first: the other components send to
 * Prometheus and Alertmanager at the URLs it exposes.
 */
export class MetricsStack extends pulumi.ComponentResource {
  /** Prometheus' in-cluster query URL: Thanos Query over several replicas, else the one replica's Service. */
  public readonly prometheusUrl: string;
  /** Where dashboards read metrics: that Service, or Amazon Managed Prometheus with remote write. */
  public readonly prometheusQuery: PrometheusQueryEndpoint;
  /** Public URLs of Prometheus and Alertmanager when `exposure.ingress` exposes them (for `--web.external-url`). */
  public readonly publicUrls: ReturnType<typeof metricsPublicUrls>;
  /** Every Prometheus replica's remote-write endpoint, for writers that must reach each one. */
  public readonly prometheusWriteUrls: readonly string[];
  /** Alertmanager's in-cluster URL. */
  public readonly alertmanagerUrl: string;

  /** Why `metrics.extraRuleFiles` cannot load beside the stack's own rules (a check of the config phase). */
  static ruleFileProblems(
    settings: Pick<MetricsSettings, "metrics" | "apps" | "alerting" | "exposure" | "namespaces">,
  ): string[] {
    return extraRuleFileProblems(settings);
  }

  constructor(name: string, args: MetricsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:MetricsStack", name, {}, withFormerType("observability:index:Metrics", opts));
    const children = { parent: this };

    // The config phase (componentConfigChecks) has refused job names that clash.
    const jobs = [...(args.scrapeJobs ?? []), ...metricsScrapeJobs(args)];
    deployPrometheus(name, { config: args, jobs }, children);
    if (thanosQueryRuns(args.metrics)) {
      deployThanosQuery(name, args, children);
    }
    const alertmanager = deployAlertmanager(name, args, children);
    deployKubeStateMetrics(name, args, children);
    deployNodeExporter(name, args, children);
    deployDatastoreExporters(name, args, children);
    deployMetricsExposure(name, args, children);

    this.prometheusUrl = queryServiceUrl(args);
    this.prometheusQuery = prometheusQueryEndpoint(args);
    this.publicUrls = metricsPublicUrls(args.exposure);
    this.alertmanagerUrl = alertmanager.url;
    this.prometheusWriteUrls = prometheusRemoteWriteUrls(
      args.namespaces.observability,
      args.metrics.replicas,
    );
    if (args.metrics.prometheusOperatorMonitors.enabled) {
      deployMonitorScraper(name, args, this.prometheusWriteUrls, children);
    }
    this.registerOutputs({
      prometheusUrl: this.prometheusUrl,
      prometheusQueryUrl: this.prometheusQuery.url,
      prometheusWriteUrls: this.prometheusWriteUrls,
      alertmanagerUrl: this.alertmanagerUrl,
    });
  }
}
