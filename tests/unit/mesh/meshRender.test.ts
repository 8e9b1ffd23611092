// Both stacks with mesh.istio on: the render passes every check the main stacks pass, Kiali is
// wired to this stack's query endpoint, Tempo and Grafana (and its NetworkPolicies let it reach
// them, and nothing more), its RBAC is Kiali's viewer role in the namespaces it shows, and on eks it
// sits behind the ALB's authentication. Kiali's binary is not on the module proxy: what it does with
// this config only a real cluster shows (docs/mesh.md).
import * as yaml from "js-yaml";
import { connectionAllowed } from "../../../checks/networkReachability";
import { podsSelectedBy, serviceOfUrl, unauthenticatedUiProblems } from "../../../checks/exposedBackends";
import { closedNamespaces, wiringGraph } from "../../../components/wiring/graph";
import { parsePulumiConfig } from "../../../config/load";
import { KubeObject } from "../../../render/manifest";
import { Json } from "../../kit/json";
import { NamedParty, networkParties, networkPolicies, partyNamed } from "../../../testing/network";
import { PASSED, checkRender } from "../../../testing/renderChecks";
import { configMapData, objectNamed } from "../../kit/rendered";
import { STACKS } from "../../kit/stacks";
import {
  ISTIOD_NAMESPACE,
  KIALI_HOST,
  MESHED_NAMESPACES,
  meshConfig,
  renderedMesh,
} from "../../support/meshStack";
import { dashboards } from "../../support/dashboards";
import { verifyExpectations } from "../../../scripts/verify/expectations";

const meshedConfig = (stack: (typeof STACKS)[number]) => {
  const { config, secretKeys } = meshConfig(stack);
  return parsePulumiConfig(config, secretKeys);
};

/** A sample pod in every namespace the stack talks to outside its own: the apps', the meshed ones, istiod's. */
const outerNamespaces = (config: ReturnType<typeof meshedConfig>) => [
  ...new Set([...config.apps.namespaces, ...MESHED_NAMESPACES, ISTIOD_NAMESPACE]),
];

const kialiConfigOf = (objects: readonly KubeObject[]): Json =>
  yaml.load(configMapData(objects, "kiali-config")["config.yaml"]) as Json;

/** The pod party a URL of Kiali's config reaches, through its Service. */
function partyOfUrl(objects: readonly KubeObject[], parties: readonly NamedParty[], url: string): NamedParty {
  const service = serviceOfUrl(objects, url);
  if (service === undefined) throw new Error(`no Service for ${url}`);
  const pods = podsSelectedBy(
    service,
    parties.flatMap((p) =>
      p.party.kind === "pod" ? [{ namespace: p.party.namespace, name: p.name, labels: p.party.labels }] : [],
    ),
  );
  return partyNamed(parties, pods[0].name);
}

describe.each(STACKS)("mesh.istio on (%s)", (stack) => {
  test("the render passes strict decoding, Pod Security, the policy pack and reachability against the wiring graph", async () => {
    const config = meshedConfig(stack);
    const render = await renderedMesh(stack);
    const report = checkRender({
      ...render,
      flows: wiringGraph(config),
      nodeNamespace: config.namespaces.node,
      closedNamespaces: closedNamespaces(config),
      appNamespaces: outerNamespaces(config),
    });
    expect(report.problems).toEqual(PASSED);
    expect(report.connectionsChecked).toBeGreaterThan(10000);
  });

  test("Kiali reads this stack's query endpoint, Tempo and Grafana, and its policies let it reach exactly those", async () => {
    const config = meshedConfig(stack);
    const { objects } = await renderedMesh(stack);
    const kiali = kialiConfigOf(objects);
    const services = kiali.external_services;
    const query =
      stack === "prod"
        ? "http://thanos-query.observability.svc:10902"
        : "http://prometheus.observability.svc:9090";
    expect(services.prometheus.url).toBe(query);
    // Thanos Query serves no /api/v1/status/config: Kiali is told the retention and scrape interval.
    expect(services.prometheus.thanos_proxy).toEqual(
      stack === "prod"
        ? {
            enabled: true,
            retention_period: config.metrics.retentionTime,
            scrape_interval: config.metrics.scrapeInterval,
          }
        : undefined,
    );
    expect(services.tracing).toMatchObject({
      enabled: true,
      provider: "tempo",
      internal_url: "http://tempo.observability.svc:3200",
      use_grpc: false,
      tempo_config: { datasource_uid: "tempo", url_format: "grafana" },
    });
    expect(services.grafana).toMatchObject({
      internal_url: "http://grafana.observability.svc:3006",
      datasource_uid: "prometheus",
    });
    const grafanaPublic = stack === "prod" ? "https://grafana.tiketi.example.com" : "http://localhost:30006";
    expect([services.tracing.external_url, services.grafana.external_url]).toEqual([
      grafanaPublic,
      grafanaPublic,
    ]);
    expect(kiali.deployment).toMatchObject({ cluster_wide_access: false, view_only_mode: true });
    expect(kiali.deployment.discovery_selectors.default[0].matchExpressions[0].values).toEqual([
      "observability",
      ISTIOD_NAMESPACE,
      ...MESHED_NAMESPACES,
    ]);

    const parties = networkParties(objects, outerNamespaces(config));
    const policies = networkPolicies(objects);
    const from = partyNamed(parties, "observability/kiali");
    const reach = (url: string) =>
      connectionAllowed(policies, from.party, partyOfUrl(objects, parties, url).party, {
        protocol: "TCP",
        port: Number(new URL(url).port),
      });
    expect(
      [services.prometheus.url, services.tracing.internal_url, services.grafana.internal_url].map(reach),
    ).toEqual([true, true, true]);
    // Not Loki, not Alertmanager, not the Prometheus replicas behind Thanos Query.
    const loki = partyNamed(parties, "observability/loki");
    expect(connectionAllowed(policies, from.party, loki.party, { protocol: "TCP", port: 3100 })).toBe(false);
  });

  test("Kiali's RBAC: its viewer role's reads in the namespaces it shows, port-forward only to istiod and the sidecars, nothing cluster-wide", async () => {
    const { objects } = await renderedMesh(stack);
    const kialiRoles = objects.filter(
      (o) => o.kind === "Role" && o.metadata.labels?.["app.kubernetes.io/name"] === "kiali",
    );
    const writes = kialiRoles.flatMap((role) =>
      (role.rules as Json[])
        .filter((r) => (r.verbs as string[]).some((v) => !["get", "list", "watch"].includes(v)))
        .map((r) => `${role.metadata.namespace}: ${r.resources.join(",")} ${r.verbs.join(",")}`),
    );
    expect(writes.sort()).toEqual(
      [ISTIOD_NAMESPACE, ...MESHED_NAMESPACES].map((ns) => `${ns}: pods/portforward create`).sort(),
    );
    expect(new Set(kialiRoles.map((r) => r.metadata.namespace))).toEqual(
      new Set(["observability", ISTIOD_NAMESPACE, ...MESHED_NAMESPACES]),
    );
    expect(
      objects.filter(
        (o) => o.kind.startsWith("ClusterRole") && o.metadata.labels?.["app.kubernetes.io/name"] === "kiali",
      ),
    ).toEqual([]);
  });

  test("the Istio Mesh dashboard is provisioned, linked from Landing and Service Detail, and links Kiali", async () => {
    const { objects } = await renderedMesh(stack);
    const boards = dashboards(objects);
    const board = (uid: string) => boards.find((b) => b.uid === uid) as Json;
    const links = (uid: string) => (board(uid).links as Json[]).map((l) => l.url);
    expect(board("obs-istio-mesh").title).toBe("Istio Mesh");
    expect(links("obs-landing")).toContain("/d/obs-istio-mesh");
    expect(links("obs-service-detail")).toContain("/d/obs-istio-mesh");
    const kiali = stack === "prod" ? `https://${KIALI_HOST}/kiali` : "http://localhost:30201/kiali";
    expect(links("obs-istio-mesh")).toEqual([kiali]);
  });
});

test("npm run verify, with the mesh: Kiali is one of the stack's workloads and jobs; the sidecars and istiod are the apps' and the platform's", async () => {
  const expected = verifyExpectations(meshedConfig("kind"), (await renderedMesh("kind")).objects);
  expect(expected.workloads).toContainEqual({
    kind: "Deployment",
    namespace: "observability",
    name: "kiali",
  });
  expect(expected.stackJobs).toContain("kiali");
  expect(expected.otherJobs).toEqual(expect.arrayContaining(["istio-proxies", "istiod"]));
  expect(expected.stackJobs).not.toContain("istio-proxies");
});

test("prod: Kiali on its own host behind the ALB's OIDC, with its own client Secret; without the authentication the policy pack refuses it", async () => {
  const { objects } = await renderedMesh("prod");
  const ingress = objectNamed(objects, "Ingress", "kiali");
  expect(ingress.spec.rules[0].host).toBe(KIALI_HOST);
  const annotations = ingress.metadata.annotations as Record<string, string>;
  expect(annotations["alb.ingress.kubernetes.io/healthcheck-path"]).toBe("/kiali/healthz");
  expect(JSON.parse(annotations["alb.ingress.kubernetes.io/auth-idp-oidc"]).secretName).toBe(
    "alb-oidc-client-kiali",
  );
  expect(objectNamed(objects, "Secret", "alb-oidc-client-kiali").stringData).toHaveProperty("clientSecret");
  expect(unauthenticatedUiProblems(objects)).toEqual([]);
  const open = Object.fromEntries(
    Object.entries(annotations).filter(([key]) => key !== "alb.ingress.kubernetes.io/auth-type"),
  );
  const opened = objects.map((o) =>
    o === ingress ? { ...o, metadata: { ...o.metadata, annotations: open } } : o,
  );
  expect(unauthenticatedUiProblems(opened)).toEqual([
    expect.stringContaining(
      "Ingress/observability/kiali routes to Service/kiali (kiali) without ALB authentication",
    ),
  ]);
});
