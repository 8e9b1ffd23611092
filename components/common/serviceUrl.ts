/** The in-cluster URL of a Service port: what one component configures to reach another. */
export function clusterUrl(service: string, namespace: string, port: number, scheme = "http"): string {
  return `${scheme}://${service}.${namespace}.svc:${port}`;
}

/** `host:port` of a Service, for gRPC clients that take no scheme. */
export function clusterAddress(service: string, namespace: string, port: number): string {
  return `${service}.${namespace}.svc:${port}`;
}
