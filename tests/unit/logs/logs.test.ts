import * as yaml from "js-yaml";
import { parseQuantity } from "../../../config/quantity";
import { HOST_ACCESS_ALLOWLIST } from "../../../components/common/hostAccess";
import { expression, renderAlloy } from "../../../components/common/alloySyntax";
import {
  IP_ADDRESS_REGEX,
  IP_MASK,
  JSON_LEVEL_REGEX,
  SPAN_ID_REGEX,
  SPRING_LEVEL_REGEX,
  TRACE_ID_REGEX,
} from "../../../components/logs/logPatterns";
import { ALLOY_PATHS } from "../../../components/common/alloyRun";
import { LOKI, LOKI_MEMBERLIST_SERVICE, LOKI_PATHS } from "../../../components/logs/names";
import { NODE_ZONE_PLACEHOLDER, ZONE_LABEL } from "../../../components/logs/zoneReader";
import { KubeObject } from "../../../render/manifest";
import { rendered } from "../../support/renderedStacks";
import { configMapData, objectNamed } from "../../kit/rendered";
import { Json } from "../../kit/json";

const lokiConfig = (objects: readonly KubeObject[]) =>
  yaml.load(configMapData(objects, "loki-config")["loki.yaml"]) as Json;
const alloyConfig = (objects: readonly KubeObject[]) =>
  configMapData(objects, "alloy-config")["config.alloy"];

/** What a regex stage extracts: its named groups, as Alloy would (first match). */
function extract(pattern: string, line: string): Record<string, string> | undefined {
  return new RegExp(pattern).exec(line)?.groups;
}

describe("trace context extraction", () => {
  const traced = [
    [
      " INFO [ticket-service,6a3b8c9d2e1f0a4b,3c5d7e9f1a2b4c6d] c.t.t.service.TicketService : Ticket created",
      "6a3b8c9d2e1f0a4b",
      "3c5d7e9f1a2b4c6d",
      "INFO",
    ],
    [
      "ERROR [payment-service,6a3b8c9d2e1f0a4b,8e0f2a4b6c8d0e2f] c.t.p.service.PaymentService : Payment failed",
      "6a3b8c9d2e1f0a4b",
      "8e0f2a4b6c8d0e2f",
      "ERROR",
    ],
    [
      "2024-05-01T10:00:00.123Z  WARN [queue-service,0af7651916cd43dd8448eb211c80319c,b7ad6b7169203331] 1 --- [nio-3007-exec-1] c.t.q.Queue : slow",
      "0af7651916cd43dd8448eb211c80319c",
      "b7ad6b7169203331",
      "WARN",
    ],
    // Spring Boot 3.0/3.1 with Micrometer Tracing and the documented logging.pattern.level, no
    // spring.application.name set.
    [
      "2024-05-01T10:00:00.123+02:00  INFO [,7c1f5e2a9b3d4f60a8e2c4b6d8f0a1c3,a8e2c4b6d8f0a1c3] 4711 --- [nio-8080-exec-3] c.e.d.OrderController : order placed",
      "7c1f5e2a9b3d4f60a8e2c4b6d8f0a1c3",
      "a8e2c4b6d8f0a1c3",
      "INFO",
    ],
    // Spring Cloud Sleuth: [application,traceId,spanId,exportable], 64-bit IDs.
    [
      "2021-03-09 14:02:11.907 ERROR [billing,5d2c8e1f7a3b9c40,1e9a7c5d3b2f4e6a,true] 913 --- [nio-8082-exec-7] c.e.b.InvoiceService : invoice failed",
      "5d2c8e1f7a3b9c40",
      "1e9a7c5d3b2f4e6a",
      "ERROR",
    ],
    // Spring Boot 3.2+'s default console pattern with its correlation ID [traceId-spanId].
    [
      "2025-02-11T08:30:45.612Z  WARN 1 --- [ticket-service] [nio-3002-exec-2] [3f9d2b7e5c1a4f8e9b0d6c2a7e4f1b3d-9b0d6c2a7e4f1b3d] c.t.t.TicketService : seat lock contended",
      "3f9d2b7e5c1a4f8e9b0d6c2a7e4f1b3d",
      "9b0d6c2a7e4f1b3d",
      "WARN",
    ],
  ] as const;

  test("Spring Boot 3.2+'s blank correlation ID outside a trace yields no IDs, but the level", () => {
    const line =
      "2025-02-11T08:30:40.001Z  INFO 1 --- [ticket-service] [           main] [                                                 ] c.t.t.Application : Started";
    expect(extract(TRACE_ID_REGEX, line)).toBeUndefined();
    expect(extract(SPAN_ID_REGEX, line)).toBeUndefined();
    expect(extract(SPRING_LEVEL_REGEX, line)).toEqual({ level: "INFO" });
  });

  test.each(traced)("Spring line %#: trace, span and level", (line, traceId, spanId, level) => {
    expect(extract(TRACE_ID_REGEX, line)).toEqual({ trace_id: traceId });
    expect(extract(SPAN_ID_REGEX, line)).toEqual({ span_id: spanId });
    expect(extract(SPRING_LEVEL_REGEX, line)).toEqual({ level });
  });

  test("a Spring line outside any trace yields no IDs, but its level", () => {
    const line = " INFO [ticket-service,,] c.t.t.Application : Started in 4.2 seconds";
    expect(extract(TRACE_ID_REGEX, line)).toBeUndefined();
    expect(extract(SPAN_ID_REGEX, line)).toBeUndefined();
    expect(extract(SPRING_LEVEL_REGEX, line)).toEqual({ level: "INFO" });
  });

  test.each([
    [
      '{"level":"error","msg":"db timeout","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}',
      "4bf92f3577b34da6a3ce929d0e0e4736",
      "00f067aa0ba902b7",
      "error",
    ],
    [
      '{"severity": "WARN", "traceId": "6a3b8c9d2e1f0a4b", "spanId": "3c5d7e9f1a2b4c6d", "message": "retry"}',
      "6a3b8c9d2e1f0a4b",
      "3c5d7e9f1a2b4c6d",
      "WARN",
    ],
    [
      // pino's default: a numeric level (30 info), the trace fields its OpenTelemetry instrumentation adds.
      '{"level":30,"time":1763884800000,"pid":1,"hostname":"queue-7c9","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01","msg":"queued"}',
      "4bf92f3577b34da6a3ce929d0e0e4736",
      "00f067aa0ba902b7",
      "30",
    ],
  ])("JSON line %#: trace, span and level", (line, traceId, spanId, level) => {
    expect(extract(TRACE_ID_REGEX, line)).toEqual({ trace_id: traceId });
    expect(extract(SPAN_ID_REGEX, line)).toEqual({ span_id: spanId });
    expect(extract(JSON_LEVEL_REGEX, line)).toEqual({ level });
  });

  test("lines that only look similar yield nothing", () => {
    for (const line of [
      '{"msg":"no trace here","user_id":"6a3b8c9d2e1f0a4b"}',
      "GET /api/tickets/6a3b8c9d2e1f0a4b 200",
      "[main] INFO Startup",
    ]) {
      expect(extract(TRACE_ID_REGEX, line)).toBeUndefined();
    }
  });

  test("Grafana's derived field reads the trace ID as the expression's first group", () => {
    const match = new RegExp(TRACE_ID_REGEX).exec(
      " INFO [ticket-service,6a3b8c9d2e1f0a4b,3c5d7e9f1a2b4c6d] x",
    );
    expect(match?.[1]).toBe("6a3b8c9d2e1f0a4b");
  });

  test("the log pipeline uses exactly these expressions", async () => {
    const config = alloyConfig((await rendered("kind")).objects);
    for (const pattern of [TRACE_ID_REGEX, SPAN_ID_REGEX, SPRING_LEVEL_REGEX, JSON_LEVEL_REGEX]) {
      expect(config).toContain(`expression = ${JSON.stringify(pattern)}`);
    }
    expect(config).toMatch(
      /stage\.structured_metadata \{\n\s+values = \{\n\s+trace_id = "",\n\s+span_id = "",/,
    );
    expect(config).toMatch(/stage\.labels \{\n\s+values = \{\n\s+level = "",/);
  });
});

describe("IP address masking", () => {
  const mask = (line: string) => line.replace(new RegExp(IP_ADDRESS_REGEX, "g"), IP_MASK);

  test.each([
    ["login from 203.0.113.7 failed", "login from <ip> failed"],
    ["proxy chain 10.0.0.1, 192.168.100.254", "proxy chain <ip>, <ip>"],
    ["client 2001:db8::8a2e:370:7334 connected", "client <ip> connected"],
    ["peer fe80::1ff:fe23:4567:890a", "peer <ip>"],
    ["full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 end", "full <ip> end"],
    ["mapped ::ffff:198.51.100.3", "mapped ::ffff:<ip>"],
  ])("masks %j", (line, masked) => {
    expect(mask(line)).toBe(masked);
  });

  test.each([
    "2024-05-01T10:00:00.123Z INFO started",
    "took 00:01:02.345",
    "Spring Boot v3.2.5, Spring 6.1.6, Hibernate 6.4.4.Final, version 2.0.0.RELEASE",
    "grafana/alloy:v1.10.1 and 12.1.1",
    "calls Foo::bar and std::vector",
    "port 999.1.1.1 is not an address",
  ])("leaves %j intact", (line) => {
    expect(mask(line)).toBe(line);
  });

  test("is on in prod, off on kind", async () => {
    expect(alloyConfig((await rendered("prod")).objects)).toContain(
      `expression = ${JSON.stringify(IP_ADDRESS_REGEX)}`,
    );
    expect(alloyConfig((await rendered("kind")).objects)).not.toContain("stage.replace");
  });
});

describe("Loki", () => {
  test.each([
    [
      "kind",
      { filesystem: { chunks_directory: "/loki/chunks", rules_directory: "/loki/rules" } },
      "filesystem",
      "168h",
    ],
    ["prod", { s3: { bucketnames: "tiketi-prod-loki-chunks", region: "ap-northeast-2" } }, "s3", "720h"],
  ] as const)(
    "%s: schema v13 on tsdb, storage and retention per profile",
    async (stack, storage, store, retention) => {
      const config = lokiConfig((await rendered(stack)).objects);
      expect(config.schema_config.configs).toEqual([
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: store,
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ]);
      expect(config.common.storage).toEqual(storage);
      expect(config.limits_config).toMatchObject({
        retention_period: retention,
        allow_structured_metadata: true,
      });
      expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: store });
      expect(config.ingester.wal).toMatchObject({ enabled: true, dir: "/loki/wal" });
      expect(config.server).toMatchObject({ http_listen_port: 3100, grpc_listen_port: 9096 });
    },
  );

  test.each(["kind", "prod"] as const)(
    "%s: the WAL replays within three quarters of the container's memory limit, so a long replay is not OOM-killed",
    async (stack) => {
      const { objects } = await rendered(stack);
      const loki = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0];
      expect(lokiConfig(objects).ingester.wal.replay_memory_ceiling).toBe(
        Math.floor(parseQuantity(loki.resources.limits.memory as string) * 0.75),
      );
    },
  );

  test("kind: one replica with its rings in memory, no gossip, no zone reader, no disruption budget", async () => {
    const { objects } = await rendered("kind");
    const config = lokiConfig(objects);
    expect(config.common).toMatchObject({ replication_factor: 1, ring: { kvstore: { store: "inmemory" } } });
    expect(config.memberlist).toBeUndefined();
    expect(config.frontend_worker).toBeUndefined();
    expect(config.ruler.ring).toEqual({ kvstore: { store: "inmemory" } });
    const loki = objectNamed(objects, "StatefulSet", "loki");
    expect(loki.spec.replicas).toBe(1);
    expect(loki.spec.template.spec.initContainers).toBeUndefined();
    expect(loki.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name)).toEqual([
      "http",
      "grpc",
    ]);
    expect(objects.filter((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === "loki")).toEqual([]);
    expect(
      objects.filter((o) => o.kind === "Service" && o.metadata.name === LOKI_MEMBERLIST_SERVICE),
    ).toEqual([]);
  });

  test("prod: three replicas in one memberlist ring, each line on three of them in distinct zones, rules sharded", async () => {
    const { objects } = await rendered("prod");
    const config = lokiConfig(objects);
    expect(config.common.replication_factor).toBe(3);
    expect(config.common.ring).toEqual({
      kvstore: { store: "memberlist" },
      zone_awareness_enabled: true,
      instance_availability_zone: NODE_ZONE_PLACEHOLDER,
    });
    const gossip = objectNamed(objects, "Service", LOKI_MEMBERLIST_SERVICE);
    expect(config.memberlist).toEqual({
      join_members: [
        `dns+${gossip.metadata.name}.${gossip.metadata.namespace}.svc.cluster.local:${gossip.spec.ports[0].port}`,
      ],
      bind_port: LOKI.ports.memberlist.port,
    });
    // Each replica's queriers take the queries of its own frontend, not of a scheduler ring.
    expect(config.frontend_worker).toEqual({ frontend_address: `localhost:${LOKI.ports.grpc.port}` });
    expect(config.query_scheduler).toBeUndefined();
    // Each rule group is evaluated by the one replica that owns it in the ruler ring.
    expect(config.ruler).toMatchObject({ enable_sharding: true });
    expect(config.ruler.ring).toBeUndefined();
    expect(config.common.storage).toEqual({
      s3: { bucketnames: "tiketi-prod-loki-chunks", region: "ap-northeast-2" },
    });
    expect(config.schema_config.configs[0]).toMatchObject({ store: "tsdb", object_store: "s3" });
  });

  test("prod: the memberlist Service is headless and lists replicas before they are ready, on the gossip port only", async () => {
    const { objects } = await rendered("prod");
    const gossip = objectNamed(objects, "Service", LOKI_MEMBERLIST_SERVICE);
    const loki = objectNamed(objects, "StatefulSet", "loki");
    expect(gossip.spec).toMatchObject({
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: loki.spec.selector.matchLabels,
      ports: [{ name: "memberlist", port: LOKI.ports.memberlist.port, targetPort: "memberlist" }],
    });
    const container = loki.spec.template.spec.containers[0];
    expect(container.ports).toContainEqual({
      name: "memberlist",
      containerPort: LOKI.ports.memberlist.port,
      protocol: "TCP",
    });
    // Clients keep the governing `loki` Service: it publishes only ready replicas, and no gossip.
    const clients = objectNamed(objects, "Service", "loki");
    expect(loki.spec.serviceName).toBe("loki");
    expect(clients.spec.publishNotReadyAddresses).toBeUndefined();
    expect(clients.spec.ports.map((p: { name: string }) => p.name)).toEqual(["http", "grpc"]);
  });

  test("prod: replicas on their own volumes, spread over zones, drained one at a time", async () => {
    const { objects } = await rendered("prod");
    const loki = objectNamed(objects, "StatefulSet", "loki");
    expect(loki.spec.replicas).toBe(3);
    expect(
      loki.spec.volumeClaimTemplates.map((t: { metadata: { name: string } }) => t.metadata.name),
    ).toEqual(["data"]);
    expect(
      loki.spec.template.spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey),
    ).toContain(ZONE_LABEL);
    const budget = objectNamed(objects, "PodDisruptionBudget", "loki");
    expect(budget.spec.selector).toEqual(loki.spec.selector);
    // Two of three stay: a push still reaches a majority of each line's replicas during a drain.
    expect(budget.spec.minAvailable).toBe(loki.spec.replicas - 1);
  });

  test("prod: each replica starts from the config its zone reader wrote its node's zone into", async () => {
    const { objects } = await rendered("prod");
    const pod = objectNamed(objects, "StatefulSet", "loki").spec.template.spec;
    const [reader] = pod.initContainers;
    expect(reader.name).toBe("zone-reader");
    expect(reader.env).toEqual([
      { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    ]);
    expect(pod.containers[0].args).toContain(`-config.file=${LOKI_PATHS.zonedConfig}/loki.yaml`);
    const shared = pod.volumes.find((v: { name: string }) => v.name === "zoned-config");
    expect(shared.emptyDir).toBeDefined();
    for (const container of [reader, pod.containers[0]]) {
      expect(container.volumeMounts).toContainEqual(
        expect.objectContaining({ name: "zoned-config", mountPath: LOKI_PATHS.zonedConfig }),
      );
    }
    const role = objects.find((o) => o.kind === "ClusterRole" && o.metadata.name.endsWith("-loki"));
    expect(role?.rules).toEqual([{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]);
  });

  test("the ruler sends to the Alertmanager Service the Metrics component creates", async () => {
    const { objects } = await rendered("prod");
    const service = objectNamed(objects, "Service", "alertmanager");
    expect(lokiConfig(objects).ruler.alertmanager_url).toBe(
      `http://${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0].port}`,
    );
  });

  test("log alerts: an error burst and a service that stopped logging, per app in the app namespaces", async () => {
    const rules = yaml.load(
      configMapData((await rendered("kind")).objects, "loki-rules")["rules.yaml"],
    ) as Json;
    const [burst, stopped] = rules.groups[0].rules;
    // Labelled `service` from the pods' `app` label, as the metric alerts, so inhibitions apply.
    expect(burst.expr).toBe(
      'label_replace(sum by (namespace, app) (count_over_time({namespace=~"tiketi-spring|observability-demo", level="error"}[5m])), "service", "$1", "app", "(.*)") > 100',
    );
    expect(stopped.expr).toBe(
      'label_replace((sum by (namespace, app) (count_over_time({namespace=~"tiketi-spring|observability-demo"}[1h] offset 15m)) > 0)' +
        ' unless (sum by (namespace, app) (count_over_time({namespace=~"tiketi-spring|observability-demo"}[15m])) > 0), "service", "$1", "app", "(.*)")',
    );
    expect(burst.labels).toEqual({ severity: "warning", source: "logs" });
    expect(burst.annotations.runbook_url).toMatch(/#logerrorburst$/);
  });

  test.each([
    ["kind", false, undefined, "fake"],
    ["prod", true, "platform", "platform"],
  ] as const)("%s: one tenant everywhere (multi-tenancy %s)", async (stack, auth, tenantId, rulesTenant) => {
    const { objects } = await rendered(stack);
    expect(lokiConfig(objects).auth_enabled).toBe(auth);
    const endpoint = /endpoint \{[^}]*\}/.exec(alloyConfig(objects))?.[0] ?? "";
    if (tenantId === undefined) {
      expect(endpoint).not.toContain("tenant_id");
    } else {
      expect(endpoint).toContain(`tenant_id = "${tenantId}"`);
    }
    const mounts = objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0].volumeMounts;
    expect(mounts).toContainEqual({
      name: "rules",
      mountPath: `/etc/loki/rules/${rulesTenant}`,
      readOnly: true,
    });
  });
});

describe("Alloy", () => {
  test("kind (api mode): one replica in the restricted namespace reading logs through the API, positions on a volume", async () => {
    const { objects } = await rendered("kind");
    const agent = objectNamed(objects, "StatefulSet", "alloy");
    expect(agent.metadata.namespace).toBe("observability");
    expect(agent.spec.template.spec.hostNetwork).toBeUndefined();
    expect(agent.spec.template.spec.volumes.some((v: Json) => v.hostPath !== undefined)).toBe(false);
    const config = alloyConfig(objects);
    expect(config).toContain('loki.source.kubernetes "pods"');
    expect(config).not.toContain("stage.cri");
    expect(objectNamed(objects, "Role", "observability-alloy").rules).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    ]);
  });

  test("prod (node mode): a DaemonSet tailing this node's pod logs read-only, positions on the host", async () => {
    const { objects } = await rendered("prod");
    const agent = objectNamed(objects, "DaemonSet", "alloy");
    expect(agent.metadata.namespace).toBe("observability-node");
    const hostPaths = agent.spec.template.spec.volumes
      .filter((v: Json) => v.hostPath)
      .map((v: Json) => v.hostPath.path);
    expect(hostPaths).toEqual(HOST_ACCESS_ALLOWLIST.alloy.hostPaths.map((h) => h.path));
    const mounts = agent.spec.template.spec.containers[0].volumeMounts as Json[];
    expect(mounts.find((m) => m.mountPath === "/var/log/pods")?.readOnly).toBe(true);
    expect(mounts.map((m) => m.mountPath)).toContain(ALLOY_PATHS.data);
    expect(agent.spec.template.spec.containers[0].args).toContain(`--storage.path=${ALLOY_PATHS.data}`);
    const config = alloyConfig(objects);
    expect(config).toContain('field = "spec.nodeName=" + sys.env("NODE_NAME")');
    expect(config).toContain('replacement = "/var/log/pods/${1}_${2}_${3}/${4}/*.log"');
    expect(config).toMatch(/loki\.source\.file "pods" \{\n\s+targets = local\.file_match\.pods\.targets/);
    expect(config).toContain("stage.cri {}");
    expect(objectNamed(objects, "Role", "observability-node-alloy").rules).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    ]);
  });

  test("labels namespace, pod, container and app (from the pod's app label, as the reference did)", async () => {
    const config = alloyConfig((await rendered("kind")).objects);
    for (const [source, target] of [
      ["__meta_kubernetes_namespace", "namespace"],
      ["__meta_kubernetes_pod_name", "pod"],
      ["__meta_kubernetes_pod_container_name", "container"],
      ["__meta_kubernetes_pod_label_app", "app"],
    ]) {
      expect(config).toMatch(
        new RegExp(
          `source_labels = \\["${source}"\\]\\n(\\s+regex = "\\(\\.\\+\\)"\\n)?\\s+target_label = "${target}"`,
        ),
      );
    }
    // The ticketing platform, and the demo Pulumi.kind.yaml turns on.
    expect(config).toMatch(/namespaces \{\n\s+names = \["tiketi-spring", "observability-demo"\]/);
  });

  test("drops health-check noise and writes with bounded retries", async () => {
    const config = alloyConfig((await rendered("kind")).objects);
    expect(config).toContain('stage.drop {\n    expression = "GET /actuator/health"');
    expect(config).toContain('url = "http://loki.observability.svc:3100/loki/api/v1/push"');
    expect(config).toContain("max_backoff_retries = 10");
    expect(config).toContain("retry_on_http_429 = true");
  });
});

test("Alloy syntax: blocks, labels, nested objects, expressions and escaped strings", () => {
  const text = renderAlloy([
    {
      name: "loki.write",
      label: "default",
      attributes: { external_labels: { cluster: "a", "k8s.io/x": "b" }, list: ["x", 2, true] },
      blocks: [
        {
          name: "endpoint",
          attributes: { url: 'say "hi"\\n', target: expression("loki.process.x.receiver") },
        },
      ],
    },
    { name: "stage.cri" },
  ]);
  expect(text).toBe(
    [
      'loki.write "default" {',
      "  external_labels = {",
      '    cluster = "a",',
      '    "k8s.io/x" = "b",',
      "  }",
      '  list = ["x", 2, true]',
      "  endpoint {",
      '    url = "say \\"hi\\"\\\\n"',
      "    target = loki.process.x.receiver",
      "  }",
      "}",
      "",
      "stage.cri {}",
      "",
    ].join("\n"),
  );
});
