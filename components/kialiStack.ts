import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { componentConfig, componentConfigError } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { Flow, dnsFlows } from "./common/flow";
import { GrafanaPeer, Peer, PrometheusPeer, peerFlow, peerProblems } from "./common/peer";
import { PeeredFlow, deployAdmissions } from "./common/admissions";
import { KialiServiceAccounts, kialiServiceAccounts } from "./kiali/serviceAccounts";
import { ScrapeConfig } from "./common/prometheusTypes";
import { workloadScrapeJob } from "./common/scrapeJobs";
import { PLATFORM_SECTIONS, PlatformArgs, SectionArgs, platformSettings } from "./common/settings";
import { KialiClients, kialiApiFlows, kialiEndpoint, kialiFlows, kialiRuns } from "./kiali/flows";
import { deployKialiExposure, kialiAccess, kialiPublicUrl } from "./kiali/kialiExposure";
import { kialiNamespaces } from "./kiali/kialiConfig";
import { deployKiali } from "./kiali/kialiWorkload";
import { KIALI } from "./kiali/names";
import { KialiBackends, KialiSettings } from "./kiali/settings";

/** The stack-config sections KialiStack reads. */
const READS: readonly ConfigRead[] = [...PLATFORM_SECTIONS, "mesh", "exposure"];

/**
 * What KialiStack takes: the stack config's `mesh` and `exposure` over the platform sections, each
 * key defaulting as in a stack file of the profile, and the services it reads.
 */
export interface KialiStackArgs extends PlatformArgs {
  /**
   * `istio`: the meshed namespaces and istiod's, which Kiali reads (stack config `mesh`); it must
   * be enabled, with `kiali` on.
   */
  readonly mesh?: SectionArgs<"mesh">;
  /** How people reach Kiali. */
  readonly exposure?: SectionArgs<"exposure">;
  /**
   * The Prometheus query endpoint the sidecars' and istiod's metrics are in (MetricsStack's
   * `prometheusUrl`), and, when it is Thanos Query, the retention and scrape interval Kiali cannot
   * ask it for.
   */
  readonly prometheus: PrometheusPeer;
  /** Tempo's query API, for the traces of what Kiali shows. @default none: no traces in Kiali */
  readonly tempo?: Peer;
  /**
   * Grafana: its in-cluster `url` (checked by Kiali) and `publicUrl`, where its trace links open
   * Explore on the `tempo` datasource. @default none: no Grafana in Kiali, and no trace links
   */
  readonly grafana?: GrafanaPeer;
  /** The workloads of other components that connect to Kiali: a Prometheus scraping it. @default none */
  readonly clients?: KialiClients;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): its workloads' NetworkPolicies
   * are made of those into and out of them.
   * @default its own: people, the API server, DNS, the peers and `clients`
   */
  readonly wiring?: readonly Flow[];
}

const PEERS = ["prometheus", "tempo", "grafana"] as const;

/** The flows to the peers Kiali queries. */
function peeredFlows(config: StackConfig, args: Pick<KialiStackArgs, (typeof PEERS)[number]>): PeeredFlow[] {
  const kiali = kialiEndpoint(config);
  return PEERS.flatMap((key) => {
    const peer = args[key];
    return peer === undefined ? [] : [{ key, peer, flow: peerFlow(kiali, peer, "queries") }];
  });
}

/** The in-cluster URLs the args give, as Kiali's config takes them. */
function backendsOf(args: KialiStackArgs): KialiBackends {
  const url = (peer: Peer): string => peer.url as string;
  return {
    prometheus: {
      url: url(args.prometheus),
      ...(args.prometheus.thanos === undefined ? {} : { thanos: args.prometheus.thanos }),
    },
    ...(args.tempo === undefined ? {} : { tempoUrl: url(args.tempo) }),
    ...(args.grafana === undefined
      ? {}
      : { grafana: { internalUrl: url(args.grafana), publicUrl: args.grafana.publicUrl } }),
  };
}

/** Why the peers cannot go into Kiali's config file: it needs each URL as text. */
function urlProblems(args: KialiStackArgs): string[] {
  return PEERS.flatMap((key) => {
    const peer = args[key];
    return peer !== undefined && typeof peer.url !== "string"
      ? [`args.${key}.url must be a string: it is written into Kiali's config file`]
      : [];
  });
}

/**
 * Kiali, the Istio mesh's console, on this stack's signals: the sidecars' and istiod's metrics in
 * Prometheus, traces in Tempo, trace links into Grafana. Read-only (Kiali's viewer role, as Roles
 * in the namespaces it shows; view-only mode) and anonymous: on kind people reach it on the host's
 * loopback only, on eks through the same kind of Ingress as Grafana with the ALB's authentication.
 */
export class KialiStack extends pulumi.ComponentResource {
  /** Where people open it; none on eks without `exposure.ingress.kiali`. */
  public readonly url?: string;
  /** How people reach it: its URL, else a port-forward. */
  public readonly access: string;
  /** The namespaces it shows. */
  public readonly namespaces: readonly string[];
  /** The flows its NetworkPolicies are made of. */
  public readonly flows: readonly Flow[];
  /** The ServiceAccounts it creates. */
  public readonly serviceAccounts: KialiServiceAccounts;

  /** Where people open Kiali, known from the settings alone (for links in other components). */
  static publicUrl(settings: Pick<StackConfig, "exposure" | "mesh">): string | undefined {
    return kialiRuns(settings) ? kialiPublicUrl(settings.exposure) : undefined;
  }

  /** Kiali's own metrics, for Prometheus, when it runs: they depend only on the settings. */
  static scrapeJobs(settings: Pick<StackConfig, "namespaces" | "mesh">): ScrapeConfig[] {
    return kialiRuns(settings) ? [workloadScrapeJob(KIALI, settings.namespaces.observability)] : [];
  }

  /** The flows of its workload deployed alone: people, the API server, its DNS, the peers and `clients`. */
  static flows(config: StackConfig, args: Pick<KialiStackArgs, (typeof PEERS)[number] | "clients">): Flow[] {
    return [
      ...kialiFlows(config, args.clients),
      ...kialiApiFlows(config),
      ...peeredFlows(config, args).map((p) => p.flow),
      ...dnsFlows([kialiEndpoint(config)]),
    ];
  }

  constructor(name: string, args: KialiStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const subject = `KialiStack "${name}"`;
    const config = componentConfig(subject, args, READS);
    const problems = [
      ...(kialiRuns(config)
        ? []
        : ["args.mesh.istio must be enabled, with kiali true: Kiali shows an Istio mesh"]),
      ...peeredFlows(config, args).flatMap((p) => peerProblems(p.peer, p.key)),
      ...urlProblems(args),
    ];
    if (problems.length > 0) {
      throw componentConfigError(subject, problems);
    }
    const settings: KialiSettings = {
      ...platformSettings(config),
      mesh: config.mesh,
      exposure: config.exposure,
      wiring: args.wiring ?? KialiStack.flows(config, args),
    };
    super("observability:index:KialiStack", name, {}, opts);
    const children = { parent: this };

    // Every namespace Kiali gets Roles in must exist: a missing one fails the preview by name.
    const observed = kialiNamespaces(settings).filter((ns) => ns !== settings.namespaces.observability);
    const reads = observed.map((ns) =>
      k8s.core.v1.Namespace.get(`${name}-namespace-${ns}`, ns, {
        ...children,
        ...(opts?.dependsOn === undefined ? {} : { dependsOn: opts.dependsOn }),
      }),
    );
    const workload = deployKiali(name, settings, backendsOf(args), { ...children, dependsOn: reads });
    deployKialiExposure(name, settings, workload.services[0], children);

    this.url = KialiStack.publicUrl(config);
    this.access = kialiAccess(config);
    this.namespaces = kialiNamespaces(settings);
    this.flows = settings.wiring;
    this.serviceAccounts = kialiServiceAccounts(settings);
    deployAdmissions(this, name, "meshConsole", peeredFlows(config, args), args.wiring);
    this.registerOutputs({ url: this.url, access: this.access });
  }
}
