import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { deployAlloy } from "./logs/alloyWorkload";
import { deployLoki } from "./logs/lokiWorkload";
import { alloyNamespace } from "./logs/names";
import { ALLOY, LOKI } from "./logs/names";
import { ScrapeRegistry, serviceScrapeJob } from "./metrics/scrapeRegistry";

export interface LogsStackArgs {
  readonly config: StackConfig;
  /** Loki's and Alloy's own metrics are registered here for Prometheus. */
  readonly scrapeJobs: ScrapeRegistry;
}

/** Registers the logs components' self-metrics with Prometheus. */
export function registerLogsScrapeJobs(registry: ScrapeRegistry, config: StackConfig): ScrapeRegistry {
  return registry.register(
    serviceScrapeJob({
      job: LOKI.name,
      namespace: config.namespaces.observability,
      service: LOKI.name,
      portName: "http",
    }),
    serviceScrapeJob({
      job: ALLOY.name,
      namespace: alloyNamespace(config),
      service: ALLOY.name,
      portName: "http",
    }),
  );
}

/**
 * Loki (single binary, schema v13/tsdb, ruler to Alertmanager) and Grafana Alloy collecting the
 * app namespaces' logs with the reference labels, trace context as structured metadata and
 * optional address masking.
 */
export class LogsStack extends pulumi.ComponentResource {
  /** Loki's in-cluster URL. */
  public readonly lokiUrl: pulumi.Output<string>;

  constructor(name: string, args: LogsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:LogsStack", name, {}, opts);
    const { config } = args;
    const children = { parent: this };

    registerLogsScrapeJobs(args.scrapeJobs, config);
    const loki = deployLoki(name, config, children);
    deployAlloy(name, config, children);

    this.lokiUrl = loki.url;
    this.registerOutputs({ lokiUrl: this.lokiUrl });
  }
}
