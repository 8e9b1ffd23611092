import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PART_OF } from "./common/labels";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./metrics/scrapeJobs";
import { appTracingEnv } from "./tracing/appTracingEnv";
import { deployCollector } from "./tracing/collectorWorkload";
import { APP_TRACING_CONFIGMAP, COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO } from "./tracing/names";
import { TracingSettings } from "./tracing/settings";
import { deployTempo } from "./tracing/tempoWorkload";
import { withFormerType } from "./common/formerType";
import { collectorTiered } from "./tracing/collectorTiers";

/**
 * What Tracing takes: its sections of the validated stack config and Prometheus' write endpoints
 * from Metrics (see TracingSettings for each field, with its default). index.ts maps them.
 */
export type TracingStackArgs = TracingSettings;

/**
 * The OpenTelemetry Collector (OTLP and Zipkin in, tail sampling where enabled, span metrics and
 * service graph to Prometheus, traces to Tempo), Tempo, and in each app namespace the ConfigMap
 * that tells the apps where to send spans and how much to sample.
 */
export class TracingStack extends pulumi.ComponentResource {
  /** Tempo's in-cluster query URL. */
  public readonly tempoUrl: string;

  /** The collectors' and Tempo's own metrics, for Prometheus: they depend only on the settings. */
  static scrapeJobs(settings: Pick<TracingSettings, "namespaces" | "tracing">): ScrapeConfig[] {
    const namespace = settings.namespaces.observability;
    return [
      workloadScrapeJob(COLLECTOR, namespace),
      ...(collectorTiered(settings.tracing) ? [workloadScrapeJob(COLLECTOR_AGGREGATOR, namespace)] : []),
      workloadScrapeJob(TEMPO, namespace),
    ];
  }

  constructor(name: string, args: TracingStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:TracingStack", name, {}, withFormerType("observability:index:Tracing", opts));
    const children = { parent: this };

    deployCollector(name, args, children);
    const tempo = deployTempo(name, args, children);

    const data = appTracingEnv(args);
    for (const namespace of args.apps.namespaces) {
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
    this.registerOutputs({ tempoUrl: this.tempoUrl });
  }
}
