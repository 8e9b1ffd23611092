import type { KubeObject } from "../render/manifest";

interface StatefulSetSpec {
  readonly serviceName?: string;
  readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> } };
}

interface ServiceSpec {
  readonly clusterIP?: string;
  readonly selector?: Record<string, string>;
}

/**
 * Every StatefulSet's `serviceName` names a headless Service of its namespace that selects its
 * pods: that Service is what gives each pod its stable DNS name (`<pod>.<service>`). A ClusterIP
 * Service there gives the pods no records at all.
 */
export function governingServiceProblems(objects: readonly KubeObject[]): string[] {
  return objects
    .filter((o) => o.kind === "StatefulSet")
    .flatMap((set) => {
      const spec = set.spec as StatefulSetSpec;
      const where = `StatefulSet/${set.metadata.namespace ?? ""}/${set.metadata.name}`;
      const service = objects.find(
        (o) =>
          o.kind === "Service" &&
          o.metadata.name === spec.serviceName &&
          o.metadata.namespace === set.metadata.namespace,
      );
      if (service === undefined) {
        return [`${where}: its serviceName ${String(spec.serviceName)} names no Service of the stack`];
      }
      const problems: string[] = [];
      const serviceSpec = service.spec as ServiceSpec;
      if (serviceSpec.clusterIP !== "None") {
        problems.push(
          `${where}: its governing Service ${service.metadata.name} is not headless (clusterIP: None)`,
        );
      }
      const podLabels = spec.template?.metadata?.labels ?? {};
      const selector = serviceSpec.selector ?? {};
      if (
        Object.keys(selector).length === 0 ||
        !Object.entries(selector).every(([key, value]) => podLabels[key] === value)
      ) {
        problems.push(`${where}: its governing Service ${service.metadata.name} does not select its pods`);
      }
      return problems;
    });
}
