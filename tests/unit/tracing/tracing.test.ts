import * as yaml from "js-yaml";
import { PATCH_FORCE } from "../../../components/common/fieldOwnership";
import { isDeepStrictEqual } from "util";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { StackName } from "../../kit/stacks";
import { configMapData, objectNamed } from "../../kit/rendered";
import { Json } from "../../kit/json";

const collectorConfig = (objects: readonly KubeObject[]) =>
  yaml.load(configMapData(objects, "otel-collector-config")["config.yaml"]) as Json;
const hasAggregators = (objects: readonly KubeObject[]) =>
  objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === "otel-collector-aggregator-config");
/** The collector that sees whole traces: the aggregator tier when there is one. */
const aggregatingConfig = (objects: readonly KubeObject[]) =>
  hasAggregators(objects)
    ? (yaml.load(configMapData(objects, "otel-collector-aggregator-config")["config.yaml"]) as Json)
    : collectorConfig(objects);
const tempoConfig = (objects: readonly KubeObject[]) =>
  yaml.load(configMapData(objects, "tempo-config")["tempo.yaml"]) as Json;
const servicePort = (objects: readonly KubeObject[], service: string, port: string): Json =>
  objectNamed(objects, "Service", service).spec.ports.find((p: Json) => p.name === port);

describe.each<StackName>(["kind", "prod"])("collector config, stack %s", (stack) => {
  test("memory_limiter comes first in every pipeline of every tier, and every referenced component is defined", async () => {
    const { objects } = await rendered(stack);
    const configs = [
      collectorConfig(objects),
      ...(hasAggregators(objects) ? [aggregatingConfig(objects)] : []),
    ];
    expect(configs).toHaveLength(stack === "prod" ? 2 : 1);
    for (const config of configs) {
      for (const pipeline of Object.values<Json>(config.service.pipelines)) {
        expect(pipeline.processors[0]).toBe("memory_limiter");
        for (const id of pipeline.processors) expect(config.processors).toHaveProperty([id]);
        for (const id of [...pipeline.receivers, ...pipeline.exporters]) {
          expect({ ...config.receivers, ...config.exporters, ...config.connectors }).toHaveProperty([id]);
        }
      }
    }
    expect(Object.keys(aggregatingConfig(objects).service.pipelines)).toEqual([
      "traces",
      "traces/sampled",
      "metrics",
    ]);
    expect(collectorConfig(objects).service.pipelines.traces.receivers).toEqual(["otlp", "zipkin"]);
    expect(collectorConfig(objects).receivers.zipkin.endpoint).toBe("0.0.0.0:9411");
  });

  test("span metrics and the service graph see every span before sampling and reach every Prometheus replica", async () => {
    const { objects } = await rendered(stack);
    const config = aggregatingConfig(objects);
    expect(config.service.pipelines.traces.exporters).toEqual(["spanmetrics", "servicegraph", "forward"]);
    expect(config.connectors.spanmetrics.exemplars).toEqual({ enabled: true });
    expect(config.service.pipelines.metrics.receivers).toEqual(["spanmetrics", "servicegraph"]);
    const prometheus = objectNamed(objects, "StatefulSet", "prometheus");
    const endpoints = config.service.pipelines.metrics.exporters.map(
      (id: string) => config.exporters[id].endpoint,
    );
    expect(endpoints).toEqual(
      Array.from(
        { length: prometheus.spec.replicas },
        (_, i) => `http://prometheus-${i}.${prometheus.spec.serviceName}.observability.svc:9090/api/v1/write`,
      ),
    );
    expect(objectNamed(objects, "Service", prometheus.spec.serviceName).spec.clusterIP).toBe("None");
    const args = prometheus.spec.template.spec.containers[0].args as string[];
    expect(args).toContain("--web.enable-remote-write-receiver");
  });

  test("traces go to Tempo's OTLP port through the persistent queue, retried until delivered", async () => {
    const { objects } = await rendered(stack);
    const exporter = aggregatingConfig(objects).exporters["otlp/tempo"];
    const tempoPort = servicePort(objects, "tempo", "otlp-grpc").port as number;
    expect(exporter.endpoint).toBe(`tempo.observability.svc:${tempoPort}`);
    expect(tempoConfig(objects).distributor.receivers.otlp.protocols.grpc.endpoint).toBe(
      `0.0.0.0:${tempoPort}`,
    );
    expect(exporter.sending_queue).toMatchObject({ enabled: true, storage: "file_storage/queue" });
    expect(exporter.retry_on_failure).toMatchObject({ enabled: true, max_elapsed_time: "0s" });
  });

  test("every tier's queues are written through file_storage to the pod's own volume, sized for the stated outage", async () => {
    const { objects } = await rendered(stack);
    const tiers = hasAggregators(objects)
      ? ["otel-collector", "otel-collector-aggregator"]
      : ["otel-collector"];
    const queue =
      stack === "prod"
        ? { minutes: 30, perSecond: 1000, size: "5Gi" }
        : { minutes: 15, perSecond: 100, size: "256Mi" };
    for (const tier of tiers) {
      const config = yaml.load(configMapData(objects, `${tier}-config`)["config.yaml"]) as Json;
      expect(config.service.extensions).toEqual(["health_check", "file_storage/queue"]);
      const statefulSet = objectNamed(objects, "StatefulSet", tier);
      const mount = (statefulSet.spec.template.spec.containers[0].volumeMounts as Json[]).find(
        (m) => m.name === "data",
      );
      expect(config.extensions["file_storage/queue"].directory).toBe(mount?.mountPath);
      expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(queue.size);
      expect(objectNamed(objects, "Service", statefulSet.spec.serviceName).spec.clusterIP).toBe("None");
      // Every exporter that carries spans queues them on that volume, and nothing holds an
      // acknowledged span in memory before it: no batch processor on a span pipeline.
      const spanExporters = Object.entries<Json>(config.exporters).filter(
        ([id]) => id === "otlp/tempo" || id === "loadbalancing",
      );
      expect(spanExporters).toHaveLength(1);
      for (const [, exporter] of spanExporters) {
        expect(exporter.sending_queue).toEqual({
          enabled: true,
          num_consumers: 4,
          sizer: "requests",
          queue_size: queue.minutes * 60 * queue.perSecond,
          storage: "file_storage/queue",
        });
      }
      for (const [id, pipeline] of Object.entries<Json>(config.service.pipelines)) {
        if (id.startsWith("traces")) {
          expect(pipeline.processors).not.toContain("batch");
        }
      }
    }
  });
});

describe("collector tiers", () => {
  test("kind: one collector does everything; there is no aggregator tier", async () => {
    const { objects } = await rendered("kind");
    expect(hasAggregators(objects)).toBe(false);
    expect(objects.filter((o) => o.metadata.name.startsWith("otel-collector-aggregator"))).toEqual([]);
    expect(objectNamed(objects, "StatefulSet", "otel-collector").spec.replicas).toBe(1);
    expect(collectorConfig(objects).exporters).not.toHaveProperty("loadbalancing");
  });

  test("prod: two gateways route every span by trace ID to two aggregators, so each trace is sampled whole", async () => {
    const { objects } = await rendered("prod");
    const gateway = collectorConfig(objects);
    expect(gateway.service.pipelines).toEqual({
      traces: {
        receivers: ["otlp", "zipkin"],
        processors: ["memory_limiter", "k8sattributes"],
        exporters: ["loadbalancing"],
      },
    });
    const service = objectNamed(objects, "Service", "otel-collector-aggregator");
    expect(service.spec.clusterIP).toBe("None");
    const otlpPort = service.spec.ports.find((p: Json) => p.name === "otlp-grpc").port as number;
    expect(gateway.exporters.loadbalancing).toMatchObject({
      routing_key: "traceID",
      // The load balancer's own persistent queue waits for the aggregators: nothing queues in memory after it.
      protocol: { otlp: { sending_queue: { enabled: false }, retry_on_failure: { enabled: false } } },
      resolver: {
        dns: {
          hostname: "otel-collector-aggregator.observability.svc.cluster.local",
          port: String(otlpPort),
        },
      },
    });
    const aggregator = aggregatingConfig(objects);
    expect(aggregator.receivers).toEqual({
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${otlpPort}` } } },
    });
    expect(aggregator.processors).not.toHaveProperty("k8sattributes");
    for (const name of ["otel-collector", "otel-collector-aggregator"]) {
      expect(objectNamed(objects, "StatefulSet", name).spec.replicas).toBe(2);
      expect(objectNamed(objects, "PodDisruptionBudget", name).spec.minAvailable).toBe(1);
    }
    // Only the gateway reads pod metadata from the API server.
    const aggregatorPod = objectNamed(objects, "StatefulSet", "otel-collector-aggregator").spec.template.spec;
    expect(aggregatorPod.automountServiceAccountToken).toBe(false);
    expect(aggregatorPod.serviceAccountName).toBeUndefined();
  });

  test("prod: each aggregator labels the metrics it computes with its pod, so replicas never write the same series", async () => {
    const { objects } = await rendered("prod");
    const aggregator = aggregatingConfig(objects);
    expect(aggregator.service.pipelines.metrics.processors).toEqual([
      "memory_limiter",
      "attributes/collector-pod",
      "batch",
    ]);
    expect(aggregator.processors["attributes/collector-pod"].actions).toEqual([
      { key: "collector_pod", value: "${env:POD_NAME}", action: "upsert" },
    ]);
    const container = objectNamed(objects, "StatefulSet", "otel-collector-aggregator").spec.template.spec
      .containers[0];
    expect(container.env).toContainEqual({
      name: "POD_NAME",
      valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
    });
  });
});

describe("sampling", () => {
  test("kind: no tail sampling; the apps sample at the head with the stack's probability", async () => {
    const { objects } = await rendered("kind");
    const config = collectorConfig(objects);
    expect(config.processors.tail_sampling).toBeUndefined();
    expect(config.service.pipelines["traces/sampled"].processors).toEqual(["memory_limiter"]);
    expect(objectNamed(objects, "ConfigMap", "observability-tracing").data).toEqual({
      TRACING_SAMPLING_PROBABILITY: "1.0",
      ZIPKIN_ENDPOINT: "http://zipkin.observability.svc:9411/api/v2/spans",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "1.0",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=dev,k8s.cluster.name=observability",
      // Spring Boot's relaxed binding: percentiles-histogram and slo keyed by http.server.requests.
      MANAGEMENT_METRICS_DISTRIBUTION_PERCENTILESHISTOGRAM_HTTP_SERVER_REQUESTS: "true",
      MANAGEMENT_METRICS_DISTRIBUTION_SLO_HTTP_SERVER_REQUESTS: "500ms",
    });
    // The ticketing platform's namespace, and the demo's (Pulumi.kind.yaml turns it on).
    expect(
      objects
        .filter((o) => o.kind === "ConfigMap" && o.metadata.name === "observability-tracing")
        .map((o) => o.metadata.namespace),
    ).toEqual(["observability-demo", "tiketi-spring"]);
  });

  test("prod: the apps send everything; the collector keeps errors, traces over 1 s and 10 % of the rest", async () => {
    const { objects } = await rendered("prod");
    const config = aggregatingConfig(objects);
    expect(config.service.pipelines["traces/sampled"].processors).toEqual([
      "memory_limiter",
      "tail_sampling",
    ]);
    expect(config.processors.tail_sampling.policies).toEqual([
      { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
      { name: "slow", type: "latency", latency: { threshold_ms: 1000 } },
      { name: "ordinary", type: "probabilistic", probabilistic: { sampling_percentage: 10 } },
    ]);
    const env = objectNamed(objects, "ConfigMap", "observability-tracing").data;
    expect(env).toMatchObject({ TRACING_SAMPLING_PROBABILITY: "1.0", OTEL_TRACES_SAMPLER_ARG: "1.0" });
  });

  /** The objects whose content differs between two renders, by kind/namespace/name. */
  function changed(before: readonly KubeObject[], after: readonly KubeObject[]): string[] {
    const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const byKey = new Map(before.map((o) => [key(o), o]));
    expect(after.map(key).sort()).toEqual([...byKey.keys()].sort());
    return after.filter((o) => !isDeepStrictEqual(o, byKey.get(key(o)))).map(key);
  }

  async function renderWithSampling(stack: StackName, probability: number) {
    const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    const tracing = {
      ...(JSON.parse(config["observability:tracing"]) as Json),
      samplingProbability: probability,
    };
    return renderWithConfig(
      stack,
      { ...config, "observability:tracing": JSON.stringify(tracing) },
      secretKeys,
    );
  }

  test("kind: changing only the probability changes only the apps' tracing ConfigMaps", async () => {
    const before = (await rendered("kind")).objects;
    const after = (await renderWithSampling("kind", 0.25)).objects;
    // The demo reads the ConfigMap key by key, so its pods need no rollout either.
    expect(changed(before, after)).toEqual([
      "ConfigMap/observability-demo/observability-tracing",
      "ConfigMap/tiketi-spring/observability-tracing",
    ]);
    expect(hasAggregators(after)).toBe(false);
    expect(objectNamed(after, "ConfigMap", "observability-tracing").data.TRACING_SAMPLING_PROBABILITY).toBe(
      "0.25",
    );
  });

  test("prod: changing only the probability changes only the collector's policy (and rolls the collector)", async () => {
    const before = (await rendered("prod")).objects;
    const after = (await renderWithSampling("prod", 0.2)).objects;
    expect(changed(before, after)).toEqual([
      "ConfigMap/observability/otel-collector-aggregator-config",
      "StatefulSet/observability/otel-collector-aggregator",
    ]);
    const annotations = (objects: readonly KubeObject[]) =>
      objectNamed(objects, "StatefulSet", "otel-collector-aggregator").spec.template.metadata.annotations;
    expect(annotations(after)["checksum/config"]).not.toBe(annotations(before)["checksum/config"]);
    const withoutChecksum = (objects: readonly KubeObject[]) => {
      const deployment = structuredClone(objectNamed(objects, "StatefulSet", "otel-collector-aggregator"));
      delete deployment.spec.template.metadata.annotations;
      return deployment;
    };
    expect(withoutChecksum(after)).toEqual(withoutChecksum(before));
    const policy = aggregatingConfig(after).processors.tail_sampling.policies[2];
    expect(policy.probabilistic.sampling_percentage).toBe(20);
  });
});

describe("Tempo", () => {
  test("kind: WAL and blocks on the volume, 72h retention, no metrics generator", async () => {
    const { objects } = await rendered("kind");
    const config = tempoConfig(objects);
    expect(config.storage.trace).toEqual({
      wal: { path: "/var/tempo/wal" },
      backend: "local",
      local: { path: "/var/tempo/blocks" },
    });
    expect(config.compactor.compaction.block_retention).toBe("72h");
    expect(config.metrics_generator).toBeUndefined();
    const statefulSet = objectNamed(objects, "StatefulSet", "tempo");
    expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("5Gi");
    expect(statefulSet.spec.template.spec.containers[0].volumeMounts).toContainEqual({
      name: "data",
      mountPath: "/var/tempo",
    });
  });

  test("prod: blocks in S3 through the IRSA role, retention from config", async () => {
    const { objects } = await rendered("prod");
    const config = tempoConfig(objects);
    expect(config.storage.trace).toMatchObject({
      backend: "s3",
      s3: {
        bucket: "tiketi-prod-tempo-traces",
        region: "ap-northeast-2",
        endpoint: "s3.ap-northeast-2.amazonaws.com",
      },
    });
    expect(config.compactor.compaction.block_retention).toBe("336h");
    expect(objectNamed(objects, "ServiceAccount", "tempo").metadata.annotations).toEqual({
      [PATCH_FORCE]: "true",
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111111111111:role/tiketi-prod-tempo",
    });
  });

  test("ports agree between the config, the container and the Service", async () => {
    const { objects } = await rendered("kind");
    const config = tempoConfig(objects);
    const container = objectNamed(objects, "StatefulSet", "tempo").spec.template.spec.containers[0];
    const httpPort = container.ports.find((p: Json) => p.name === "http").containerPort;
    expect(config.server.http_listen_port).toBe(httpPort);
    expect(servicePort(objects, "tempo", "http")).toMatchObject({ port: httpPort, targetPort: "http" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
  });
});

describe("ingest Services and network policies", () => {
  test("kind: Zipkin on NodePort 30411 and OTLP/HTTP on 30318, both served by the collector", async () => {
    const { objects } = await rendered("kind");
    const zipkin = objectNamed(objects, "Service", "zipkin");
    expect(zipkin.spec).toMatchObject({
      type: "NodePort",
      ports: [{ port: 9411, nodePort: 30411, targetPort: "zipkin" }],
    });
    expect(zipkin.spec.selector).toEqual(
      objectNamed(objects, "StatefulSet", "otel-collector").spec.selector.matchLabels,
    );
    expect(servicePort(objects, "otel-collector", "otlp-http")).toMatchObject({
      port: 4318,
      nodePort: 30318,
    });
    // Its other ports are pinned too, below the ports random node ports are drawn from.
    expect(servicePort(objects, "otel-collector", "otlp-grpc")).toMatchObject({
      port: 4317,
      nodePort: 30000,
    });
    expect(servicePort(objects, "otel-collector", "metrics")).toMatchObject({ port: 8888, nodePort: 30001 });
  });

  test("prod: ingest is ClusterIP only", async () => {
    const { objects } = await rendered("prod");
    expect(objectNamed(objects, "Service", "zipkin").spec.type).toBe("ClusterIP");
    expect(objectNamed(objects, "Service", "otel-collector").spec.type).toBe("ClusterIP");
  });

  test("apps may reach the collector's ingest ports; only the aggregators may write to Tempo", async () => {
    const { objects } = await rendered("prod");
    const collector = objectNamed(objects, "NetworkPolicy", "otel-collector").spec;
    expect(collector.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tiketi-spring" } } }],
      ports: [4317, 4318, 9411].map((port) => ({ protocol: "TCP", port })),
    });
    const tempo = objectNamed(objects, "NetworkPolicy", "tempo").spec;
    expect(tempo.ingress).toContainEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "otel-collector-aggregator" } },
        },
      ],
      ports: [{ protocol: "TCP", port: 4317 }],
    });
    expect(tempo.ingress.map((rule: any) => rule.ports)).toEqual([
      [{ protocol: "TCP", port: 3200 }],
      [{ protocol: "TCP", port: 4317 }],
    ]);
  });
});
