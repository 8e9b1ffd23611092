import { hardenedPodSpec, podTemplate, ContainerSpec } from "../../components/common/podSpec";
import { httpProbe } from "../../components/common/probes";
import { HostAccessName } from "../../components/common/hostAccess";
import { PodPlatform } from "../../components/common/placement";
import { KubeObject } from "../../render/manifest";

/** A container as a component would describe it. */
export const exampleContainer: ContainerSpec = {
  name: "server",
  image: "quay.io/prometheus/prometheus:v3.5.0",
  args: ["--config.file=/etc/prometheus/prometheus.yml"],
  ports: [{ name: "http", containerPort: 9090 }],
  resources: {
    requests: { cpu: "100m", memory: "256Mi", ephemeralStorage: "32Mi" },
    limits: { cpu: "500m", memory: "512Mi", ephemeralStorage: "128Mi" },
  },
  livenessProbe: httpProbe("http", "/-/healthy"),
  readinessProbe: httpProbe("http", "/-/ready"),
  scratchPaths: ["/tmp"],
};

/** Stack config that places nothing and pulls from the public registries (both profiles' default). */
export const examplePlatform: PodPlatform = { placement: {}, pullSecrets: [] };

/** A Deployment built with the shared building blocks, for checks to pass or to be broken by hand. */
export function exampleDeployment(
  options: { name?: string; namespace?: string; hostAccess?: HostAccessName; container?: ContainerSpec } = {},
): KubeObject {
  const name = options.name ?? "example";
  const id = { name, component: "test", image: exampleContainer.image };
  const spec = hardenedPodSpec({
    platform: examplePlatform,
    containers: [options.container ?? exampleContainer],
    ...(options.hostAccess === undefined ? {} : { hostAccess: options.hostAccess }),
  });
  return JSON.parse(
    JSON.stringify({
      apiVersion: "apps/v1",
      kind: options.hostAccess === undefined ? "Deployment" : "DaemonSet",
      metadata: {
        name,
        namespace: options.namespace ?? "observability",
        labels: { "app.kubernetes.io/part-of": "observability" },
      },
      spec: {
        ...(options.hostAccess === undefined ? { replicas: 1 } : {}),
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: podTemplate(id, spec, { config: "scrape_interval: 15s" }),
      },
    }),
  ) as KubeObject;
}
