import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName } from "../../config";
import { selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { ContainerSpec, hardenedPodSpec, podTemplate } from "../common/podSpec";
import { podPlatform } from "../common/placement";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { serviceArgs } from "../common/service";
import { containerPorts, servicePorts } from "../common/workloadSpec";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { DatastoreExporter, datastoreExporters } from "./names";
import { MetricsSettings } from "./settings";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** How an exporter of each kind runs: its image, resources, credentials and health endpoint. */
function exporterContainer(
  config: MetricsSettings,
  exporter: DatastoreExporter,
  secretName: string,
): {
  /** The placement key (`placement.postgresExporter` or `placement.redisExporter`). */
  readonly workload: PlacedWorkloadName;
  readonly image: string;
  readonly resources: MetricsSettings["resources"]["postgresExporter"];
  /** Secret keys → values (Pulumi secrets). */
  readonly credentials: Record<string, pulumi.Input<string>>;
  readonly env: EnvVar[];
  readonly healthPath: string;
} {
  const fromSecret = (key: string): EnvVar["valueFrom"] => ({ secretKeyRef: { name: secretName, key } });
  if (exporter.kind === "postgres") {
    return {
      workload: "postgresExporter",
      image: config.images.postgresExporter,
      resources: config.resources.postgresExporter,
      credentials: { dsn: exporter.target.dsn },
      env: [{ name: "DATA_SOURCE_NAME", valueFrom: fromSecret("dsn") }],
      healthPath: "/",
    };
  }
  const password = exporter.target.password;
  return {
    workload: "redisExporter",
    image: config.images.redisExporter,
    resources: config.resources.redisExporter,
    credentials: password === undefined ? {} : { password },
    env: [
      { name: "REDIS_ADDR", value: `redis://${exporter.target.address}` },
      ...(password === undefined ? [] : [{ name: "REDIS_PASSWORD", valueFrom: fromSecret("password") }]),
    ],
    healthPath: "/health",
  };
}

/**
 * postgres-exporter and redis-exporter Deployments for the datastores in stack config. Credentials
 * stay Pulumi secrets into a Secret per exporter, read through secretKeyRef, never as literals.
 */
export function deployDatastoreExporters(
  name: string,
  config: MetricsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  const namespace = config.namespaces.observability;
  for (const exporter of datastoreExporters(config.metrics)) {
    const workload = exporter.spec.name;
    const runs = exporterContainer(config, exporter, workload);
    const id = { name: workload, component: "metrics", image: runs.image };
    const secret = new k8s.core.v1.Secret(
      `${name}-${workload}`,
      { metadata: objectMeta(id, namespace), stringData: runs.credentials },
      opts,
    );
    const container: ContainerSpec = {
      name: "exporter",
      image: runs.image,
      env: runs.env,
      ports: containerPorts(exporter.spec),
      resources: runs.resources,
      livenessProbe: httpProbe("http-metrics", runs.healthPath, { failureThreshold: LIVENESS_FAILURES }),
      readinessProbe: httpProbe("http-metrics", runs.healthPath, { initialDelaySeconds: 2 }),
    };
    new k8s.apps.v1.Deployment(
      `${name}-${workload}`,
      {
        metadata: objectMeta(id, namespace),
        spec: {
          replicas: 1,
          selector: { matchLabels: selectorLabels(id) },
          template: podTemplate(
            id,
            hardenedPodSpec({ platform: podPlatform(config, runs.workload), containers: [container] }),
          ),
        },
      },
      { ...opts, dependsOn: [secret] },
    );
    new k8s.core.v1.Service(
      `${name}-${workload}`,
      serviceArgs({ id, namespace, ports: servicePorts(exporter.spec) }),
      opts,
    );
    deployWorkloadPolicy(`${name}-${workload}`, config.wiring, namespace, id, opts);
  }
}
