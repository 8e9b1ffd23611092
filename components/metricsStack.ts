import * as pulumi from "@pulumi/pulumi";
import { StackConfig, keyPath } from "../config";
import { componentConfig, componentConfigError } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { Endpoint, Flow, dnsFlows, workloadsOf } from "./common/flow";
import {
  DemoSwitch,
  PLATFORM_SECTIONS,
  PlatformArgs,
  SectionArgs,
  platformSettings,
} from "./common/settings";
import {
  MetricsClients,
  metricsApiFlows,
  metricsEndpoints,
  metricsFlows,
  metricsReachFlows,
} from "./metrics/flows";
import { deployAlertmanager } from "./metrics/alertmanagerWorkload";
import { deployDatastoreExporters } from "./metrics/datastoreExporters";
import { deployKubeStateMetrics, deployNodeExporter } from "./metrics/exporters";
import {
  ALERTMANAGER,
  KUBE_STATE_METRICS,
  MONITOR_SCRAPER,
  THANOS_COMPACTOR,
  THANOS_QUERY,
  THANOS_RULER,
  THANOS_STORE,
} from "./metrics/names";
import { deployMonitorScraper } from "./metrics/monitorScraper";
import { nodeExporterScrapeJob } from "./metrics/nodeExporterProxy";
import { deployMetricsExposure, metricsPublicUrls } from "./metrics/metricsExposure";
import {
  annotatedPodsJob,
  appServiceJobs,
  controlPlaneJobs,
  kubeletJobs,
  prometheusRemoteWriteUrls,
  prometheusSelfJob,
  thanosSidecarSelfJob,
} from "./metrics/prometheusConfig";
import { ScrapeConfig } from "./common/prometheusTypes";
import { deployPrometheus } from "./metrics/prometheusWorkload";
import { extraRuleFileProblems, placedRuleFiles } from "./metrics/ruleFiles";
import { thanosRulerRuns } from "./metrics/ruleEvaluators";
import { deployThanosRuler } from "./metrics/thanosRulerWorkload";
import { extraScrapeJob } from "./metrics/extraScrapeJobs";
import {
  prometheusQueryEndpoint,
  queryServiceUrl,
  thanosQueryFacts,
  thanosQueryRuns,
} from "./metrics/queryEndpoint";
import { Peer, PeerServer, PrometheusPeer } from "./common/peer";
import { deployThanosQuery } from "./metrics/thanosQueryWorkload";
import { deployThanosStore } from "./metrics/thanosStoreWorkload";
import { deployThanosCompactor } from "./metrics/thanosCompactorWorkload";
import { deployObjectStoreConfig } from "./metrics/objectStorage";
import { workloadScrapeJob } from "./common/scrapeJobs";
import { istioJobs, mergedSidecarsDropped } from "./metrics/istioTargets";
import { MetricsSettings } from "./metrics/settings";
import { withFormerType } from "./common/formerType";
import { accountsConfig } from "./common/serviceAccount";
import { datastoreExporters } from "./metrics/datastores";
import { MetricsServiceAccounts, metricsServiceAccounts } from "./metrics/serviceAccounts";

/** The stack-config sections MetricsStack reads. */
const READS: readonly ConfigRead[] = [
  ...PLATFORM_SECTIONS,
  "demo.enabled",
  "metrics",
  "alerting",
  "exposure",
  "tracing.latencyBucketsSeconds",
  "mesh",
];

/** `tracing.latencyBucketsSeconds` alone: the buckets of the span metrics a TracingStack writes. */
export interface SpanMetricBuckets extends Pick<SectionArgs<"tracing">, "latencyBucketsSeconds"> {}

/**
 * What MetricsStack takes: the stack config's `metrics`, `alerting` and `exposure` over the
 * platform sections, each key defaulting as in a stack file of the profile, and what it offers the
 * components beside it.
 */
export interface MetricsStackArgs extends PlatformArgs {
  /**
   * Retention, storage, replicas, scrape and evaluation intervals, exporters, alert thresholds,
   * SLOs, rule files, OpenSLO and Sloth files, extra scrape jobs (stack config `metrics`).
   */
  readonly metrics?: SectionArgs<"metrics">;
  /**
   * `enabled`: whether DemoStack runs beside it, whose services it then observes as apps and whose
   * business SLOs it evaluates.
   */
  readonly demo?: DemoSwitch;
  /** Receivers, routes and grouping of the alerts. */
  readonly alerting?: SectionArgs<"alerting">;
  /**
   * How people reach Prometheus and Alertmanager. The certificate's and Cognito's ARNs and IDs may
   * be Outputs; host names are text, as alert links and the NetworkPolicies are made of them.
   */
  readonly exposure?: SectionArgs<"exposure">;
  /**
   * `istio`: the meshed namespaces and istiod it scrapes, and a meshed service's sidecar as the
   * first source of its RED and SLO signals (stack config `mesh`).
   */
  readonly mesh?: SectionArgs<"mesh">;
  /**
   * `latencyBucketsSeconds` of the span metrics a TracingStack writes here: the latency SLIs fall
   * back to them, so each latency threshold must be one.
   */
  readonly tracing?: SpanMetricBuckets;
  /**
   * Where people open Grafana: alerts link its USE dashboards, notifications its Explore.
   * @default none: alerts and notifications carry no Grafana link
   */
  readonly grafanaUrl?: string;
  /**
   * Scrape jobs of the components deployed beside it (their static `scrapeJobs`), listed before
   * its own; their NetworkPolicies come with `wiring`. Job names must be unique.
   * @default none
   */
  readonly scrapeJobs?: readonly ScrapeConfig[];
  /**
   * The workloads of other components that connect to Prometheus and Alertmanager: a log ruler
   * sending alerts, a collector writing span metrics, a Grafana querying.
   * @default none: only Prometheus, the apps' pods and the UIs' exposure reach them
   */
  readonly clients?: MetricsClients;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): its workloads' NetworkPolicies
   * are made of those into and out of them.
   * @default its own: its workloads, the apps, kubelets, CoreDNS, the API server, DNS and `clients`
   */
  readonly wiring?: readonly Flow[];
}

/**
 * The metrics jobs: Prometheus, Alertmanager, the exporters, the kubelets, the apps, and last the
 * teams' `metrics.extraScrapeConfigs`.
 */
export function metricsScrapeJobs(
  settings: Pick<MetricsSettings, "namespaces" | "apps" | "metrics" | "mesh">,
): ScrapeConfig[] {
  const namespace = settings.namespaces.observability;
  const annotated = [
    ...new Set([...settings.apps.namespaces, ...settings.metrics.annotationDiscovery.namespaces]),
  ];
  const annotatedPorts = settings.metrics.annotationDiscovery.ports;
  const istio = settings.mesh.istio;
  const meshedAnnotated = istio.enabled ? annotated.filter((ns) => istio.namespaces.includes(ns)) : [];
  return [
    prometheusSelfJob(),
    workloadScrapeJob(ALERTMANAGER, namespace),
    workloadScrapeJob(KUBE_STATE_METRICS, namespace, { honorLabels: true }),
    nodeExporterScrapeJob(settings),
    ...kubeletJobs(),
    ...controlPlaneJobs(),
    ...datastoreExporters(settings.metrics).map((e) => workloadScrapeJob(e.spec, namespace)),
    ...appServiceJobs(settings.apps.services, settings.metrics.scrapeLimits),
    ...(annotated.length === 0 || annotatedPorts?.length === 0
      ? []
      : [
          annotatedPodsJob(
            annotated,
            meshedAnnotated.length === 0 ? [] : [mergedSidecarsDropped(meshedAnnotated)],
            annotatedPorts,
          ),
        ]),
    ...istioJobs(settings.mesh),
    ...(thanosQueryRuns(settings.metrics) ? [workloadScrapeJob(THANOS_QUERY, namespace)] : []),
    ...(settings.metrics.objectStorage === undefined
      ? []
      : [
          thanosSidecarSelfJob(),
          workloadScrapeJob(THANOS_STORE, namespace),
          workloadScrapeJob(THANOS_COMPACTOR, namespace),
          workloadScrapeJob(THANOS_RULER, namespace),
        ]),
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
 * exporters, with alert, SLO and self-monitoring rules. Alone it is a working, hardened Prometheus
 * and Alertmanager for a kind-sized cluster; the other components send to it at the URLs it exposes.
 */
export class MetricsStack extends pulumi.ComponentResource {
  /** Prometheus' in-cluster query URL: Thanos Query over several replicas, else the one replica's Service. */
  public readonly prometheusUrl: string;
  /**
   * Where dashboards read metrics, as a peer of GrafanaStack's (or KialiStack's) `prometheus`: that
   * Service (its pods admit the component given it), or Amazon Managed Prometheus with remote write.
   */
  public readonly prometheusQuery: PrometheusPeer;
  /** Alertmanager, as a peer of LogsStack's `alertmanager` or GrafanaStack's: its pods admit the component given it. */
  public readonly alertmanager: Peer;
  /** Every Prometheus replica's remote-write endpoint, as TracingStack's `prometheusWrites`: each admits the component given it. */
  public readonly prometheusWrites: readonly Peer[];
  /** Public URLs of Prometheus and Alertmanager when `exposure.ingress` exposes them (for `--web.external-url`). */
  public readonly publicUrls: ReturnType<typeof metricsPublicUrls>;
  /** Every Prometheus replica's remote-write endpoint, for writers that must reach each one. */
  public readonly prometheusWriteUrls: readonly string[];
  /** Alertmanager's in-cluster URL. */
  public readonly alertmanagerUrl: string;
  /**
   * Its Prometheus and Alertmanager pods, and the pods behind `prometheusUrl` (`query`: Thanos
   * Query over several replicas), for the NetworkPolicies of components that reach them.
   */
  public readonly endpoints: {
    readonly prometheus: Endpoint;
    readonly alertmanager: Endpoint;
    readonly query: Endpoint;
  };
  /** The flows its NetworkPolicies are made of. */
  public readonly flows: readonly Flow[];
  /** The ServiceAccounts it creates. */
  public readonly serviceAccounts: MetricsServiceAccounts;

  /**
   * The names its ServiceAccounts get with these args, before it is constructed, whether or not
   * each runs: an IAM role's trust policy names them (IRSA), and the role's ARN is then an arg.
   */
  static serviceAccounts(
    args: Pick<MetricsStackArgs, "profile" | "namespaces"> = {},
  ): Required<MetricsServiceAccounts> {
    return metricsServiceAccounts(accountsConfig("MetricsStack", args));
  }

  /** Why `metrics.extraRuleFiles` cannot load beside the stack's own rules (a check of the config phase). */
  static ruleFileProblems(
    settings: Pick<
      MetricsSettings,
      "metrics" | "apps" | "alerting" | "exposure" | "namespaces" | "grafanaUrl" | "mesh"
    >,
  ): string[] {
    return extraRuleFileProblems(settings);
  }

  /**
   * The flows of its workloads deployed alone: among themselves, to the apps, kubelets, CoreDNS
   * and the API server, each workload's DNS, and from `clients`.
   */
  static flows(config: StackConfig, clients: MetricsClients = {}): Flow[] {
    const own = metricsFlows(config);
    return [
      ...metricsFlows(config, clients),
      ...metricsReachFlows(config),
      ...metricsApiFlows(config),
      ...dnsFlows(workloadsOf(own)),
    ];
  }

  constructor(name: string, args: MetricsStackArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const subject = `MetricsStack "${name}"`;
    const config = componentConfig(subject, args, READS);
    const settings: MetricsSettings = {
      ...platformSettings(config),
      metrics: config.metrics,
      alerting: config.alerting,
      exposure: config.exposure,
      mesh: config.mesh,
      ...(args.grafanaUrl === undefined ? {} : { grafanaUrl: args.grafanaUrl }),
      wiring: args.wiring ?? MetricsStack.flows(config, args.clients),
    };
    const jobs = [...(args.scrapeJobs ?? []), ...metricsScrapeJobs(settings)];
    const problems = [
      ...MetricsStack.ruleFileProblems(settings),
      ...jobNameProblems(jobs, config.metrics.extraScrapeConfigs),
    ];
    if (problems.length > 0) {
      throw componentConfigError(subject, problems);
    }
    super("observability:index:MetricsStack", name, {}, withFormerType("observability:index:Metrics", opts));
    const children = { parent: this };

    const storage = settings.metrics.objectStorage;
    const objectStore =
      storage === undefined
        ? undefined
        : deployObjectStoreConfig(name, settings.namespaces.observability, storage, children);
    deployPrometheus(name, { config: settings, jobs, objectStore }, children);
    if (thanosQueryRuns(settings.metrics)) {
      deployThanosQuery(name, settings, children);
    }
    if (objectStore !== undefined) {
      deployThanosStore(name, settings, objectStore, children);
      deployThanosCompactor(name, settings, objectStore, children);
    }
    if (thanosRulerRuns(settings.metrics)) {
      deployThanosRuler(name, settings, placedRuleFiles(settings).ruler, children);
    }
    const alertmanager = deployAlertmanager(name, settings, children);
    deployKubeStateMetrics(name, settings, children);
    deployNodeExporter(name, settings, children);
    deployDatastoreExporters(name, settings, children);
    deployMetricsExposure(name, settings, children);

    this.prometheusUrl = queryServiceUrl(settings);
    this.publicUrls = metricsPublicUrls(settings.exposure);
    this.alertmanagerUrl = alertmanager.url;
    this.prometheusWriteUrls = prometheusRemoteWriteUrls(
      settings.namespaces.observability,
      settings.metrics.replicas,
    );
    this.endpoints = metricsEndpoints(settings);
    this.flows = settings.wiring;
    const servedBy: PeerServer = { component: subject, flows: this.flows };
    const query = prometheusQueryEndpoint(settings);
    this.prometheusQuery =
      settings.metrics.remoteWrite === undefined
        ? {
            ...query,
            endpoint: this.endpoints.query,
            servedBy,
            ...thanosQueryFacts(settings.metrics),
          }
        : query;
    this.alertmanager = { url: this.alertmanagerUrl, endpoint: this.endpoints.alertmanager, servedBy };
    this.prometheusWrites = this.prometheusWriteUrls.map((url) => ({
      url,
      endpoint: this.endpoints.prometheus,
      servedBy,
    }));
    if (settings.metrics.prometheusOperatorMonitors.enabled) {
      deployMonitorScraper(name, settings, this.prometheusWriteUrls, children);
    }
    const accounts = metricsServiceAccounts(settings);
    this.serviceAccounts = {
      prometheus: accounts.prometheus,
      kubeStateMetrics: accounts.kubeStateMetrics,
      ...(objectStore === undefined
        ? {}
        : { thanosStore: accounts.thanosStore, thanosCompactor: accounts.thanosCompactor }),
      ...(settings.metrics.prometheusOperatorMonitors.enabled
        ? { monitorScraper: accounts.monitorScraper }
        : {}),
      ...(settings.metrics.nodeExporter.authProxy ? { nodeExporter: accounts.nodeExporter } : {}),
    };
    this.registerOutputs({
      prometheusUrl: this.prometheusUrl,
      prometheusQueryUrl: this.prometheusQuery.url,
      prometheusWriteUrls: this.prometheusWriteUrls,
      alertmanagerUrl: this.alertmanagerUrl,
    });
  }
}
