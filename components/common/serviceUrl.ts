/** The in-cluster URL of a Service port: what one component configures to reach another. */
export function clusterUrl(service: string, namespace: string, port: number, scheme = "http"): string {
  return `${scheme}://${service}.${namespace}.svc:${port}`;
}

/** `host:port` of a Service, for gRPC clients that take no scheme. */
export function clusterAddress(service: string, namespace: string, port: number): string {
  return `${service}.${namespace}.svc:${port}`;
}

/** The port of a `host:port` the config schema has already validated. */
export const portOfAddress = (hostPort: string): number => Number(hostPort.split(":")[1]);

/** The port a URL connects to, explicit or its scheme's. */
export function portOfUrl(url: string): number {
  const parsed = new URL(url);
  return parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
}
