import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { componentConfig, componentConfigError } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { Endpoint, Flow, dnsFlows, workloadsOf } from "./common/flow";
import { LokiPeer, Peer, peerFlow, peerProblems } from "./common/peer";
import { PeeredFlow, deployAdmissions } from "./common/admissions";
import {
  DemoSwitch,
  PLATFORM_SECTIONS,
  PlatformArgs,
  SectionArgs,
  platformSettings,
} from "./common/settings";
import { LogsClients, logsApiFlows, logsFlows, lokiEndpoint } from "./logs/flows";
import { deployAlloy } from "./logs/alloyWorkload";
import { deployLokiCanary } from "./logs/canaryWorkload";
import { TRACE_ID_REGEX } from "./logs/logPatterns";
import { extraLokiRuleFileProblems } from "./logs/lokiRules";
import { deployLoki } from "./logs/lokiWorkload";
import { ALLOY, EVENT_COLLECTOR, LOKI, LOKI_CANARY } from "./logs/names";
import { deployEventCollector } from "./logs/eventCollector";
import { LogsSettings } from "./logs/settings";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./common/scrapeJobs";
import { withFormerType } from "./common/formerType";
import { accountsConfig } from "./common/serviceAccount";
import { alloyNamespace } from "./logs/alloyNamespace";
import { LogsServiceAccounts, logsServiceAccounts } from "./logs/serviceAccounts";

/** The stack-config sections LogsStack reads. */
const READS: readonly ConfigRead[] = [...PLATFORM_SECTIONS, "demo.enabled", "logs", "metrics.runbookBaseUrl"];

/** `metrics.runbookBaseUrl` alone: where alerts' runbook links point. */
export interface RunbookLinks extends Pick<SectionArgs<"metrics">, "runbookBaseUrl"> {}

/**
 * What LogsStack takes: the stack config's `logs` over the platform sections, each key defaulting as
 * in a stack file of the profile, and the services it sends to.
 */
export interface LogsStackArgs extends PlatformArgs {
  /**
   * Retention, storage, replicas, collection mode, masking, tenant, limits, log alerts and rule
   * files (stack config `logs`).
   */
  readonly logs?: SectionArgs<"logs">;
  /**
   * `enabled`: whether DemoStack runs beside it, whose services it then observes as apps and whose
   * business SLOs it evaluates.
   */
  readonly demo?: DemoSwitch;
  /** `runbookBaseUrl`: log alerts link to the same runbooks as metric alerts. */
  readonly metrics?: RunbookLinks;
  /**
   * The Alertmanager Loki's ruler sends its log alerts to: MetricsStack's `alertmanager` (whose pods
   * this component then admits Loki to), or your own.
   * @default none: the log rules are evaluated, and nothing is sent
   */
  readonly alertmanager?: Peer;
  /** The workloads of other components that connect to Loki and the log agent: a Prometheus scraping, a Grafana querying. @default none */
  readonly clients?: LogsClients;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): its workloads' NetworkPolicies
   * are made of those into and out of them.
   * @default its own: its workloads, the API server, DNS, `alertmanager` and `clients`
   */
  readonly wiring?: readonly Flow[];
}

/** The flow to the Alertmanager the ruler sends to, when one is given. */
function peeredFlows(config: StackConfig, args: Pick<LogsStackArgs, "alertmanager">): PeeredFlow[] {
  const { alertmanager } = args;
  return alertmanager === undefined
    ? []
    : [
        {
          key: "alertmanager",
          peer: alertmanager,
          flow: peerFlow(lokiEndpoint(config), alertmanager, "log alerts from the ruler"),
        },
      ];
}

/**
 * Loki (single binary, schema v13/tsdb, ruler to Alertmanager), Grafana Alloy collecting the
 * app namespaces' logs with the reference labels, trace context as structured metadata and
 * optional address masking, Loki's canary proving that lines written to a pod's stdout come
 * back from Loki, and one collector shipping the cluster's Kubernetes events.
 */
export class LogsStack extends pulumi.ComponentResource {
  /** Loki's in-cluster URL. */
  public readonly lokiUrl: string;
  /** The tenant Alloy writes as and queries must send, when multi-tenancy is on. */
  public readonly tenant: string | undefined;
  /** The expression that finds a trace ID in a log line, as the pipeline extracts it. */
  public readonly traceIdExpression: string;
  /** Loki's pods and its ruler's, for the NetworkPolicies of components that reach them or that it reaches. */
  public readonly endpoints: { readonly loki: Endpoint; readonly ruler: Endpoint };
  /** Loki, as a peer of GrafanaStack's `loki`: its pods admit the component given it. */
  public readonly loki: LokiPeer;
  /** The ServiceAccounts it creates. */
  public readonly serviceAccounts: LogsServiceAccounts;

  /**
   * The names its ServiceAccounts get with these args, before it is constructed, whether or not
   * each runs: an IAM role's trust policy names them (IRSA), and the role's ARN is then an arg.
   */
  static serviceAccounts(
    args: Pick<LogsStackArgs, "profile" | "namespaces" | "logs"> = {},
  ): LogsServiceAccounts {
    return logsServiceAccounts(
      accountsConfig("LogsStack", args, ["logs.collectionMode", "logs.clusterEvents"]),
    );
  }
  /** The flows its NetworkPolicies are made of. */
  public readonly flows: readonly Flow[];

  /** Loki's, Alloy's, the canary's and the event collector's own metrics, for Prometheus: they depend only on the settings. */
  static scrapeJobs(settings: Pick<LogsSettings, "namespaces" | "logs">): ScrapeConfig[] {
    return [
      workloadScrapeJob(LOKI, settings.namespaces.observability),
      workloadScrapeJob(ALLOY, alloyNamespace(settings)),
      workloadScrapeJob(LOKI_CANARY, settings.namespaces.observability),
      ...(settings.logs.clusterEvents
        ? [workloadScrapeJob(EVENT_COLLECTOR, settings.namespaces.observability)]
        : []),
    ];
  }

  /** Why `logs.extraRuleFiles` cannot load beside the stack's log alerts (a check of the config phase). */
  static ruleFileProblems(settings: Pick<LogsSettings, "apps" | "logs" | "runbookBaseUrl">): string[] {
    return extraLokiRuleFileProblems(settings);
  }

  /** The flows of its workloads deployed alone: among themselves, the API server, each workload's DNS, to `alertmanager` and from `clients`. */
  static flows(config: StackConfig, args: Pick<LogsStackArgs, "alertmanager" | "clients"> = {}): Flow[] {
    const own = logsFlows(config);
    return [
      ...logsFlows(config, args.clients),
      ...logsApiFlows(config),
      ...peeredFlows(config, args).map((p) => p.flow),
      ...dnsFlows(workloadsOf(own)),
    ];
  }

  constructor(name: string, args: LogsStackArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const subject = `LogsStack "${name}"`;
    const config = componentConfig(subject, args, READS);
    const settings: LogsSettings = {
      ...platformSettings(config),
      logs: config.logs,
      runbookBaseUrl: config.metrics.runbookBaseUrl,
      ...(args.alertmanager === undefined ? {} : { alertmanagerUrl: args.alertmanager.url }),
      wiring: args.wiring ?? LogsStack.flows(config, args),
    };
    const problems = [
      ...peerProblems(args.alertmanager, "alertmanager"),
      ...LogsStack.ruleFileProblems(settings),
    ];
    if (problems.length > 0) {
      throw componentConfigError(subject, problems);
    }
    super("observability:index:LogsStack", name, {}, withFormerType("observability:index:Logs", opts));
    const children = { parent: this };

    const loki = deployLoki(name, settings, children);
    deployAlloy(name, settings, children);
    deployLokiCanary(name, settings, children);
    if (settings.logs.clusterEvents) {
      deployEventCollector(name, settings, children);
    }

    this.lokiUrl = loki.url;
    this.tenant = settings.logs.tenant;
    this.traceIdExpression = TRACE_ID_REGEX;
    this.endpoints = { loki: lokiEndpoint(config), ruler: lokiEndpoint(config) };
    const { eventCollector, ...accounts } = logsServiceAccounts(settings);
    this.serviceAccounts = settings.logs.clusterEvents ? { ...accounts, eventCollector } : accounts;
    this.flows = settings.wiring;
    this.loki = {
      url: this.lokiUrl,
      endpoint: this.endpoints.loki,
      ...(this.tenant === undefined ? {} : { tenant: this.tenant }),
      traceIdExpression: this.traceIdExpression,
      servedBy: { component: subject, flows: this.flows },
    };
    deployAdmissions(this, name, "logRuler", peeredFlows(config, args), args.wiring);
    this.registerOutputs({ lokiUrl: this.lokiUrl });
  }
}
