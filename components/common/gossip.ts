import type { PortSpec } from "./workloadSpec";

/**
 * Cluster gossip (memberlist: Alertmanager, Grafana's alerting) on one port over TCP and UDP. Only
 * the peers' headless Service publishes it; clients never need it.
 */
export function gossipPorts(port: number): { readonly "mesh-tcp": PortSpec; readonly "mesh-udp": PortSpec } {
  return {
    "mesh-tcp": { port, containerOnly: true },
    "mesh-udp": { port, protocol: "UDP", containerOnly: true },
  };
}
