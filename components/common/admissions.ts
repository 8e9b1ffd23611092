import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Endpoint, Flow, Port } from "./flow";
import { admissionPolicy } from "./flowPolicies";
import { Peer } from "./peer";

/** A peer an arg (`key`) names, and the flow the connecting component opens to it. */
export interface PeeredFlow {
  readonly key: string;
  readonly peer: Peer;
  readonly flow: Flow;
}

const portsCover = (admitted: readonly Port[], wanted: readonly Port[]) =>
  admitted.length === 0 ||
  (wanted.length > 0 &&
    wanted.every((p) => admitted.some((a) => a.protocol === p.protocol && a.port === p.port)));

/** Whether a flow's source admits the pods of `from`: the same workload, or its whole namespace. */
function sourceCovers(source: Endpoint, from: Endpoint): boolean {
  if (from.kind !== "workload") return false;
  return source.kind === "workload"
    ? source.namespace === from.namespace && source.name === from.name
    : source.kind === "namespace" && source.namespace === from.namespace;
}

const sameWorkload = (a: Endpoint, b: Endpoint) =>
  a.kind === "workload" && b.kind === "workload" && a.namespace === b.namespace && a.name === b.name;

/** Whether the server's flows admit `flow` into its workload. */
const admitted = (flows: readonly Flow[], flow: Flow) =>
  flows.some(
    (f) => sameWorkload(f.to, flow.to) && sourceCovers(f.from, flow.from) && portsCover(f.ports, flow.ports),
  );

/**
 * Wires a connecting component (`parent`) to its peers. Into a workload of a peer a component of this
 * package serves, a flow its NetworkPolicies do not admit is admitted by a NetworkPolicy registered
 * here, in the peer's namespace: components given each other's peers reach each other, whichever is
 * constructed first. Unless the caller gave the whole graph (`wiring`), a peer of the caller's own
 * making that points into the connecting workload's namespace, the stack's, gets a warning naming the
 * entry of `clients` (`clientsKey`) its component needs: nothing here can tell whether it admits.
 */
export function deployAdmissions(
  parent: pulumi.Resource,
  name: string,
  clientsKey: string,
  peered: readonly PeeredFlow[],
  wiring: readonly Flow[] | undefined,
): void {
  const registered = new Set<string>();
  for (const { key, peer, flow } of peered) {
    const { to, from } = flow;
    if (peer.servedBy !== undefined && to.kind === "workload" && from.kind === "workload") {
      // Peers of one workload (each Prometheus replica's write URL) share one admission.
      const admission = `${to.namespace}-${to.name}`;
      if (!admitted(peer.servedBy.flows, flow) && !registered.has(admission)) {
        registered.add(admission);
        new k8s.networking.v1.NetworkPolicy(
          `${name}-admit-${admission}`,
          admissionPolicy(flow, `${to.name}-from-${from.namespace}-${from.name}`),
          { parent },
        );
      }
    } else if (
      peer.servedBy === undefined &&
      wiring === undefined &&
      from.kind === "workload" &&
      (to.kind === "workload" || to.kind === "namespace") &&
      to.namespace === from.namespace
    ) {
      void pulumi.log.warn(
        `args.${key} points into ${to.namespace}, whose pods admit only what their component's flows name: ` +
          `give that component's own peer (e.g. metrics.alertmanager, logs.loki, tracing.tempo), which is wired here, ` +
          `or its clients.${clientsKey}`,
        parent,
      );
    }
  }
}
