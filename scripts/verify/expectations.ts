import * as yaml from "js-yaml";
import { StackConfig } from "../../config";
import { GRAFANA } from "../../components/grafana/names";
import { SECRET_KEYS } from "../../components/grafana/grafanaWorkload";
import { extraScrapeJob } from "../../components/metrics/extraScrapeJobs";
import { ALERTMANAGER, PROMETHEUS } from "../../components/metrics/names";
import { annotatedPodsJob, appServiceJobs } from "../../components/metrics/prometheusConfig";
import { istioJobs } from "../../components/metrics/istioTargets";
import { ALLOY, LOKI } from "../../components/logs/names";
import { COLLECTOR, TEMPO } from "../../components/tracing/names";
import { KubeObject } from "../../render/manifest";
import { alloyNamespace } from "../../components/logs/alloyNamespace";

/** The parts of rendered objects and config files verify reads. */
interface RenderedService {
  readonly metadata: { readonly namespace: string };
  readonly spec: {
    readonly selector: Record<string, string>;
    readonly ports: readonly {
      readonly port: number;
      readonly targetPort?: number | string;
      readonly nodePort?: number;
    }[];
  };
}
interface RenderedWorkload {
  readonly metadata: { readonly namespace: string };
  readonly spec: {
    readonly template: {
      readonly spec: {
        readonly volumes: readonly {
          readonly name: string;
          readonly secret?: { readonly secretName: string };
        }[];
      };
    };
  };
}
type ConfigMapData = { readonly data: Record<string, string> };

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const;
type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface WorkloadRef {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
}

/** A port of a pod behind a Service: reached on the kind NodePort when it has one, else by port-forward. */
export interface ServicePort {
  readonly namespace: string;
  readonly service: string;
  /** The Service's selector, which picks the pod a port-forward goes to. */
  readonly selector: Readonly<Record<string, string>>;
  /** The container port. */
  readonly port: number;
  /** The NodePort kind maps to 127.0.0.1 (kind/cluster.yaml), when the Service exposes this port. */
  readonly nodePort?: number;
}

export type EndpointName =
  | "prometheus"
  | "alertmanager"
  | "loki"
  | "collectorOtlpHttp"
  | "collectorTelemetry"
  | "tempo"
  | "grafana";

/** What the running stack should look like, from its config and its offline render alone. */
export interface VerifyExpectations {
  readonly workloads: readonly WorkloadRef[];
  /** Scrape jobs of the stack's own components: every target must be up. */
  readonly stackJobs: readonly string[];
  /** The apps' and teams' jobs: a target down there is reported, but the stack is not at fault. */
  readonly otherJobs: readonly string[];
  readonly alertmanagerReplicas: number;
  /** The namespaces Alloy tails, and the Loki tenant (undefined: multi-tenancy off). */
  readonly logs: {
    readonly namespaces: readonly string[];
    readonly tenant?: string;
    readonly agent: WorkloadRef;
  };
  readonly datasources: readonly {
    readonly uid: string;
    readonly name: string;
    readonly type: string;
    readonly url: string;
  }[];
  readonly dashboards: {
    readonly folder: string;
    readonly list: readonly { readonly uid: string; readonly title: string }[];
  };
  readonly grafana: {
    readonly adminUser: string;
    readonly secret: { readonly namespace: string; readonly name: string; readonly key: string };
  };
  readonly endpoints: Readonly<Record<EndpointName, ServicePort>>;
}

function find<T>(objects: readonly KubeObject[], kind: string, name: string): T {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (object === undefined) {
    throw new Error(`the render has no ${kind} ${name}`);
  }
  return object as unknown as T;
}

function servicePort(
  objects: readonly KubeObject[],
  service: string,
  port: number,
  mapped: ReadonlySet<number>,
): ServicePort {
  const object = find<RenderedService>(objects, "Service", service);
  // The program publishes every container port on the same Service port number.
  const nodePort = object.spec.ports.find((p) => p.port === port)?.nodePort;
  return {
    namespace: object.metadata.namespace,
    service,
    selector: object.spec.selector,
    port,
    ...(nodePort !== undefined && mapped.has(nodePort) ? { nodePort } : {}),
  };
}

const grafanaKind = (objects: readonly KubeObject[]): string =>
  objects.some((o) => o.kind === "Deployment" && o.metadata.name === GRAFANA.name)
    ? "Deployment"
    : "StatefulSet";

/**
 * Reads the expected shape off the render: workloads, scrape jobs, datasources, dashboards and
 * Services are what the program creates, so verify checks against them rather than a second list.
 */
export function verifyExpectations(config: StackConfig, objects: readonly KubeObject[]): VerifyExpectations {
  const workloads = objects
    .filter((o): o is KubeObject & { kind: WorkloadKind } =>
      (WORKLOAD_KINDS as readonly string[]).includes(o.kind),
    )
    .map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? "default", name: o.metadata.name }));

  const prometheus = yaml.load(
    find<ConfigMapData>(objects, "ConfigMap", "prometheus-config").data["prometheus.yml"],
  ) as { scrape_configs: { job_name: string }[] };
  const jobs = prometheus.scrape_configs.map((job) => job.job_name);
  const annotated = [...config.apps.namespaces, ...config.metrics.annotationDiscovery.namespaces];
  const foreign = new Set([
    ...appServiceJobs(config.apps.services, config.metrics.scrapeLimits).map((job) => job.job_name),
    ...(annotated.length === 0 ? [] : [annotatedPodsJob(annotated).job_name]),
    ...config.metrics.extraScrapeConfigs.map((job) => extraScrapeJob(job).job_name),
    // The mesh's sidecars are the apps', istiod the platform's.
    ...istioJobs(config.mesh).map((job) => job.job_name),
  ]);

  const provisioning = find<ConfigMapData>(objects, "ConfigMap", "grafana-provisioning").data;
  const { datasources } = yaml.load(provisioning["datasources.yaml"]) as {
    datasources: { uid: string; name: string; type: string; url: string }[];
  };
  const dashboards = Object.values(find<ConfigMapData>(objects, "ConfigMap", "grafana-dashboards").data)
    .map((text) => JSON.parse(text) as { uid: string; title: string })
    .map((d) => ({ uid: d.uid, title: d.title }));
  // A StatefulSet with its own volume, or a Deployment when replicas share a database.
  const grafana = find<RenderedWorkload>(objects, grafanaKind(objects), GRAFANA.name);
  const secretName = grafana.spec.template.spec.volumes.find((v) => v.name === "credentials")?.secret
    ?.secretName;
  if (secretName === undefined) {
    throw new Error("the render's Grafana mounts no credentials Secret");
  }

  const agentNamespace = alloyNamespace(config);
  const agent = workloads.find((w) => w.name === ALLOY.name && w.namespace === agentNamespace);
  if (agent === undefined) {
    throw new Error(`the render has no log agent ${ALLOY.name} in ${agentNamespace}`);
  }
  // kind/cluster.yaml maps the configured node ports to the host, and no other (unexposedNodePorts).
  const mapped = new Set<number>(
    config.exposure.mode === "nodePort" ? Object.values(config.exposure.nodePorts) : [],
  );
  return {
    workloads,
    stackJobs: jobs.filter((job) => !foreign.has(job)),
    otherJobs: jobs.filter((job) => foreign.has(job)),
    alertmanagerReplicas: config.metrics.alertmanagerReplicas,
    logs: {
      namespaces: config.apps.namespaces,
      ...(config.logs.tenant === undefined ? {} : { tenant: config.logs.tenant }),
      agent,
    },
    datasources: datasources.map((d) => ({ uid: d.uid, name: d.name, type: d.type, url: d.url })),
    dashboards: { folder: config.grafana.dashboardsFolder, list: dashboards },
    grafana: {
      adminUser: config.grafana.adminUser,
      secret: {
        namespace: grafana.metadata.namespace,
        name: secretName,
        key: SECRET_KEYS.adminPassword,
      },
    },
    endpoints: {
      prometheus: servicePort(objects, PROMETHEUS.name, PROMETHEUS.ports.http.port, mapped),
      alertmanager: servicePort(objects, ALERTMANAGER.name, ALERTMANAGER.ports.http.port, mapped),
      loki: servicePort(objects, LOKI.name, LOKI.ports.http.port, mapped),
      collectorOtlpHttp: servicePort(objects, COLLECTOR.name, COLLECTOR.ports["otlp-http"].port, mapped),
      collectorTelemetry: servicePort(objects, COLLECTOR.name, COLLECTOR.ports.metrics.port, mapped),
      tempo: servicePort(objects, TEMPO.name, TEMPO.ports.http.port, mapped),
      grafana: servicePort(objects, GRAFANA.name, GRAFANA.ports.http.port, mapped),
    },
  };
}
