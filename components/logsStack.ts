import * as pulumi from "@pulumi/pulumi";
import { deployAlloy } from "./logs/alloyWorkload";
import { deployLokiCanary } from "./logs/canaryWorkload";
import { TRACE_ID_REGEX } from "./logs/logPatterns";
import { extraLokiRuleFileProblems } from "./logs/lokiRules";
import { deployLoki } from "./logs/lokiWorkload";
import { ALLOY, LOKI, LOKI_CANARY } from "./logs/names";
import { LogsSettings } from "./logs/settings";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./metrics/scrapeJobs";
import { withFormerType } from "./common/formerType";
import { alloyNamespace } from "./logs/alloyNamespace";

/**
 * What Logs takes: its section of the validated stack config and what it takes from Metrics (see
 * LogsSettings for each field, with its default). index.ts maps them.
 */
export type LogsStackArgs = LogsSettings;

/**
 * Loki (single binary, schema v13/tsdb, ruler to Alertmanager), Grafana Alloy collecting the
 * app namespaces' logs with the reference labels, trace context as structured metadata and
 * optional address masking, and Loki's canary proving that lines written to a pod's stdout come
 * back from Loki.
 */
export class LogsStack extends pulumi.ComponentResource {
  /** Loki's in-cluster URL. */
  public readonly lokiUrl: string;
  /** The tenant Alloy writes as and queries must send, when multi-tenancy is on. */
  public readonly tenant: string | undefined;
  /** The expression that finds a trace ID in a log line, as the pipeline extracts it. */
  public readonly traceIdExpression: string;

  /** Loki's, Alloy's and the canary's own metrics, for Prometheus: they depend only on the settings. */
  static scrapeJobs(settings: Pick<LogsSettings, "namespaces" | "logs">): ScrapeConfig[] {
    return [
      workloadScrapeJob(LOKI, settings.namespaces.observability),
      workloadScrapeJob(ALLOY, alloyNamespace(settings)),
      workloadScrapeJob(LOKI_CANARY, settings.namespaces.observability),
    ];
  }

  /** Why `logs.extraRuleFiles` cannot load beside the stack's log alerts (a check of the config phase). */
  static ruleFileProblems(settings: Pick<LogsSettings, "apps" | "logs" | "runbookBaseUrl">): string[] {
    return extraLokiRuleFileProblems(settings);
  }

  constructor(name: string, args: LogsStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:LogsStack", name, {}, withFormerType("observability:index:Logs", opts));
    const children = { parent: this };

    const loki = deployLoki(name, args, children);
    deployAlloy(name, args, children);
    deployLokiCanary(name, args, children);

    this.lokiUrl = loki.url;
    this.tenant = args.logs.tenant;
    this.traceIdExpression = TRACE_ID_REGEX;
    this.registerOutputs({ lokiUrl: this.lokiUrl });
  }
}
