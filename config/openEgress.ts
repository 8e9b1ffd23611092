import { keyPath } from "./errors";
import type { StackConfig } from "./stackConfig";

/**
 * What a production stack (profile eks) is told at preview of each connection out that its config
 * leaves open to any address or port: the API server's, the nodes', object storage's, Grafana's
 * database's and Prometheus' to the apps' pods, each naming the key that closes it. kind says
 * nothing: its peers are on the laptop.
 */
export function openEgressWarnings(
  config: Pick<StackConfig, "profile" | "cluster" | "storage" | "grafana" | "apps" | "metrics">,
): string[] {
  if (config.profile !== "eks") return [];
  const annotated = [
    ...new Set([...config.apps.namespaces, ...config.metrics.annotationDiscovery.namespaces]),
  ];
  return [
    ...(config.cluster.apiServerCidrs === undefined
      ? [
          `${keyPath(["cluster", "apiServerCidrs"])} is unset: the workloads that call the Kubernetes API server may connect to any address on 443 and 6443; set it to the addresses of the control plane's network interfaces (the subnets the cluster was created with)`,
        ]
      : []),
    ...(config.cluster.nodeCidrs === undefined
      ? [
          `${keyPath(["cluster", "nodeCidrs"])} is unset: Prometheus may connect to any address on 10250 (the kubelets) and 9100 (node-exporter, on the host network); set it to the subnets the cluster's nodes run in`,
        ]
      : []),
    ...(config.storage.s3 !== undefined && config.storage.endpointCidrs === undefined
      ? [
          `${keyPath(["storage", "endpointCidrs"])} is unset: the workloads that read and write buckets may connect to any address on 443; set it to the CIDRs of the region's S3 prefix list and the subnets of an STS interface endpoint`,
        ]
      : []),
    ...(config.grafana.database !== undefined && config.grafana.database.cidrs === undefined
      ? [
          `${keyPath(["grafana", "database", "cidrs"])} is unset: Grafana may connect to any address on its database's port; set it to the database's subnets`,
        ]
      : []),
    ...(annotated.length > 0 && config.metrics.annotationDiscovery.ports === undefined
      ? [
          `${keyPath(["metrics", "annotationDiscovery", "ports"])} is unset: Prometheus may connect to every port of ${annotated.join(", ")}; set it to the ports annotated pods are scraped on ([] when apps.services names every target)`,
        ]
      : []),
  ];
}
