import type { ContainerPort } from "./podSpec";
import type { ServicePort } from "./service";
import { clusterAddress, clusterUrl } from "./serviceUrl";

/** A destination port as a NetworkPolicy and the wiring graph see it. */
export interface Port {
  readonly protocol: "TCP" | "UDP";
  readonly port: number;
}

/** One port a workload listens on, declared once in its `names.ts`. */
export interface PortSpec {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
  /** Prometheus scrapes the workload's own metrics on this port, through its Service. */
  readonly scrape?: true;
  /**
   * Not published by the workload's client Service: pod-to-pod or probe-only ports (internal
   * gRPC, health), and ports another Service publishes.
   */
  readonly containerOnly?: true;
}

/**
 * A workload's name and ports: the one source its container ports, Services, scrape job, URLs and
 * the wiring graph's ports derive from. Port names are the container port names Services target.
 */
export interface WorkloadSpec<P extends string = string> {
  readonly name: string;
  readonly ports: Readonly<Record<P, PortSpec>>;
}

export function workloadSpec<P extends string>(
  name: string,
  ports: Readonly<Record<P, PortSpec>>,
): WorkloadSpec<P> {
  return { name, ports };
}

function selected<P extends string>(spec: WorkloadSpec<P>, names?: readonly P[]): [P, PortSpec][] {
  return (names ?? (Object.keys(spec.ports) as P[])).map((name) => [name, spec.ports[name]]);
}

/** The container ports, in the order the spec (or `names`) lists them. */
export function containerPorts<P extends string>(
  spec: WorkloadSpec<P>,
  names?: readonly P[],
): ContainerPort[] {
  return selected(spec, names).map(([name, p]) => ({
    name,
    containerPort: p.port,
    ...(p.protocol === undefined ? {} : { protocol: p.protocol }),
  }));
}

/** The ports a Service publishes: every port but container-only ones, or exactly `names`. */
export function servicePorts<P extends string>(
  spec: WorkloadSpec<P>,
  options: { readonly names?: readonly P[]; readonly nodePorts?: Partial<Record<P, number>> } = {},
): ServicePort[] {
  return selected(spec, options.names)
    .filter(([, p]) => options.names !== undefined || p.containerOnly !== true)
    .map(([name, p]) => {
      const nodePort = options.nodePorts?.[name];
      return {
        name,
        port: p.port,
        ...(p.protocol === undefined ? {} : { protocol: p.protocol }),
        ...(nodePort === undefined ? {} : { nodePort }),
      };
    });
}

/** The name of the port Prometheus scrapes, if the workload has one. */
export function scrapePortName<P extends string>(spec: WorkloadSpec<P>): P | undefined {
  return selected(spec).find(([, p]) => p.scrape === true)?.[0];
}

/** Network ports of the named spec ports (all of them if none are named), deduplicated and sorted. */
export function networkPorts<P extends string>(spec: WorkloadSpec<P>, ...names: P[]): Port[] {
  const ports = selected(spec, names.length === 0 ? undefined : names).map(([, p]) => ({
    protocol: p.protocol ?? "TCP",
    port: p.port,
  }));
  return ports
    .filter((p, i) => ports.findIndex((q) => q.port === p.port && q.protocol === p.protocol) === i)
    .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** The in-cluster URL of one of the workload's ports, through its Service. */
export function workloadUrl<P extends string>(spec: WorkloadSpec<P>, namespace: string, port: P): string {
  return clusterUrl(spec.name, namespace, spec.ports[port].port);
}

/** `host:port` of one of the workload's ports, for gRPC clients that take no scheme. */
export function workloadAddress<P extends string>(spec: WorkloadSpec<P>, namespace: string, port: P): string {
  return clusterAddress(spec.name, namespace, spec.ports[port].port);
}
