import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { objectMeta } from "./common/metadata";
import { StackConfig } from "../config";
import { componentConfig, componentConfigError } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { projectRootDirectory } from "../runtime/pulumiSdk";
import { Endpoint, Flow, dnsFlows } from "./common/flow";
import { GrafanaPeer, LokiPeer, Peer, PrometheusPeer, peerFlow, peerProblems } from "./common/peer";
import { PeeredFlow, deployAdmissions } from "./common/admissions";
import {
  DemoSwitch,
  PLATFORM_SECTIONS,
  PlatformArgs,
  SectionArgs,
  platformSettings,
} from "./common/settings";
import { readExtraDashboards } from "./grafana/extraDashboards";
import { GrafanaClients, grafanaEndpoint, grafanaFlows } from "./grafana/flows";
import { deployGrafanaAccess } from "./grafana/grafanaAccess";
import { deployGrafanaExposure } from "./grafana/grafanaExposure";
import { deployGrafanaProvisioning } from "./grafana/grafanaProvisioning";
import { SECRET_KEYS, deployGrafanaWorkload } from "./grafana/grafanaWorkload";
import { GRAFANA, GRAFANA_CONFIG } from "./grafana/names";
import { GrafanaBackends, GrafanaSettings } from "./grafana/settings";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./common/scrapeJobs";
import { workloadUrl } from "./common/workloadSpec";
import { withFormerType } from "./common/formerType";
import { accountsConfig } from "./common/serviceAccount";
import { grafanaPublicUrl } from "./grafana/publicUrl";
import { GrafanaServiceAccounts, grafanaServiceAccounts } from "./grafana/serviceAccounts";

/** The stack-config sections GrafanaStack reads. */
const READS: readonly ConfigRead[] = [
  ...PLATFORM_SECTIONS,
  "demo.enabled",
  "grafana",
  "exposure",
  "metrics.slo",
  "metrics.slos",
  "metrics.openSloFiles",
  "metrics.slothFiles",
  "metrics.remoteWrite",
  "mesh",
];

/** The keys of `metrics` Grafana reads: the SLOs its dashboards draw, and Amazon Managed Prometheus. */
export interface GrafanaMetricsArgs
  extends Pick<SectionArgs<"metrics">, "slo" | "slos" | "openSloFiles" | "slothFiles" | "remoteWrite"> {}

/**
 * What GrafanaStack takes: the stack config's `grafana` and `exposure` over the platform sections,
 * each key defaulting as in a stack file of the profile, and the services its datasources query.
 */
export interface GrafanaStackArgs extends PlatformArgs {
  /**
   * Admin user and its rotation, storage, folder, replicas, database, extra datasources and
   * dashboards, single sign-on, teams and folder permissions (stack config `grafana`). The
   * database's host may be an Output (an RDS instance's `endpoint`), with its `port` given.
   */
  readonly grafana?: SectionArgs<"grafana">;
  /**
   * `enabled`: whether DemoStack runs beside it, whose services it then observes as apps and whose
   * business SLOs it evaluates.
   */
  readonly demo?: DemoSwitch;
  /**
   * How people reach Grafana. The certificate's and the identity provider's ARNs, IDs and URLs may be
   * Outputs; the host is text: it is Grafana's root URL, in links and SSO redirects made before
   * anything is created.
   */
  readonly exposure?: SectionArgs<"exposure">;
  /**
   * The SLOs the dashboards draw (`slo`, `slos`, `openSloFiles`, `slothFiles`, as MetricsStack is given them), and
   * `remoteWrite`: with Amazon Managed Prometheus, Grafana's pods assume its query role.
   */
  readonly metrics?: GrafanaMetricsArgs;
  /**
   * The Prometheus the default datasource queries (Thanos Query, one replica, or Amazon Managed
   * Prometheus with `sigV4Region`). Dashboards read it; over several clusters (`clusters`, a hub's
   * Thanos Query), each dashboard picks one.
   * @default none: no Prometheus datasource, and no dashboard, as every dashboard reads it
   */
  readonly prometheus?: PrometheusPeer;
  /** The Alertmanager of the Alertmanager datasource (MetricsStack's `alertmanager`, or your own). @default none */
  readonly alertmanager?: Peer;
  /**
   * The Loki of the Loki datasource (LogsStack's `loki`, or your own), its tenant, and the expression
   * of a trace ID in a line that links it to Tempo. @default none
   */
  readonly loki?: LokiPeer;
  /** The Tempo of the Tempo datasource (TracingStack's `tempo`, or your own). @default none */
  readonly tempo?: Peer;
  /** The Prometheus job of the collectors apps send spans to, for Landing's span rate. @default none: every collector's spans */
  readonly spanIngestJob?: string;
  /**
   * `istio`: with it on, the Istio Mesh dashboard and the sidecars' panels of Service Detail and
   * Tracing (stack config `mesh`).
   */
  readonly mesh?: SectionArgs<"mesh">;
  /** Where people open Kiali (`KialiStack.publicUrl`), linked from the mesh dashboards. @default none: no link */
  readonly kialiUrl?: string;
  /** The workloads of other components that connect to Grafana: a Prometheus scraping it. @default none */
  readonly clients?: GrafanaClients;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): its workloads' NetworkPolicies
   * are made of those into and out of them.
   * @default its own: browsers, its database, SSO, extra datasources, DNS, the backends and `clients`
   */
  readonly wiring?: readonly Flow[];
}

/** The backends GrafanaStack's args give, as its datasources take them. */
function backendsOf(args: GrafanaStackArgs): GrafanaBackends {
  return {
    ...(args.prometheus === undefined
      ? {}
      : {
          prometheus: {
            url: args.prometheus.url,
            ...(args.prometheus.sigV4Region === undefined
              ? {}
              : { sigV4Region: args.prometheus.sigV4Region }),
          },
        }),
    ...(args.alertmanager === undefined ? {} : { alertmanagerUrl: args.alertmanager.url }),
    ...(args.loki === undefined
      ? {}
      : {
          lokiUrl: args.loki.url,
          ...(args.loki.tenant === undefined ? {} : { lokiTenant: args.loki.tenant }),
          ...(args.loki.traceIdExpression === undefined
            ? {}
            : { traceIdExpression: args.loki.traceIdExpression }),
        }),
    ...(args.tempo === undefined ? {} : { tempoUrl: args.tempo.url }),
  };
}

const PEERS = ["prometheus", "alertmanager", "loki", "tempo"] as const;

/**
 * The flows to the peers Grafana queries: not to Amazon Managed Prometheus, which it reaches on 443
 * with `metrics.remoteWrite` (grafanaFlows), whatever the workspace URL is.
 */
function peeredFlows(
  config: StackConfig,
  args: Pick<GrafanaStackArgs, (typeof PEERS)[number]>,
): PeeredFlow[] {
  const amp = config.metrics.remoteWrite !== undefined && args.prometheus?.sigV4Region !== undefined;
  const grafana = grafanaEndpoint(config);
  return PEERS.flatMap((key) => {
    const peer = args[key];
    return peer === undefined || (key === "prometheus" && amp)
      ? []
      : [{ key, peer, flow: peerFlow(grafana, peer, "queries") }];
  });
}

/**
 * Grafana (see `deployGrafanaWorkload` for its pods, on a volume or over a shared database),
 * provisioned datasources for the backends it is given, linked to each other, dashboards built in
 * TypeScript and the team's own from `grafana.extraDashboards`, single sign-on from `grafana.sso`,
 * teams and folder permissions through Grafana's API (`deployGrafanaAccess`), a generated admin
 * password that rotates with `grafana.credentialsRotation`, and a `secret_key` that never rotates
 * (it encrypts what Grafana stores).
 */
export class GrafanaStack extends pulumi.ComponentResource {
  /** Where people open it. */
  public readonly url: string;
  /** Its in-cluster URL, for the tools that link into it or check it (Kiali). */
  public readonly internalUrl: string;
  /** With `grafana.sso`: the redirect URI to register with the identity provider. */
  public readonly oauthRedirectUrl?: string;
  public readonly adminUser: string;
  /** A Pulumi secret. */
  public readonly adminPassword: pulumi.Output<string>;
  /** Its pods, for the NetworkPolicies of the backends it queries. */
  public readonly endpoint: Endpoint;
  /** Grafana, as a peer of KialiStack's `grafana`: its pods admit the component given it. */
  public readonly grafana: GrafanaPeer;
  /** The flows its NetworkPolicies are made of. */
  public readonly flows: readonly Flow[];
  /** The ServiceAccounts it creates. */
  public readonly serviceAccounts: GrafanaServiceAccounts;

  /**
   * The names its ServiceAccounts get with these args, before it is constructed, whether or not
   * each runs: an IAM role's trust policy names them (IRSA), and the role's ARN is then an arg.
   */
  static serviceAccounts(
    args: Pick<GrafanaStackArgs, "profile" | "namespaces"> = {},
  ): Required<GrafanaServiceAccounts> {
    return grafanaServiceAccounts(accountsConfig("GrafanaStack", args));
  }

  /** Grafana's own metrics, for Prometheus: they depend only on the settings. */
  static scrapeJobs(settings: Pick<GrafanaSettings, "namespaces">): ScrapeConfig[] {
    return [workloadScrapeJob(GRAFANA, settings.namespaces.observability)];
  }

  /** Where people open Grafana, known from the settings alone (for links in other components). */
  static publicUrl(settings: Pick<GrafanaSettings, "exposure">): string {
    return grafanaPublicUrl(settings.exposure);
  }

  /** The flows of its workload deployed alone: browsers, what it reaches outside, its DNS, the backends and `clients`. */
  static flows(
    config: StackConfig,
    args: Pick<GrafanaStackArgs, (typeof PEERS)[number] | "clients"> = {},
  ): Flow[] {
    const grafana = grafanaEndpoint(config);
    return [
      ...grafanaFlows(config, args.clients),
      ...peeredFlows(config, args).map((p) => p.flow),
      ...dnsFlows([grafana]),
    ];
  }

  constructor(name: string, args: GrafanaStackArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const subject = `GrafanaStack "${name}"`;
    const config = componentConfig(subject, args, READS);
    const backends = backendsOf(args);
    const extraDashboards = readExtraDashboards(config, backends, projectRootDirectory());
    const problems = [
      ...peeredFlows(config, args).flatMap((p) => peerProblems(p.peer, p.key)),
      ...extraDashboards.problems,
    ];
    if (problems.length > 0) {
      throw componentConfigError(subject, problems);
    }
    const settings: GrafanaSettings = {
      ...platformSettings(config),
      grafana: config.grafana,
      exposure: config.exposure,
      metrics: config.metrics,
      ...(args.spanIngestJob === undefined ? {} : { spanIngestJob: args.spanIngestJob }),
      ...(args.prometheus?.clusters === undefined ? {} : { clusters: args.prometheus.clusters }),
      mesh: config.mesh,
      ...(args.kialiUrl === undefined ? {} : { kialiUrl: args.kialiUrl }),
      wiring: args.wiring ?? GrafanaStack.flows(config, args),
    };
    super("observability:index:GrafanaStack", name, {}, withFormerType("observability:index:Grafana", opts));
    const children = { parent: this };
    const namespace = settings.namespaces.observability;
    const id = { name: GRAFANA.name, component: "dashboards", image: settings.images.grafana };
    const database = settings.grafana.database;
    const sso = settings.grafana.sso;

    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false, keepers: { rotation: settings.grafana.credentialsRotation } },
      children,
    );
    const secretKey = new random.RandomPassword(
      `${name}-secret-key`,
      { length: 48, special: false },
      children,
    );
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: objectMeta(id, namespace, GRAFANA_CONFIG.credentials),
        stringData: {
          [SECRET_KEYS.adminPassword]: password.result,
          [SECRET_KEYS.secretKey]: secretKey.result,
          ...(database === undefined ? {} : { [SECRET_KEYS.databasePassword]: database.password }),
          ...(sso === undefined ? {} : { [SECRET_KEYS.ssoClientSecret]: sso.clientSecret }),
        },
      },
      children,
    );

    const provisioning = deployGrafanaProvisioning(
      name,
      settings,
      backends,
      extraDashboards.folders,
      id,
      children,
    );
    const workload = deployGrafanaWorkload(name, settings, id, { credentials, ...provisioning }, children);
    const exposure = deployGrafanaExposure(name, settings, id, workload.services[0], children);
    this.url = GrafanaStack.publicUrl(settings);
    this.internalUrl = workloadUrl(GRAFANA, namespace, "http");
    if (sso !== undefined) {
      this.oauthRedirectUrl = `${this.url}/login/${sso.provider}`;
    }
    deployGrafanaAccess(
      name,
      settings,
      {
        adminUser: settings.grafana.adminUser,
        adminPassword: password.result,
        ready: [workload.controller, exposure],
      },
      children,
    );

    this.adminUser = settings.grafana.adminUser;
    this.adminPassword = pulumi.secret(password.result);
    this.endpoint = grafanaEndpoint(config);
    this.serviceAccounts = settings.metrics.remoteWrite === undefined ? {} : grafanaServiceAccounts(settings);
    this.flows = settings.wiring;
    this.grafana = {
      url: this.internalUrl,
      endpoint: this.endpoint,
      publicUrl: this.url,
      servedBy: { component: subject, flows: this.flows },
    };
    deployAdmissions(this, name, "querier", peeredFlows(config, args), args.wiring);
    this.registerOutputs({
      url: this.url,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
      oauthRedirectUrl: this.oauthRedirectUrl,
    });
  }
}
