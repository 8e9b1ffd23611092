/**
 * The namespace of a `host:port` scrape target that names a cluster Service
 * (`<service>.<namespace>.svc[.cluster.local]`); undefined for any other host, which is outside
 * the cluster as far as NetworkPolicies can tell.
 */
export function clusterServiceNamespace(target: string): string | undefined {
  const host = target.split(":")[0];
  return /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host)?.[1];
}
