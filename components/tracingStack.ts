import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { PART_OF } from "./common/labels";
import { ScrapeRegistry, serviceScrapeJob } from "./metrics/scrapeRegistry";
import { appTracingEnv } from "./tracing/appTracingEnv";
import { deployCollector } from "./tracing/collectorWorkload";
import { collectorTiered } from "./tracing/collectorConfig";
import { APP_TRACING_CONFIGMAP, COLLECTOR, COLLECTOR_AGGREGATOR, TEMPO } from "./tracing/names";
import { deployTempo } from "./tracing/tempoWorkload";

export interface TracingStackArgs {
  readonly config: StackConfig;
  /** The collector's and Tempo's own metrics are registered here for Prometheus. */
  readonly scrapeJobs: ScrapeRegistry;
}

/** Registers the tracing components' self-metrics with Prometheus. */
export function registerTracingScrapeJobs(registry: ScrapeRegistry, config: StackConfig): ScrapeRegistry {
  const namespace = config.namespaces.observability;
  const collectors = [COLLECTOR.name, ...(collectorTiered(config) ? [COLLECTOR_AGGREGATOR.name] : [])];
  return registry.register(
    ...collectors.map((service) =>
      serviceScrapeJob({ job: service, namespace, service, portName: "metrics" }),
    ),
    serviceScrapeJob({ job: TEMPO.name, namespace, service: TEMPO.name, portName: "http" }),
  );
}

/**
 * The OpenTelemetry Collector (OTLP and Zipkin in, tail sampling where enabled, span metrics and
 * service graph to Prometheus, traces to Tempo), Tempo, and in each app namespace the ConfigMap
 * that tells the apps where to send spans and how much to sample.
 */
export class TracingStack extends pulumi.ComponentResource {
  /** Tempo's in-cluster query URL. */
  public readonly tempoUrl: pulumi.Output<string>;

  constructor(name: string, args: TracingStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:TracingStack", name, {}, opts);
    const { config } = args;
    const children = { parent: this };

    registerTracingScrapeJobs(args.scrapeJobs, config);
    deployCollector(name, config, children);
    const tempo = deployTempo(name, config, children);

    const data = appTracingEnv(config);
    for (const namespace of config.apps.namespaces) {
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
