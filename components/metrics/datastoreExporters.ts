import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { serviceArgs } from "../common/service";
import { workloadPolicy } from "../wiring/policies";
import { ContainerSpec, hardenedPodSpec, podTemplate } from "../common/podSpec";
import { httpProbe } from "../common/probes";
import { ScrapeConfig } from "./prometheusTypes";
import { serviceScrapeJob } from "./scrapeRegistry";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** One exporter per database or cache listed in `metrics.exporters`. */
interface DatastoreExporter {
  readonly name: string;
  readonly port: number;
  readonly image: string;
  readonly resources: StackConfig["resources"]["postgresExporter"];
  /** Secret keys → values (Pulumi secrets). */
  readonly credentials: Record<string, pulumi.Input<string>>;
  readonly env: (secretName: string) => EnvVar[];
  readonly healthPath: string;
  /** The datastore's port, for egress. */
  readonly targetPort: number;
}

const POSTGRES_PORT = 9187;
const REDIS_PORT = 9121;

export function datastoreExporters(config: StackConfig): DatastoreExporter[] {
  const fromSecret = (secretName: string, key: string): EnvVar["valueFrom"] => ({
    secretKeyRef: { name: secretName, key },
  });
  return [
    ...config.metrics.exporters.postgres.map(
      (target): DatastoreExporter => ({
        name: `postgres-exporter-${target.name}`,
        port: POSTGRES_PORT,
        image: config.images.postgresExporter,
        resources: config.resources.postgresExporter,
        credentials: { dsn: target.dsn },
        env: (secret: string) => [{ name: "DATA_SOURCE_NAME", valueFrom: fromSecret(secret, "dsn") }],
        healthPath: "/",
        targetPort: target.port,
      }),
    ),
    ...config.metrics.exporters.redis.map(
      (target): DatastoreExporter => ({
        name: `redis-exporter-${target.name}`,
        port: REDIS_PORT,
        image: config.images.redisExporter,
        resources: config.resources.redisExporter,
        credentials: target.password === undefined ? {} : { password: target.password },
        env: (secret: string) => [
          { name: "REDIS_ADDR", value: `redis://${target.address}` },
          ...(target.password === undefined
            ? []
            : [{ name: "REDIS_PASSWORD", valueFrom: fromSecret(secret, "password") }]),
        ],
        healthPath: "/health",
        targetPort: Number(target.address.split(":")[1]),
      }),
    ),
  ];
}

/** The scrape job of each configured datastore exporter. */
export function datastoreScrapeJobs(config: StackConfig): ScrapeConfig[] {
  return datastoreExporters(config).map((e) =>
    serviceScrapeJob({
      job: e.name,
      namespace: config.namespaces.observability,
      service: e.name,
      portName: "http-metrics",
    }),
  );
}

/**
 * postgres-exporter and redis-exporter Deployments for the datastores in stack config. Credentials
 * stay Pulumi secrets into a Secret per exporter, read through secretKeyRef, never as literals.
 */
export function deployDatastoreExporters(
  name: string,
  config: StackConfig,
  opts: pulumi.CustomResourceOptions,
): void {
  const namespace = config.namespaces.observability;
  for (const exporter of datastoreExporters(config)) {
    const id = { name: exporter.name, component: "metrics", image: exporter.image };
    const secret = new k8s.core.v1.Secret(
      `${name}-${exporter.name}`,
      { metadata: objectMeta(id, namespace), stringData: exporter.credentials },
      opts,
    );
    const container: ContainerSpec = {
      name: "exporter",
      image: exporter.image,
      env: exporter.env(exporter.name),
      ports: [{ name: "http-metrics", containerPort: exporter.port }],
      resources: exporter.resources,
      livenessProbe: httpProbe("http-metrics", exporter.healthPath),
      readinessProbe: httpProbe("http-metrics", exporter.healthPath, { initialDelaySeconds: 2 }),
    };
    new k8s.apps.v1.Deployment(
      `${name}-${exporter.name}`,
      {
        metadata: objectMeta(id, namespace),
        spec: {
          replicas: 1,
          selector: { matchLabels: selectorLabels(id) },
          template: podTemplate(id, hardenedPodSpec({ containers: [container] })),
        },
      },
      { ...opts, dependsOn: [secret] },
    );
    new k8s.core.v1.Service(
      `${name}-${exporter.name}`,
      serviceArgs({ id, namespace, ports: [{ name: "http-metrics", port: exporter.port }] }),
      opts,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-${exporter.name}`,
      workloadPolicy(config, namespace, id),
      opts,
    );
  }
}
