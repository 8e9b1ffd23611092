import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName } from "../../config";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { MetricsSettings } from "./settings";
import { DatastoreExporter, datastoreExporters } from "./datastores";

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
  for (const exporter of datastoreExporters(config.metrics)) {
    const runs = exporterContainer(config, exporter, exporter.spec.name);
    deployWorkload(
      name,
      {
        spec: exporter.spec,
        component: "metrics",
        image: runs.image,
        namespace: config.namespaces.observability,
        settings: config,
        placement: runs.workload,
        secrets: [{ stringData: runs.credentials }],
        container: {
          name: "exporter",
          env: runs.env,
          resources: runs.resources,
          livenessProbe: httpProbe("http-metrics", runs.healthPath, { failureThreshold: LIVENESS_FAILURES }),
          readinessProbe: httpProbe("http-metrics", runs.healthPath, { initialDelaySeconds: 2 }),
        },
        controller: { kind: "Deployment", replicas: 1 },
        services: [{}],
        wiring: config.wiring,
      },
      opts,
    );
  }
}
