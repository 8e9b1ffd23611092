// The ALB in front of Grafana (and, authenticated, Prometheus and Alertmanager), and the one
// consistent view Grafana reads of the Prometheus replicas, on both stacks and on prod with the
// UIs exposed and remote write to Amazon Managed Prometheus.
import * as yaml from "js-yaml";
import { PATCH_FORCE } from "../../../components/common/fieldOwnership";
import {
  podsSelectedBy,
  provisionedDatasources,
  roundRobinDatasourceProblems,
  serviceOfUrl,
  statefulSetPods,
  unauthenticatedUiProblems,
} from "../../../checks/exposedBackends";
import { Connection, Party, connectionAllowed } from "../../../checks/networkReachability";
import { IngressConfig, ingressAnnotations } from "../../../components/common/ingress";
import { wiringGraph } from "../../../components/wiring/graph";
import { parsePulumiConfig } from "../../../config/load";
import { knownText } from "../../../config/fields";
import { DEFAULT_ALB_SSL_POLICY } from "../../../config/sections/exposure";
import { metricsPublicUrls } from "../../../components/metrics/metricsExposure";
import { ampQueryUrl } from "../../../components/metrics/queryEndpoint";
import { POLICIES } from "../../../policy/rules";
import { ingressEdgeProblems } from "../../../checks/ingressEdges";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { KubeObject } from "../../../render/manifest";
import { RenderedStack } from "../../../render/renderStack";
import { rendered, stackConfig } from "../../support/renderedStacks";
import {
  NamedParty,
  OUTSIDE,
  graphAllows,
  networkParties,
  networkPolicies,
  partyNamed,
} from "../../../testing/network";
import { containerArgs, objectNamed, prometheusYml } from "../../kit/rendered";
import { renderedQueryEndpoints } from "../../kit/localServers";
import { OIDC, REMOTE_WRITE, WAF, WORKSPACE, exposedConfig, renderExposed } from "../../support/exposedProd";
import { Json } from "../../kit/json";
import { renderedMesh } from "../../support/meshStack";
import { serviceArgs } from "../../../components/common/service";
import { unexposedNodePorts } from "../../../components/common/unexposedNodePorts";

const CERTIFICATE =
  "arn:aws:acm:ap-northeast-2:111111111111:certificate/00000000-0000-0000-0000-000000000000";
const policyInputs = (stack: RenderedStack) =>
  stack.registrations.map((r) => ({ type: r.type, props: r.inputs, protect: r.protect }));
const asInputs = (objects: readonly KubeObject[]) =>
  objects.map((o) => ({
    type: `kubernetes:x:${o.kind}`,
    props: o as unknown as Record<string, unknown>,
    protect: true,
  }));
const prometheusDatasource = (objects: readonly KubeObject[]) => {
  const found = provisionedDatasources(objects).find((d) => d.type === "prometheus");
  if (found === undefined) throw new Error("no Prometheus datasource");
  return found as unknown as Json;
};
const prometheusPods = (objects: readonly KubeObject[]) =>
  statefulSetPods(objects).filter((p) => p.labels["app.kubernetes.io/name"] === "prometheus");

describe("the ALB in front of Grafana", () => {
  test("prod: the program sets what the ALB needs; no TLS Secret, which the ALB would ignore", async () => {
    const ingress = objectNamed((await rendered("prod")).objects, "Ingress", "grafana");
    expect(ingress.metadata.annotations).toEqual({
      [PATCH_FORCE]: "true",
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
      "alb.ingress.kubernetes.io/success-codes": "200",
      "alb.ingress.kubernetes.io/certificate-arn": CERTIFICATE,
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/ssl-policy": DEFAULT_ALB_SSL_POLICY,
    });
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.spec.ingressClassName).toBe("alb");
  });

  test("prod's edges: a TLS 1.2+ listener and Grafana admitted from the load balancer's subnets; the policy pack fails the render without them", async () => {
    const { objects } = await rendered("prod");
    expect(ingressEdgeProblems(objects)).toEqual([]);
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const exposure = JSON.parse(config["observability:exposure"]) as Json;
    delete exposure.ingress.loadBalancerCidrs;
    const open = await renderWithConfig(
      "prod-open-edges",
      { ...config, "observability:exposure": JSON.stringify(exposure) },
      secretKeys,
    );
    // The render before sslPolicy: the controller's default policy.
    const before = open.objects.map((o) =>
      o.kind === "Ingress"
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: Object.fromEntries(
                Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !k.endsWith("/ssl-policy")),
              ),
            },
          }
        : o,
    );
    const problems = [
      "Ingress/observability/grafana negotiates TLS 1.0 and 1.1 (alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-2016-08); set exposure.ingress.sslPolicy",
      "Ingress/observability/grafana: Deployment/observability/grafana's pods admit port 3006 from any address, past the load balancer; set exposure.ingress.loadBalancerCidrs to the load balancer's subnets",
    ];
    expect(ingressEdgeProblems(before)).toEqual(problems);
    const policy = POLICIES.find((p) => p.name === "closed-ingress-edges-in-prod")!;
    expect(policy.check(asInputs(before))).toEqual(problems);
    expect(policy.check(policyInputs(await rendered("prod")))).toEqual([]);
  });

  test("prod: the health-check path is the one Grafana's own probes use", async () => {
    const { objects } = await rendered("prod");
    const container = objectNamed(objects, "Deployment", "grafana").spec.template.spec.containers[0];
    expect(objectNamed(objects, "Ingress", "grafana").metadata.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/healthcheck-path": container.readinessProbe.httpGet.path,
    });
  });

  test("kind: no Ingress, Prometheus and Alertmanager not exposed, no public URLs", async () => {
    const { objects } = await rendered("kind");
    expect(objects.filter((o) => o.kind === "Ingress")).toEqual([]);
    expect(objects.filter((o) => o.kind === "Secret" && o.metadata.name === "alb-oidc-client")).toEqual([]);
  });

  test("kind: the NodePorts admit the host, not pods; before exposure.podCidrs, any pod reached the UIs and the ingest ports past its flows", async () => {
    const host: Party = { kind: "address", ip: "172.18.0.1" };
    const strayPod: Party = { kind: "pod", namespace: "default", labels: { app: "stray" }, ip: "10.244.3.7" };
    const exposed = [
      ["grafana", 3006],
      ["prometheus", 9090],
      ["otel-collector", 4318],
      ["otel-collector", 9411],
    ] as const;
    const reach = (objects: readonly KubeObject[], from: Party) =>
      exposed.map(([name, port]) =>
        connectionAllowed(
          networkPolicies(objects),
          from,
          partyNamed(networkParties(objects, []), `observability/${name}`).party,
          { protocol: "TCP", port },
        ),
      );
    const { objects } = await rendered("kind");
    expect(reach(objects, host)).toEqual([true, true, true, true]);
    expect(reach(objects, strayPod)).toEqual([false, false, false, false]);

    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    const exposure = { ...(JSON.parse(config["observability:exposure"] ?? "{}") as Json), podCidrs: [] };
    const before = await renderWithConfig(
      "kind-open-node-ports",
      { ...config, "observability:exposure": JSON.stringify(exposure) },
      secretKeys,
    );
    expect(reach(before.objects, strayPod)).toEqual([true, true, true, true]);
  });

  test("kind, with the mesh: every port of a NodePort Service has its node port; those nobody outside reaches lie where random draws never go", async () => {
    // A port left without one gets a node port drawn at random above 30085, which can be one the
    // config gives a Service created later: that one then fails ("provided port is already allocated").
    const { objects } = await renderedMesh("kind");
    const ports = objects
      .filter((o) => o.kind === "Service" && (o.spec as Json).type === "NodePort")
      .flatMap((o) =>
        ((o.spec as Json).ports as Json[]).map((p) => ({
          service: o.metadata.name,
          port: p.port as number,
          nodePort: p.nodePort as number | undefined,
        })),
      );
    expect(ports.filter((p) => p.nodePort === undefined)).toEqual([]);
    const configured: number[] = Object.values(stackConfig("kind").exposure.nodePorts);
    const unexposed = ports
      .filter((p) => !configured.includes(p.nodePort as number))
      .sort((a, b) => (a.nodePort as number) - (b.nodePort as number));
    expect(unexposed).toEqual([
      { service: "otel-collector", port: 4317, nodePort: 30000 },
      { service: "otel-collector", port: 8888, nodePort: 30001 },
      { service: "kiali", port: 9090, nodePort: 30002 },
    ]);
    // Reached on a node port, a connection arrives from the node's address: none of them admits it.
    const host: Party = { kind: "address", ip: "172.18.0.1" };
    const parties = networkParties(objects, []);
    for (const { service, port } of unexposed) {
      expect([
        service,
        connectionAllowed(
          networkPolicies(objects),
          host,
          partyNamed(parties, `observability/${service}`).party,
          {
            protocol: "TCP",
            port,
          },
        ),
      ]).toEqual([service, false]);
    }
    // A configured port in the band is passed over.
    expect(
      unexposedNodePorts({ nodePorts: { ...stackConfig("kind").exposure.nodePorts, grafana: 30001 } }),
    ).toEqual({ otelCollectorOtlpGrpc: 30000, otelCollectorMetrics: 30002, kialiMetrics: 30003 });
    expect(() =>
      serviceArgs({
        id: { name: "otel-collector", component: "tracing", image: "collector:1" },
        namespace: "observability",
        ports: [
          { name: "otlp-grpc", port: 4317 },
          { name: "otlp-http", port: 4318, nodePort: 30318 },
        ],
      }),
    ).toThrow("Service otel-collector: a NodePort Service would get a random node port for otlp-grpc");
  });

  test("user annotations merge for anything the program does not set", async () => {
    const ingress = objectNamed((await renderExposed()).objects, "Ingress", "grafana");
    expect(ingress.metadata.annotations?.["alb.ingress.kubernetes.io/wafv2-acl-arn"]).toBe(WAF);
    // Grafana has its own login: the ALB does not authenticate in front of it.
    expect(ingress.metadata.annotations?.["alb.ingress.kubernetes.io/auth-type"]).toBeUndefined();
  });

  test("a non-ALB controller gets the user's annotations and the TLS Secret, nothing ALB-specific", () => {
    const nginx: IngressConfig = {
      host: "grafana.example.com",
      className: "nginx",
      annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "8m" },
      tlsSecretName: "grafana-tls",
      scheme: "internal",
      sslPolicy: DEFAULT_ALB_SSL_POLICY,
    };
    expect(
      ingressAnnotations(nginx, {
        host: nginx.host,
        serviceName: "grafana",
        port: "http",
        healthCheckPath: "/api/health",
        authenticated: false,
      }),
    ).toEqual({ "nginx.ingress.kubernetes.io/proxy-body-size": "8m" });
  });
});

describe("Prometheus and Alertmanager behind the ALB, authenticated", () => {
  test.each([
    // With AMP there is no Thanos Query: the UI reaches the replicas through their Service.
    ["prometheus", "prometheus.tiketi.example.com", "prometheus"],
    ["alertmanager", "alertmanager.tiketi.example.com", "alertmanager"],
  ])("%s: its own host, OIDC before every request, its health endpoint", async (name, host, service) => {
    const ingress = objectNamed((await renderExposed()).objects, "Ingress", name);
    expect(ingress.spec.rules).toEqual([
      {
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: service, port: { name: "http" } } },
            },
          ],
        },
      },
    ]);
    const annotations = ingress.metadata.annotations as Record<string, string>;
    expect(annotations).toMatchObject({
      "alb.ingress.kubernetes.io/auth-type": "oidc",
      "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
      "alb.ingress.kubernetes.io/healthcheck-path": "/-/healthy",
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/certificate-arn": CERTIFICATE,
      "alb.ingress.kubernetes.io/scheme": "internal",
    });
    expect(JSON.parse(annotations["alb.ingress.kubernetes.io/auth-idp-oidc"])).toEqual({
      issuer: OIDC.issuer,
      authorizationEndpoint: OIDC.authorizationEndpoint,
      tokenEndpoint: OIDC.tokenEndpoint,
      userInfoEndpoint: OIDC.userInfoEndpoint,
      secretName: "alb-oidc-client",
    });
  });

  test("the OIDC client is a Secret beside the Ingresses with the keys the controller reads, nowhere else", async () => {
    const { objects } = await renderExposed();
    const secret = objectNamed(objects, "Secret", "alb-oidc-client");
    expect(secret.metadata.namespace).toBe("observability");
    expect(secret.stringData).toEqual({ clientID: OIDC.clientId, clientSecret: OIDC.clientSecret });
    expect(JSON.stringify(objects.filter((o) => o.kind !== "Secret"))).not.toContain(OIDC.clientSecret);
  });

  test("Cognito: the user pool in the annotation, no client Secret needed", () => {
    const cognito: IngressConfig = {
      host: "grafana.example.com",
      className: "alb",
      annotations: {},
      certificateArn: CERTIFICATE,
      scheme: "internet-facing",
      sslPolicy: DEFAULT_ALB_SSL_POLICY,
      prometheus: { host: "prometheus.example.com" },
      auth: {
        type: "cognito",
        userPoolArn: "arn:aws:cognito-idp:ap-northeast-2:111111111111:userpool/ap-northeast-2_AbCdEfGhI",
        userPoolClientId: "1example23456789",
        userPoolDomain: "tiketi",
      },
    };
    const annotations = ingressAnnotations(cognito, {
      host: "prometheus.example.com",
      serviceName: "thanos-query",
      port: "http",
      healthCheckPath: "/-/healthy",
      authenticated: true,
    });
    expect(annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internet-facing");
    expect(annotations["alb.ingress.kubernetes.io/auth-type"]).toBe("cognito");
    expect(
      JSON.parse(knownText(annotations["alb.ingress.kubernetes.io/auth-idp-cognito"], "annotation")),
    ).toEqual({
      userPoolARN: "arn:aws:cognito-idp:ap-northeast-2:111111111111:userpool/ap-northeast-2_AbCdEfGhI",
      userPoolClientID: "1example23456789",
      userPoolDomain: "tiketi",
    });
  });

  test("their public URLs, as plain strings for --web.external-url and alert links", () => {
    const exposure = stackConfig("prod").exposure;
    const ingress = exposure.ingress as IngressConfig;
    expect(metricsPublicUrls(exposure)).toEqual({});
    expect(
      metricsPublicUrls({
        ...exposure,
        ingress: {
          ...ingress,
          prometheus: { host: "prometheus.tiketi.example.com" },
          alertmanager: { host: "alertmanager.tiketi.example.com" },
        },
      }),
    ).toEqual({
      prometheus: "https://prometheus.tiketi.example.com",
      alertmanager: "https://alertmanager.tiketi.example.com",
    });
    expect(metricsPublicUrls({ mode: "nodePort", nodePorts: exposure.nodePorts, podCidrs: [] })).toEqual({});
  });

  test("exposed, Prometheus and Alertmanager build their alert and silence links on their public hosts", async () => {
    const { objects } = await renderExposed();
    const externalUrl = (workload: string) =>
      containerArgs(objects, workload, {}).find((a) => a.startsWith("--web.external-url="));
    expect(externalUrl("prometheus")).toBe("--web.external-url=https://prometheus.tiketi.example.com");
    expect(externalUrl("alertmanager")).toBe("--web.external-url=https://alertmanager.tiketi.example.com");
  });

  test("target type ip: the NetworkPolicies admit the load balancer's subnets, and only them, to the pods' HTTP ports", async () => {
    const { objects } = await renderExposed();
    const subnets = stackConfig("prod").exposure.ingress!.loadBalancerCidrs!;
    const policies = networkPolicies(objects);
    const pod = (name: string) => partyNamed(networkParties(objects, []), `observability/${name}`).party;
    for (const [name, port] of [
      ["prometheus", 9090],
      ["alertmanager", 9093],
      ["grafana", 3006],
    ] as const) {
      const ingress = objectNamed(objects, "NetworkPolicy", name).spec.ingress as Json[];
      expect(ingress).toContainEqual(
        expect.objectContaining({
          from: expect.arrayContaining(subnets.map((cidr) => ({ ipBlock: { cidr } }))),
          ports: expect.arrayContaining([{ protocol: "TCP", port }]),
        }),
      );
      expect(JSON.stringify(ingress)).not.toContain("0.0.0.0/0");
      const tcp: Connection = { protocol: "TCP", port };
      expect(connectionAllowed(policies, { kind: "address", ip: "10.0.16.10" }, pod(name), tcp)).toBe(true);
      expect(connectionAllowed(policies, OUTSIDE.party, pod(name), tcp)).toBe(false);
      expect(connectionAllowed(policies, { kind: "address", ip: "10.0.48.10" }, pod(name), tcp)).toBe(false);
    }
    // Committed prod exposes only Grafana: Prometheus accepts no one from outside.
    const prodPrometheus = objectNamed((await rendered("prod")).objects, "NetworkPolicy", "prometheus").spec
      .ingress as Json[];
    expect(JSON.stringify(prodPrometheus)).not.toContain("0.0.0.0/0");
  });

  test("the rendered NetworkPolicies allow exactly the wiring graph of the exposed stack with AMP", async () => {
    const { objects } = await renderExposed();
    const { config, secretKeys } = exposedConfig();
    const stack = parsePulumiConfig(config, secretKeys);
    const flows = wiringGraph(stack);
    const parties = networkParties(objects, stack.apps.namespaces, stack.cluster.nodeCidrs);
    const policies = networkPolicies(objects);
    const namespaces = [stack.namespaces.observability, stack.namespaces.node];
    const ports = [
      ...new Set([443, 3006, 9090, 9093, 5555, ...flows.flatMap((f) => f.ports.map((p) => p.port))]),
    ];
    const mismatches = parties.flatMap((from) =>
      parties.flatMap((to) =>
        ports
          .map((port): Connection => ({ protocol: "TCP", port }))
          .filter(
            (c) =>
              connectionAllowed(policies, from.party, to.party, c) !==
              graphAllows(flows, namespaces, from, to, c),
          )
          .map((c) => `${from.name} -> ${to.name} TCP/${c.port}`),
      ),
    );
    expect(mismatches).toEqual([]);
    const outside = parties.find((p) => p.name === "outside") as NamedParty;
    const balancer = parties.find((p) => p.name === "an address in 10.0.16.0/20") as NamedParty;
    const party = (name: string) => parties.find((p) => p.name === name) as NamedParty;
    const tcp = (port: number): Connection => ({ protocol: "TCP", port });
    expect(
      connectionAllowed(policies, balancer.party, party("observability/prometheus").party, tcp(9090)),
    ).toBe(true);
    expect(
      connectionAllowed(policies, balancer.party, party("observability/alertmanager").party, tcp(9093)),
    ).toBe(true);
    expect(connectionAllowed(policies, party("observability/grafana").party, outside.party, tcp(443))).toBe(
      true,
    );
  });

  test("the policy pack passes the exposed stack, and fails an Ingress to Prometheus without authentication", async () => {
    const stack = await renderExposed();
    expect(POLICIES.map((p) => [p.name, p.check(policyInputs(stack))])).toEqual(
      POLICIES.map((p) => [p.name, []]),
    );
    const stripped = stack.objects.map((o) =>
      o.kind === "Ingress" && o.metadata.name === "prometheus"
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: Object.fromEntries(
                Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !k.includes("/auth-")),
              ),
            },
          }
        : o,
    );
    expect(unauthenticatedUiProblems(stripped)).toEqual([
      "Ingress/observability/prometheus routes to Service/prometheus (prometheus) without ALB authentication (alb.ingress.kubernetes.io/auth-type: none); set exposure.ingress.auth",
    ]);
    const policy = POLICIES.find((p) => p.name === "authenticated-metrics-uis-in-prod");
    const namespace = objectNamed(stack.objects, "Namespace", "observability");
    expect(policy?.check(asInputs([namespace, ...stripped]))).toHaveLength(1);
  });
});

describe("one consistent view of the Prometheus replicas", () => {
  test("kind: Grafana's datasource is the one replica's Service", async () => {
    const { objects } = await rendered("kind");
    const datasource = prometheusDatasource(objects);
    expect(datasource.url).toBe("http://prometheus.observability.svc:9090");
    expect(
      podsSelectedBy(serviceOfUrl(objects, datasource.url) as KubeObject, prometheusPods(objects)),
    ).toHaveLength(1);
    expect(objects.filter((o) => o.metadata.name === "thanos-query")).toEqual([]);
    expect(roundRobinDatasourceProblems(objects)).toEqual([]);
  });

  test("prod: Grafana's datasource is Thanos Query, over every replica's sidecar and the bucket's store gateways, deduplicating by the label each replica sets", async () => {
    const { objects } = await rendered("prod");
    const datasource = prometheusDatasource(objects);
    expect(datasource.url).toBe("http://thanos-query.observability.svc:10902");
    expect(datasource.jsonData.sigV4Auth).toBeUndefined();
    expect(serviceOfUrl(objects, datasource.url)?.spec).toMatchObject({
      selector: { "app.kubernetes.io/name": "thanos-query" },
    });
    expect(roundRobinDatasourceProblems(objects)).toEqual([]);
    const args = containerArgs(objects, "thanos-query", {});
    const label = args.find((a) => a.startsWith("--query.replica-label="))?.split("=")[1];
    const prometheus = prometheusYml(objects);
    expect(prometheus.global.external_labels[label ?? ""]).toBe("${POD_NAME}");
    expect(prometheus.alerting.alert_relabel_configs).toEqual([{ action: "labeldrop", regex: label }]);
    const storeGateways = statefulSetPods(objects).filter(
      (p) => p.labels["app.kubernetes.io/name"] === "thanos-store",
    );
    expect(storeGateways).toHaveLength(2);
    expect(renderedQueryEndpoints(objects)).toEqual([
      ...prometheusPods(objects).map(
        (p) => `${p.name}.prometheus-peers.observability.svc.cluster.local:10901`,
      ),
      ...storeGateways.map((p) => `${p.name}.thanos-store.observability.svc.cluster.local:10901`),
    ]);
    const sidecar = (
      objectNamed(objects, "StatefulSet", "prometheus").spec.template.spec.containers as Json[]
    ).find((c) => c.name === "thanos-sidecar");
    expect(sidecar?.ports).toEqual([
      { name: "sidecar-grpc", containerPort: 10901, protocol: "TCP" },
      { name: "sidecar-http", containerPort: 10902, protocol: "TCP" },
    ]);
    expect(objectNamed(objects, "PodDisruptionBudget", "thanos-query").spec.minAvailable).toBe(1);
  });

  test("prod: the span metrics still reach every replica, by its own name", async () => {
    const { objects } = await rendered("prod");
    const collector = yaml.load(
      Object.values(
        objects.find((o) => o.kind === "ConfigMap" && JSON.stringify(o.data ?? {}).includes("/api/v1/write"))
          ?.data as Record<string, string>,
      )[0],
    ) as Json;
    const endpoints = Object.values(collector.exporters as Json)
      .map((e) => (e as Json).endpoint as string | undefined)
      .filter((e) => e?.endsWith("/api/v1/write"));
    expect(endpoints.sort()).toEqual([
      "http://prometheus-0.prometheus-peers.observability.svc:9090/api/v1/write",
      "http://prometheus-1.prometheus-peers.observability.svc:9090/api/v1/write",
    ]);
  });

  test("the policy fails a datasource on the Service over both replicas", async () => {
    const { objects } = await rendered("prod");
    const roundRobin = objects.map((o) =>
      o.kind === "ConfigMap" &&
      (o.data as Record<string, string> | undefined)?.["datasources.yaml"] !== undefined
        ? {
            ...o,
            data: {
              ...(o.data as Record<string, string>),
              "datasources.yaml": (o.data as Record<string, string>)["datasources.yaml"].replace(
                "thanos-query.observability.svc:10902",
                "prometheus.observability.svc:9090",
              ),
            },
          }
        : o,
    );
    expect(roundRobinDatasourceProblems(roundRobin)).toEqual([
      "Grafana datasource Prometheus queries Service/prometheus, which selects 2 Prometheus replicas (prometheus-0, prometheus-1); point it at one replica or at the deduplicating store",
    ]);
    const policy = POLICIES.find((p) => p.name === "one-prometheus-view");
    expect(policy?.check(asInputs(roundRobin))).toHaveLength(1);
  });

  test("with AMP: Grafana queries the workspace, signed with SigV4 as its own IRSA role", async () => {
    const { objects } = await renderExposed();
    expect(ampQueryUrl(REMOTE_WRITE.url)).toBe(WORKSPACE);
    expect(prometheusDatasource(objects)).toMatchObject({
      url: WORKSPACE,
      jsonData: {
        httpMethod: "POST",
        sigV4Auth: true,
        sigV4AuthType: "default",
        sigV4Region: "ap-northeast-2",
      },
    });
    expect(objectNamed(objects, "ServiceAccount", "grafana").metadata.annotations).toEqual({
      [PATCH_FORCE]: "true",
      "eks.amazonaws.com/role-arn": REMOTE_WRITE.queryRoleArn,
    });
    const pod = objectNamed(objects, "Deployment", "grafana").spec.template.spec;
    expect(pod.serviceAccountName).toBe("grafana");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: "GF_AUTH_SIGV4_AUTH_ENABLED", value: "true" },
        { name: "GF_AWS_ALLOWED_AUTH_PROVIDERS", value: "default" },
      ]),
    );
    const egress = objectNamed(objects, "NetworkPolicy", "grafana").spec.egress as Json[];
    expect(egress).toContainEqual(
      expect.objectContaining({
        to: expect.arrayContaining([{ ipBlock: expect.objectContaining({ cidr: "0.0.0.0/0" }) }]),
        ports: expect.arrayContaining([{ protocol: "TCP", port: 443 }]),
      }),
    );
    // Without remote write Grafana keeps the default ServiceAccount and no AWS settings.
    const prod = (await rendered("prod")).objects;
    expect(prod.filter((o) => o.kind === "ServiceAccount" && o.metadata.name === "grafana")).toEqual([]);
    expect(JSON.stringify(objectNamed(prod, "Deployment", "grafana"))).not.toContain("SIGV4");
  });

  test("with AMP: each replica labels its samples __replica__=<pod name>, and alerts drop it", async () => {
    const { objects } = await renderExposed();
    const config = prometheusYml(objects);
    expect(config.global.external_labels).toEqual({
      cluster: "tiketi-prod",
      env: "prod",
      region: "ap-northeast-2",
      __replica__: "${POD_NAME}",
    });
    expect(config.alerting.alert_relabel_configs).toEqual([{ action: "labeldrop", regex: "__replica__" }]);
    const container = objectNamed(objects, "StatefulSet", "prometheus").spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      // 80 % of prod's 4Gi limit.
      { name: "GOMEMLIMIT", value: "3276MiB" },
    ]);
    // One replica (kind) needs no replica label; two without AMP (prod) carry Thanos Query's.
    const kind = prometheusYml((await rendered("kind")).objects);
    expect(Object.keys(kind.global.external_labels)).toEqual(["cluster", "env", "region"]);
    expect(kind.alerting.alert_relabel_configs).toBeUndefined();
    const prod = prometheusYml((await rendered("prod")).objects);
    expect(Object.keys(prod.global.external_labels)).toEqual([
      "cluster",
      "env",
      "region",
      "prometheus_replica",
    ]);
  });
});
