import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { componentConfig, componentConfigError } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { Endpoint, Flow, SpanReceiver, dnsFlows, workload, workloadsOf } from "./common/flow";
import { Peer, peerFlow, peerProblems } from "./common/peer";
import { PeeredFlow, deployAdmissions } from "./common/admissions";
import {
  DemoSwitch,
  PLATFORM_SECTIONS,
  PlatformArgs,
  SectionArgs,
  platformSettings,
} from "./common/settings";
import {
  TracingClients,
  meshedNamespaces,
  spanReceiver,
  traceWriter,
  tracingApiFlows,
  tracingFlows,
} from "./tracing/flows";
import { PART_OF } from "./common/labels";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./common/scrapeJobs";
import { appTracingEnv } from "./tracing/appTracingEnv";
import { deployCollector } from "./tracing/collectorWorkload";
import { APP_TRACING_CONFIGMAP, COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO } from "./tracing/names";
import { TracingSettings } from "./tracing/settings";
import { deployTempo } from "./tracing/tempoWorkload";
import { withFormerType } from "./common/formerType";
import { accountsConfig } from "./common/serviceAccount";
import { collectorTiered } from "./tracing/collectorTiers";
import { TracingServiceAccounts, tracingServiceAccounts } from "./tracing/serviceAccounts";

/** The stack-config sections TracingStack reads. */
const READS: readonly ConfigRead[] = [
  ...PLATFORM_SECTIONS,
  "demo.enabled",
  "tracing",
  "exposure",
  "metrics.slo",
  "mesh",
];

/** `metrics.slo` alone: the per-service objectives, whose latency threshold the apps' histograms get. */
export interface SloDefaults extends Pick<SectionArgs<"metrics">, "slo"> {}

/**
 * What TracingStack takes: the stack config's `tracing` and `exposure` over the platform sections,
 * each key defaulting as in a stack file of the profile, and the Prometheus it writes span metrics to.
 */
export interface TracingStackArgs extends PlatformArgs {
  /**
   * Sampling, tail sampling, span-metric buckets, collector tiers, retention and sending queues
   * (stack config `tracing`).
   */
  readonly tracing?: SectionArgs<"tracing">;
  /**
   * `enabled`: whether DemoStack runs beside it, whose services it then observes as apps and whose
   * business SLOs it evaluates.
   */
  readonly demo?: DemoSwitch;
  /** How apps outside the cluster send spans. */
  readonly exposure?: SectionArgs<"exposure">;
  /**
   * `slo`: every latency threshold must be a span-metric bucket, and the apps' histograms get it
   * through their tracing ConfigMap.
   */
  readonly metrics?: SloDefaults;
  /** `istio`: the meshed namespaces, whose sidecars may send Zipkin spans (stack config `mesh`). */
  readonly mesh?: SectionArgs<"mesh">;
  /**
   * Every replica of the Prometheus that span metrics and the service graph are written to (its
   * remote-write receiver, `/api/v1/write`): MetricsStack's `prometheusWrites` (whose pods this
   * component then admits the collector to), or your own.
   * @default none: no span metrics or service graph are computed
   */
  readonly prometheusWrites?: readonly Peer[];
  /**
   * The workloads of other components that connect to the collectors and Tempo: a Prometheus
   * scraping, a Grafana querying, a Kiali. @default none
   */
  readonly clients?: Omit<TracingClients, "apps" | "meshed">;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): its workloads' NetworkPolicies
   * are made of those into and out of them.
   * @default its own: its workloads, the apps' spans, the API server, DNS, `prometheusWrites` and `clients`
   */
  readonly wiring?: readonly Flow[];
}

/** The flows to every Prometheus replica span metrics are written to. */
function peeredFlows(config: StackConfig, args: Pick<TracingStackArgs, "prometheusWrites">): PeeredFlow[] {
  const writer = traceWriter(config);
  return (args.prometheusWrites ?? []).map((peer, i) => ({
    key: `prometheusWrites[${i}]`,
    peer,
    flow: peerFlow(writer, peer, "span and service-graph metrics"),
  }));
}

/**
 * The OpenTelemetry Collector (OTLP and Zipkin in, tail sampling where enabled, span metrics and
 * service graph to Prometheus, traces to Tempo), Tempo, and in each app namespace the ConfigMap
 * that tells the apps where to send spans and how much to sample.
 */
export class TracingStack extends pulumi.ComponentResource {
  /** Tempo's in-cluster query URL. */
  public readonly tempoUrl: string;
  /** The ConfigMap each app namespace gets: where apps send spans and how much they sample (`envFrom`). */
  public readonly appConfigMap: string;
  /** Tempo's pods, for the NetworkPolicies of workloads that query it. */
  public readonly endpoints: { readonly tempo: Endpoint };
  /** Tempo, as a peer of GrafanaStack's (or KialiStack's) `tempo`: its pods admit the component given it. */
  public readonly tempo: Peer;
  /** The ServiceAccounts it creates. */
  public readonly serviceAccounts: TracingServiceAccounts;

  /**
   * The names its ServiceAccounts get with these args, before it is constructed, whether or not
   * each runs: an IAM role's trust policy names them (IRSA), and the role's ARN is then an arg.
   */
  static serviceAccounts(
    args: Pick<TracingStackArgs, "profile" | "namespaces"> = {},
  ): TracingServiceAccounts {
    return tracingServiceAccounts(accountsConfig("TracingStack", args));
  }
  /** The collector pods apps send spans to, and its receivers' ports, for the NetworkPolicies of workloads that send. */
  public readonly collector: SpanReceiver;
  /** The flows its NetworkPolicies are made of. */
  public readonly flows: readonly Flow[];

  /** The Prometheus job of the collectors apps send spans to, whose accepted spans are the stack's span rate. */
  static readonly spanIngestJob = COLLECTOR.name;

  /** The collectors' and Tempo's own metrics, for Prometheus: they depend only on the settings. */
  static scrapeJobs(settings: Pick<TracingSettings, "namespaces" | "tracing">): ScrapeConfig[] {
    const namespace = settings.namespaces.observability;
    return [
      workloadScrapeJob(COLLECTOR, namespace),
      ...(collectorTiered(settings.tracing) ? [workloadScrapeJob(COLLECTOR_AGGREGATOR, namespace)] : []),
      workloadScrapeJob(TEMPO, namespace),
    ];
  }

  /**
   * The flows of its workloads deployed alone: among themselves, the apps' spans, the API server,
   * each workload's DNS, to `prometheusWrites` and from `clients`.
   */
  static flows(
    config: StackConfig,
    args: Pick<TracingStackArgs, "prometheusWrites" | "clients"> = {},
  ): Flow[] {
    const apps = config.apps.namespaces.map((namespace): Endpoint => ({ kind: "namespace", namespace }));
    const own = tracingFlows(config, { apps: [] });
    return [
      ...tracingFlows(config, { ...args.clients, apps, meshed: meshedNamespaces(config) }),
      ...tracingApiFlows(config),
      ...peeredFlows(config, args).map((p) => p.flow),
      ...dnsFlows(workloadsOf(own)),
    ];
  }

  constructor(name: string, args: TracingStackArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const subject = `TracingStack "${name}"`;
    const config = componentConfig(subject, args, READS);
    const problems = (args.prometheusWrites ?? []).flatMap((peer, i) =>
      peerProblems(peer, `prometheusWrites[${i}]`),
    );
    if (problems.length > 0) {
      throw componentConfigError(subject, problems);
    }
    const settings: TracingSettings = {
      ...platformSettings(config),
      tracing: config.tracing,
      exposure: config.exposure,
      slo: config.metrics.slo,
      prometheusWriteUrls: (args.prometheusWrites ?? []).map((peer) => peer.url),
      wiring: args.wiring ?? TracingStack.flows(config, args),
    };
    super("observability:index:TracingStack", name, {}, withFormerType("observability:index:Tracing", opts));
    const children = { parent: this };

    deployCollector(name, settings, children);
    const tempo = deployTempo(name, settings, children);

    const data = appTracingEnv(settings);
    for (const namespace of settings.apps.namespaces) {
      new k8s.core.v1.ConfigMap(
        `${name}-app-env-${namespace}`,
        {
          metadata: {
            name: APP_TRACING_CONFIGMAP,
            namespace,
            labels: {
              "app.kubernetes.io/part-of": PART_OF,
              "app.kubernetes.io/managed-by": "pulumi",
              "app.kubernetes.io/component": "tracing",
            },
          },
          data,
        },
        children,
      );
    }

    this.tempoUrl = tempo.url;
    this.appConfigMap = APP_TRACING_CONFIGMAP;
    this.collector = spanReceiver(settings);
    this.endpoints = { tempo: workload(settings.namespaces.observability, TEMPO.name) };
    this.serviceAccounts = tracingServiceAccounts(settings);
    this.flows = settings.wiring;
    this.tempo = {
      url: this.tempoUrl,
      endpoint: this.endpoints.tempo,
      servedBy: { component: subject, flows: this.flows },
    };
    deployAdmissions(this, name, "traceWriter", peeredFlows(config, args), args.wiring);
    this.registerOutputs({ tempoUrl: this.tempoUrl });
  }
}
