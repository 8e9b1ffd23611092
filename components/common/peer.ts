import * as pulumi from "@pulumi/pulumi";
import { clusterServiceNamespace } from "../../config/scrapeTargets";
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
