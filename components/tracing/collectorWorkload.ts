import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName, StackConfig } from "../../config";
import { deployDisruptionBudget, spreadAcrossNodes } from "../common/disruption";
import { WorkloadIdentity, selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { hardenedPodSpec, podTemplate } from "../common/podSpec";
import { podPlatform } from "../common/placement";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployClusterRole, serviceAccountArgs } from "../common/rbac";
import { serviceArgs } from "../common/service";
import { WorkloadSpec, containerPorts, servicePorts } from "../common/workloadSpec";
import { toYaml } from "../common/yaml";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { aggregatorConfig, collectorConfig } from "./collectorConfig";
import { COLLECTOR, COLLECTOR_AGGREGATOR, ZIPKIN_SERVICE, collectorTiered } from "./names";
import { TracingSettings } from "./settings";

/** The collector builds every pipeline before it reports healthy; a large config takes seconds. */
const COLLECTOR_STARTUP = { initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 30 };

const CONFIG_DIR = "/etc/otelcol";

interface CollectorTier {
  readonly id: WorkloadIdentity;
  /** Its key in `placement`. */
  readonly workload: PlacedWorkloadName;
  readonly config: object;
  readonly replicas: number;
  readonly resources: StackConfig["resources"]["otelCollector"];
  /** The tier's name and ports. */
  readonly spec: WorkloadSpec;
  /** Only the tier that runs k8sattributes calls the API server. */
  readonly serviceAccountName?: string;
}

/**
 * One collector tier: its config, a Deployment that rolls on a config change (the collector does
 * not reload), and, with more than one replica, spreading and a disruption budget. The new pod
 * starts before the old one stops, so ingest never pauses.
 */
function deployTier(
  name: string,
  config: TracingSettings,
  tier: CollectorTier,
  opts: pulumi.CustomResourceOptions,
) {
  const namespace = config.namespaces.observability;
  const configYaml = toYaml(tier.config);
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-${tier.id.name}-config`,
    {
      metadata: objectMeta(tier.id, namespace, `${tier.id.name}-config`),
      data: { "config.yaml": configYaml },
    },
    opts,
  );
  const spec = hardenedPodSpec({
    platform: podPlatform(config, tier.workload),
    ...(tier.serviceAccountName === undefined ? {} : { serviceAccountName: tier.serviceAccountName }),
    ...(tier.replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(tier.id) } : {}),
    containers: [
      {
        name: "otel-collector",
        image: config.images.otelCollector,
        args: [`--config=${CONFIG_DIR}/config.yaml`],
        // Names the pod on the trace-derived metrics it computes.
        env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
        ports: containerPorts(tier.spec),
        resources: tier.resources,
        volumeMounts: [{ name: "config", mountPath: CONFIG_DIR, readOnly: true }],
        // One health endpoint: readiness follows it, liveness restarts only after a minute of failures.
        livenessProbe: httpProbe("health", "/", {
          initialDelaySeconds: 0,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("health", "/", { initialDelaySeconds: 0, periodSeconds: 5 }),
        startupProbe: httpProbe("health", "/", COLLECTOR_STARTUP),
      },
    ],
    volumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
  });
  new k8s.apps.v1.Deployment(
    `${name}-${tier.id.name}`,
    {
      metadata: objectMeta(tier.id, namespace),
      spec: {
        replicas: tier.replicas,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: selectorLabels(tier.id) },
        template: podTemplate(tier.id, spec, { config: configYaml }),
      },
    },
    opts,
  );
  deployDisruptionBudget(`${name}-${tier.id.name}`, tier.id, namespace, tier.replicas, opts);
  deployWorkloadPolicy(`${name}-${tier.id.name}`, config.wiring, namespace, tier.id, opts);
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
  const namespace = config.namespaces.observability;
  const id = { name: COLLECTOR.name, component: "tracing", image: config.images.otelCollector };

  new k8s.core.v1.ServiceAccount(`${name}-otel-collector`, serviceAccountArgs(id, namespace), opts);
  // k8sattributes: read pods, namespaces and ReplicaSets (for the Deployment name), nothing else.
  deployClusterRole(
    `${name}-otel-collector`,
    id,
    namespace,
    [
      { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
    ],
    opts,
  );

  deployTier(
    name,
    config,
    {
      id,
      workload: "otelCollector",
      config: collectorConfig(config),
      replicas: config.tracing.collectorReplicas,
      resources: config.resources.otelCollector,
      serviceAccountName: COLLECTOR.name,
      spec: COLLECTOR,
    },
    opts,
  );

  const nodePorts = config.exposure.mode === "nodePort";
  new k8s.core.v1.Service(
    `${name}-otel-collector`,
    serviceArgs({
      id,
      namespace,
      ports: servicePorts(
        COLLECTOR,
        nodePorts ? { nodePorts: { "otlp-http": config.exposure.nodePorts.otlpHttp } } : {},
      ),
    }),
    opts,
  );
  // The apps' ZIPKIN_ENDPOINT names `zipkin:9411`; it keeps working, now served by the collector.
  new k8s.core.v1.Service(
    `${name}-zipkin`,
    serviceArgs({
      id,
      namespace,
      name: ZIPKIN_SERVICE,
      ports: servicePorts(COLLECTOR, {
        names: ["zipkin"],
        ...(nodePorts ? { nodePorts: { zipkin: config.exposure.nodePorts.zipkin } } : {}),
      }),
    }),
    opts,
  );

  if (collectorTiered(config.tracing)) {
    const aggregator = {
      name: COLLECTOR_AGGREGATOR.name,
      component: "tracing",
      image: config.images.otelCollector,
    };
    deployTier(
      name,
      config,
      {
        id: aggregator,
        workload: "otelCollectorAggregator",
        config: aggregatorConfig(config),
        replicas: config.tracing.aggregatorReplicas,
        resources: config.resources.otelCollectorAggregator,
        spec: COLLECTOR_AGGREGATOR,
      },
      opts,
    );
    // Headless: the gateways' DNS resolver sees each ready aggregator pod, not one virtual IP.
    new k8s.core.v1.Service(
      `${name}-otel-collector-aggregator`,
      serviceArgs({
        id: aggregator,
        namespace,
        headless: true,
        ports: servicePorts(COLLECTOR_AGGREGATOR),
      }),
      opts,
    );
  }
}
