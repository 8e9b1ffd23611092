import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { selectorLabels } from "../common/labels";
import { objectMeta } from "../common/metadata";
import { clusterRoleArgs, clusterRoleBindingArgs, serviceAccountArgs } from "../common/rbac";
import { serviceArgs } from "../common/service";
import { workloadPolicy } from "../wiring/policies";
import { hardenedPodSpec, podTemplate } from "../common/podSpec";
import { httpProbe } from "../common/probes";
import { toYaml } from "../common/yaml";
import { collectorConfig } from "./collectorConfig";
import { COLLECTOR, ZIPKIN_SERVICE } from "./names";

const CONFIG_DIR = "/etc/otelcol";

/**
 * The OpenTelemetry Collector. Tail sampling needs every span of a trace in one collector, so the
 * sampling tier runs as exactly one replica; there is no replica setting to get wrong. (A
 * trace-ID-aware load-balancing tier in front is the way to scale it out.) The collector does not
 * reload its config, so a config change rolls the pod through the checksum annotation.
 */
export function deployCollector(name: string, config: StackConfig, opts: pulumi.CustomResourceOptions): void {
  const namespace = config.namespaces.observability;
  const id = { name: COLLECTOR.name, component: "tracing", image: config.images.otelCollector };
  const configYaml = toYaml(collectorConfig(config));

  new k8s.core.v1.ServiceAccount(`${name}-otel-collector`, serviceAccountArgs(id, namespace), opts);
  // k8sattributes: read pods, namespaces and ReplicaSets (for the Deployment name), nothing else.
  const clusterRole = new k8s.rbac.v1.ClusterRole(
    `${name}-otel-collector`,
    clusterRoleArgs(id, namespace, [
      { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
    ]),
    opts,
  );
  new k8s.rbac.v1.ClusterRoleBinding(
    `${name}-otel-collector`,
    clusterRoleBindingArgs(id, namespace, clusterRole.metadata.name),
    opts,
  );
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-otel-collector-config`,
    { metadata: objectMeta(id, namespace, "otel-collector-config"), data: { "config.yaml": configYaml } },
    opts,
  );

  const spec = hardenedPodSpec({
    serviceAccountName: COLLECTOR.name,
    containers: [
      {
        name: "otel-collector",
        image: config.images.otelCollector,
        args: [`--config=${CONFIG_DIR}/config.yaml`],
        ports: [
          { name: "otlp-grpc", containerPort: COLLECTOR.otlpGrpcPort },
          { name: "otlp-http", containerPort: COLLECTOR.otlpHttpPort },
          { name: "zipkin", containerPort: COLLECTOR.zipkinPort },
          { name: "health", containerPort: COLLECTOR.healthPort },
          { name: "metrics", containerPort: COLLECTOR.metricsPort },
        ],
        resources: config.resources.otelCollector,
        volumeMounts: [{ name: "config", mountPath: CONFIG_DIR, readOnly: true }],
        livenessProbe: httpProbe("health", "/"),
        readinessProbe: httpProbe("health", "/", { initialDelaySeconds: 3, periodSeconds: 5 }),
      },
    ],
    volumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
  });
  new k8s.apps.v1.Deployment(
    `${name}-otel-collector`,
    {
      metadata: objectMeta(id, namespace),
      spec: {
        replicas: 1,
        // The new pod starts before the old one stops: no ingest gap, at the cost of a few
        // seconds in which a trace's spans may reach two samplers.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: selectorLabels(id) },
        template: podTemplate(id, spec, { config: configYaml }),
      },
    },
    opts,
  );

  const nodePorts = config.exposure.mode === "nodePort";
  new k8s.core.v1.Service(
    `${name}-otel-collector`,
    serviceArgs({
      id,
      namespace,
      ports: [
        { name: "otlp-grpc", port: COLLECTOR.otlpGrpcPort },
        {
          name: "otlp-http",
          port: COLLECTOR.otlpHttpPort,
          ...(nodePorts ? { nodePort: config.exposure.nodePorts.otlpHttp } : {}),
        },
        { name: "metrics", port: COLLECTOR.metricsPort },
      ],
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
      ports: [
        {
          name: "zipkin",
          port: COLLECTOR.zipkinPort,
          ...(nodePorts ? { nodePort: config.exposure.nodePorts.zipkin } : {}),
        },
      ],
    }),
    opts,
  );

  new k8s.networking.v1.NetworkPolicy(`${name}-otel-collector`, workloadPolicy(config, namespace, id), opts);
}
