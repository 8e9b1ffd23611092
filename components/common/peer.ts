import * as pulumi from "@pulumi/pulumi";
import { clusterServiceNamespace } from "../../config/metrics/scrapeTargets";
import { Endpoint, Flow, outside, tcp } from "./flow";
import { portOfUrl } from "./serviceUrl";

/** A service a component connects to, another component's or the user's own. */
export interface Peer {
  /** Where it answers, e.g. `http://alertmanager.monitoring.svc:9093`. */
  readonly url: pulumi.Input<string>;
  /**
   * Its pods, which the component's NetworkPolicy lets it reach.
   * @default from `url` when it is a string: the namespace of a Service's `<name>.<namespace>.svc`
   * host, anywhere outside the cluster for another host, on the URL's port. Required when `url` is
   * an Output.
   */
  readonly endpoint?: Endpoint;
  /**
   * The component of this package that serves it, as its peers (`logs.loki`, `metrics.alertmanager`)
   * say: a connection its NetworkPolicies do not admit is admitted by one the connecting component
   * registers itself.
   * @default none: a peer of your own, which admits the connection itself
   */
  readonly servedBy?: PeerServer;
}

/** Where a Prometheus answers for several clusters, told apart by one label. */
export interface ClusterChoice {
  /** The label every series carries its cluster in (an external label). */
  readonly label: string;
  /** This cluster's own value, selected when a dashboard opens. */
  readonly current: string;
}

/** A Prometheus query API: MetricsStack's `prometheusQuery`, Amazon Managed Prometheus, or your own. */
export interface PrometheusPeer extends Peer {
  /** Requests are signed with AWS SigV4 for this region (Amazon Managed Prometheus). @default unsigned */
  readonly sigV4Region?: string;
  /** It answers for several clusters (a hub's Thanos Query); dashboards pick one. @default this cluster's alone */
  readonly clusters?: ClusterChoice;
  /**
   * It is Thanos Query: the retention and scrape interval behind it, which Kiali cannot ask it for.
   * @default it is Prometheus itself
   */
  readonly thanos?: { readonly retention: string; readonly scrapeInterval: string };
}

/** A Loki: LogsStack's `loki`, or your own. */
export interface LokiPeer extends Peer {
  /** The tenant its queries send (`X-Scope-OrgID`). @default none: Loki without multi-tenancy */
  readonly tenant?: string;
  /** The expression of a trace ID in a log line, which links lines to their traces. @default no link */
  readonly traceIdExpression?: string;
}

/** A Grafana: GrafanaStack's `grafana`, or your own. */
export interface GrafanaPeer extends Peer {
  /** Where people open it: trace links open its Explore there. */
  readonly publicUrl: string;
}

/** A component of this package serving a peer, with whom its NetworkPolicies admit. */
export interface PeerServer {
  /** How it is named, e.g. `LogsStack "logs"`. */
  readonly component: string;
  /** The flows its NetworkPolicies are made of. */
  readonly flows: readonly Flow[];
}

/** Why a peer an arg (`key`) names cannot be wired: an Output URL needs its endpoint. */
export function peerProblems(peer: Peer | undefined, key: string): string[] {
  return peer !== undefined && typeof peer.url !== "string" && peer.endpoint === undefined
    ? [
        `args.${key}.endpoint is required when args.${key}.url is an Output: it names the pods the component may reach`,
      ]
    : [];
}

/**
 * The flow from `from` to a peer that peerProblems accepts: to its endpoint on its URL's port
 * (every port when the URL is an Output), or to where its URL points.
 */
export function peerFlow(from: Endpoint, peer: Peer, why: string): Flow {
  const url = peer.url;
  if (typeof url !== "string") {
    return { from, to: peer.endpoint ?? outside(why), ports: [], why };
  }
  const { hostname } = new URL(url);
  const port = portOfUrl(url);
  const namespace = clusterServiceNamespace(`${hostname}:${port}`);
  const to: Endpoint =
    peer.endpoint ?? (namespace === undefined ? outside(`${hostname}`) : { kind: "namespace", namespace });
  return { from, to, ports: tcp(port), why };
}
