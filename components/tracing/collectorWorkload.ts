import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName, StackConfig } from "../../config";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { WorkloadService, WorkloadServiceAccount, deployWorkload } from "../common/workload";
import { WorkloadSpec } from "../common/workloadSpec";
import { toYamlInput } from "../common/yaml";
import { unexposedNodePorts } from "../common/unexposedNodePorts";
import { QUEUE_DIR, aggregatorConfig, collectorConfig } from "./collectorConfig";
import { COLLECTOR, COLLECTOR_AGGREGATOR, COLLECTOR_PEERS_SERVICE, ZIPKIN_SERVICE } from "./names";
import { TracingSettings } from "./settings";
import { collectorTiered } from "./collectorTiers";

/** The collector builds every pipeline before it reports healthy; a large config takes seconds. */
const COLLECTOR_STARTUP = { initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 30 };

const CONFIG_DIR = "/etc/otelcol";

interface CollectorTier {
  /** The tier's name and ports. */
  readonly spec: WorkloadSpec;
  /** Its key in `placement`. */
  readonly workload: PlacedWorkloadName;
  readonly config: object;
  readonly replicas: number;
  readonly resources: StackConfig["resources"]["otelCollector"];
  /** Only the tier that runs k8sattributes calls the API server. */
  readonly serviceAccount?: WorkloadServiceAccount;
  readonly services: readonly WorkloadService[];
  /** The headless one of `services`, which governs the StatefulSet. */
  readonly governingService: string;
}

/**
 * One collector tier: its config, and a StatefulSet that gives each pod its own volume for the
 * persistent sending queues (a replacement pod of the same ordinal takes over its claim and sends
 * what it holds), rolling one pod at a time on a config change (the collector does not reload);
 * with more than one replica, spreading and a disruption budget. A pod is stopped before its
 * replacement starts on the same claim: one replica pauses ingest for that restart, and the apps'
 * exporters retry.
 */
function deployTier(
  name: string,
  config: TracingSettings,
  tier: CollectorTier,
  opts: pulumi.CustomResourceOptions,
): void {
  const id = { name: tier.spec.name, component: "tracing", image: config.images.otelCollector };
  const configYaml = toYamlInput(tier.config);
  deployWorkload(
    name,
    {
      spec: tier.spec,
      component: id.component,
      image: id.image,
      namespace: config.namespaces.observability,
      settings: config,
      placement: tier.workload,
      serviceAccount: tier.serviceAccount,
      configMaps: [
        { name: `${tier.spec.name}-config`, volume: "config", data: { "config.yaml": configYaml } },
      ],
      container: {
        name: "otel-collector",
        args: [`--config=${CONFIG_DIR}/config.yaml`],
        // Names the pod on the trace-derived metrics it computes.
        env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
        resources: tier.resources,
        volumeMounts: [
          { name: "config", mountPath: CONFIG_DIR, readOnly: true },
          { name: "data", mountPath: QUEUE_DIR },
        ],
        // One health endpoint: readiness follows it, liveness restarts only after a minute of failures.
        livenessProbe: httpProbe("health", "/", {
          initialDelaySeconds: 0,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("health", "/", { initialDelaySeconds: 0, periodSeconds: 5 }),
        startupProbe: httpProbe("health", "/", COLLECTOR_STARTUP),
      },
      pod: tier.replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(id) } : {},
      rolledBy: { config: configYaml },
      controller: {
        kind: "StatefulSet",
        replicas: tier.replicas,
        serviceName: tier.governingService,
        storageSize: config.tracing.queue.storageSize,
        // Acknowledged spans Tempo does not have yet: protected in prod like any data.
        holdsHistory: true,
      },
      services: tier.services,
      wiring: config.wiring,
    },
    opts,
  );
}

/**
 * The OpenTelemetry Collector. Span metrics, the service graph and tail sampling each need every
 * span of a trace in one process, so once there is more than one collector it runs in two tiers:
 * gateways that receive and route by trace ID, and aggregators behind a headless Service that do
 * the rest (see `collectorTiered`).
 */
export function deployCollector(
  name: string,
  config: TracingSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  const nodePorts = config.exposure.mode === "nodePort";
  const unexposed = unexposedNodePorts(config.exposure);
  deployTier(
    name,
    config,
    {
      spec: COLLECTOR,
      workload: "otelCollector",
      config: collectorConfig(config),
      replicas: config.tracing.collectorReplicas,
      resources: config.resources.otelCollector,
      serviceAccount: {
        // k8sattributes: read pods, namespaces and ReplicaSets (for the Deployment name), nothing else.
        clusterRules: [
          { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
        ],
      },
      services: [
        nodePorts
          ? {
              nodePorts: {
                "otlp-http": config.exposure.nodePorts.otlpHttp,
                "otlp-grpc": unexposed.otelCollectorOtlpGrpc,
                metrics: unexposed.otelCollectorMetrics,
              },
            }
          : {},
        // The apps' ZIPKIN_ENDPOINT names `zipkin:9411`; it keeps working, now served by the collector.
        {
          name: ZIPKIN_SERVICE,
          portNames: ["zipkin"],
          ...(nodePorts ? { nodePorts: { zipkin: config.exposure.nodePorts.zipkin } } : {}),
        },
        { name: COLLECTOR_PEERS_SERVICE, headless: true },
      ],
      governingService: COLLECTOR_PEERS_SERVICE,
    },
    opts,
  );
  if (collectorTiered(config.tracing)) {
    deployTier(
      name,
      config,
      {
        spec: COLLECTOR_AGGREGATOR,
        workload: "otelCollectorAggregator",
        config: aggregatorConfig(config),
        replicas: config.tracing.aggregatorReplicas,
        resources: config.resources.otelCollectorAggregator,
        // Headless: the gateways' DNS resolver sees each ready aggregator pod, not one virtual IP.
        services: [{ headless: true }],
        governingService: COLLECTOR_AGGREGATOR.name,
      },
      opts,
    );
  }
}
