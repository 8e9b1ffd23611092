// The demo services as the server tests run them: the rendered environment of each, and the
// rendered app scrape job over their local ports.
import { DEMO_NAMESPACE, DEMO_SERVICES } from "../../components/demo/names";
import { APP_TRACING_CONFIGMAP } from "../../components/tracing/names";
import { KubeObject } from "../../render/manifest";
import { Json } from "./json";
import { prometheusYml } from "./rendered";

/** The rendered env of a demo Deployment, ConfigMap references resolved from the rendered ConfigMap. */
export function renderedDemoEnv(objects: readonly KubeObject[], service: string): Record<string, string> {
  const deployment = objects.find(
    (o) => o.kind === "Deployment" && o.metadata.namespace === DEMO_NAMESPACE && o.metadata.name === service,
  ) as unknown as Json;
  const tracing = objects.find(
    (o) =>
      o.kind === "ConfigMap" &&
      o.metadata.namespace === DEMO_NAMESPACE &&
      o.metadata.name === APP_TRACING_CONFIGMAP,
  ) as unknown as Json;
  const env = deployment.spec.template.spec.containers[0].env as Json[];
  return Object.fromEntries(
    env.map((e) => [
      e.name,
      (e.value as string | undefined) ?? (tracing.data[e.valueFrom.configMapKeyRef.key] as string),
    ]),
  );
}

/**
 * The rendered app job, unchanged, over static targets that carry the discovery labels an
 * EndpointSlice of each demo Service would: its relabeling keeps them and names `service`. Demo
 * services without a local port are left out.
 */
export function demoScrapeJob(
  objects: readonly KubeObject[],
  ports: ReadonlyMap<string, number>,
  scrapeInterval: string,
): Json {
  const appJob = (prometheusYml(objects).scrape_configs as Json[]).find(
    (job) =>
      (job.kubernetes_sd_configs as Json[] | undefined)?.some((sd) =>
        ((sd.namespaces?.names as string[] | undefined) ?? []).includes(DEMO_NAMESPACE),
      ) && (job.relabel_configs as Json[]).some((r) => r.target_label === "service"),
  ) as Json;
  return {
    ...Object.fromEntries(Object.entries(appJob).filter(([key]) => key !== "kubernetes_sd_configs")),
    scrape_interval: scrapeInterval,
    static_configs: DEMO_SERVICES.filter((service) => ports.has(service.name)).map((service) => ({
      targets: [`127.0.0.1:${ports.get(service.name)}`],
      labels: {
        __meta_kubernetes_namespace: DEMO_NAMESPACE,
        __meta_kubernetes_service_name: service.name,
        __meta_kubernetes_endpointslice_port: String(service.port),
        __meta_kubernetes_pod_name: `${service.name}-6c9d7f-x2kq4`,
      },
    })),
  };
}
