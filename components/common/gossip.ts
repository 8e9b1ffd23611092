import { ContainerPort } from "./podSpec";
import { ServicePort } from "./service";

// Cluster gossip (memberlist: Alertmanager, Grafana's alerting) runs on one port over TCP and UDP.

export function gossipContainerPorts(port: number): ContainerPort[] {
  return [
    { name: "mesh-tcp", containerPort: port },
    { name: "mesh-udp", containerPort: port, protocol: "UDP" },
  ];
}

export function gossipServicePorts(port: number): ServicePort[] {
  return [
    { name: "mesh-tcp", port },
    { name: "mesh-udp", port, protocol: "UDP" },
  ];
}
