// The stack's connections out on prod: to the API server, from Prometheus to the nodes (the
// kubelets and node-exporter on the host network), to S3 and STS, and from Grafana to its database,
// each only to the addresses its key names (cluster.apiServerCidrs, cluster.nodeCidrs,
// storage.endpointCidrs, grafana.database.cidrs), and from Prometheus to the apps' pods on the
// ports it scrapes (metrics.annotationDiscovery.ports), judged by the rendered NetworkPolicies; the
// render without the keys, which admitted any address or port, and the preview's warnings.
import * as pulumi from "@pulumi/pulumi";
import { Connection, Party, connectionAllowed } from "../../../checks/networkReachability";
import { parsePulumiConfig } from "../../../config/load";
import { openEgressWarnings } from "../../../config/openEgress";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { networkParties, networkPolicies, partyNamed, tenthAddress } from "../../../testing/network";
import { Json } from "../../kit/json";
import { rendered, stackConfig } from "../../support/renderedStacks";

/** The workloads of prod that call each peer, with the port they call it on. */
const CALLERS = {
  apiServer: [
    "observability/prometheus",
    "observability/kube-state-metrics",
    "observability-node/alloy",
    "observability/event-collector",
    "observability/loki",
    "observability/otel-collector",
  ],
  nodes: ["observability/prometheus"],
  objectStorage: [
    "observability/loki",
    "observability/tempo",
    "observability/prometheus",
    "observability/thanos-store",
    "observability/thanos-compactor",
  ],
  database: ["observability/grafana"],
} as const;
type Peer = keyof typeof CALLERS;

/** The ports each peer is called on: the kubelets' and node-exporter's on the nodes. */
const PORTS: Readonly<Record<Peer, readonly number[]>> = {
  apiServer: [443],
  nodes: [10250, 9100],
  objectStorage: [443],
  database: [5432],
};
/** Each peer's networks as prod's stack file names them. */
function configured(peer: Peer): readonly string[] {
  const prod = stackConfig("prod");
  const cidrs = {
    apiServer: prod.cluster.apiServerCidrs,
    nodes: prod.cluster.nodeCidrs,
    objectStorage: prod.storage.endpointCidrs,
    database: prod.grafana.database?.cidrs,
  }[peer];
  if (cidrs === undefined) throw new Error(`Pulumi.prod.yaml names no networks for ${peer}`);
  return cidrs;
}
/** An address in none of the configured networks (TEST-NET-2). */
const ELSEWHERE: Party = { kind: "address", ip: "198.51.100.7" };

/** Whether each caller may open a connection to `to` on each of its peer's ports, by the render's policies. */
function reaches(stack: RenderedStack, peer: Peer, to: Party): boolean[] {
  const policies = networkPolicies(stack.objects);
  const parties = networkParties(stack.objects, []);
  return CALLERS[peer].flatMap((name) =>
    PORTS[peer].map((port) => {
      const connection: Connection = { protocol: "TCP", port };
      return connectionAllowed(policies, partyNamed(parties, name).party, to, connection);
    }),
  );
}
/** One answer per caller and port. */
const each = (peer: Peer, answer: boolean) => CALLERS[peer].flatMap(() => PORTS[peer].map(() => answer));

/** prod's stack file without the keys: the render before them. */
function withoutKeys(): { config: Record<string, string>; secretKeys: readonly string[] } {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const section = (name: string) => JSON.parse(config[`observability:${name}`]) as Json;
  const cluster = section("cluster");
  delete cluster.apiServerCidrs;
  delete cluster.nodeCidrs;
  const storage = section("storage");
  delete storage.endpointCidrs;
  const grafana = section("grafana");
  delete grafana.database.cidrs;
  const metrics = section("metrics");
  delete metrics.annotationDiscovery.ports;
  return {
    config: {
      ...config,
      "observability:cluster": JSON.stringify(cluster),
      "observability:storage": JSON.stringify(storage),
      "observability:grafana": JSON.stringify(grafana),
      "observability:metrics": JSON.stringify(metrics),
    },
    secretKeys,
  };
}

const PEERS = Object.keys(CALLERS) as Peer[];

describe("prod's connections out", () => {
  let open: RenderedStack;
  let warned: string[];

  beforeAll(async () => {
    const warn = jest.spyOn(pulumi.log, "warn");
    const { config, secretKeys } = withoutKeys();
    open = await renderWithConfig("prod-open-egress", config, secretKeys);
    warned = warn.mock.calls.map(([message]) => message);
    warn.mockRestore();
  });

  test.each(PEERS)("%s: each caller reaches the configured addresses, and no other", async (peer) => {
    const prod = await rendered("prod");
    for (const cidr of configured(peer)) {
      expect(reaches(prod, peer, { kind: "address", ip: tenthAddress(cidr) })).toEqual(each(peer, true));
    }
    expect(reaches(prod, peer, ELSEWHERE)).toEqual(each(peer, false));
  });

  test.each(PEERS)("%s: without its key, each caller reached any address", (peer) => {
    expect(reaches(open, peer, ELSEWHERE)).toEqual(each(peer, true));
  });

  test("the preview warns of each open connection, naming its key; the committed stack and kind say nothing", () => {
    const expected = [
      expect.stringMatching(
        /^observability:cluster\.apiServerCidrs is unset: .* any address on 443 and 6443;/,
      ),
      expect.stringMatching(
        /^observability:cluster\.nodeCidrs is unset: Prometheus may connect to any address on 10250 \(the kubelets\) and 9100/,
      ),
      expect.stringMatching(/^observability:storage\.endpointCidrs is unset: .* any address on 443;/),
      expect.stringMatching(
        /^observability:grafana\.database\.cidrs is unset: Grafana may connect to any address/,
      ),
      expect.stringMatching(
        /^observability:metrics\.annotationDiscovery\.ports is unset: Prometheus may connect to every port of tiketi-spring;/,
      ),
    ];
    expect(warned.filter((m) => / is unset: /.test(m) && !m.includes("loadBalancerCidrs"))).toEqual(expected);
    expect(openEgressWarnings(stackConfig("prod"))).toEqual([]);
    expect(openEgressWarnings(stackConfig("kind"))).toEqual([]);
  });

  test("Prometheus reaches the apps' pods on apps.services' ports only; without metrics.annotationDiscovery.ports, on every port", async () => {
    const prod = await rendered("prod");
    const servicePorts = stackConfig("prod").apps.services.map((s) => s.port);
    const appPod: Party = {
      kind: "pod",
      namespace: "tiketi-spring",
      labels: { app: "payment-service" },
      ip: "10.0.40.9",
    };
    const reachesApp = (stack: RenderedStack, port: number) =>
      connectionAllowed(
        networkPolicies(stack.objects),
        partyNamed(networkParties(stack.objects, []), "observability/prometheus").party,
        appPod,
        { protocol: "TCP", port },
      );
    // A database's port and a JVM debugger's, in the apps' namespace.
    const others = [5432, 5005];
    expect(servicePorts.map((port) => reachesApp(prod, port))).toEqual(servicePorts.map(() => true));
    expect(others.map((port) => reachesApp(prod, port))).toEqual([false, false]);
    expect(others.map((port) => reachesApp(open, port))).toEqual([true, true]);
    // Nothing left to scrape by annotation: no job for it.
    const jobs = (await rendered("prod")).objects.find((o) => o.metadata.name === "prometheus-config");
    expect(String((jobs as Json).data["prometheus.yml"])).not.toContain("annotated-pods");
  });

  test("metrics.annotationDiscovery.ports: empty beside namespaces, or a port twice, is refused", () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const withDiscovery = (annotationDiscovery: Json) =>
      parsePulumiConfig(
        {
          ...config,
          "observability:metrics": JSON.stringify({
            ...(JSON.parse(config["observability:metrics"]) as Json),
            annotationDiscovery,
          }),
        },
        secretKeys,
      );
    expect(() => withDiscovery({ namespaces: ["batch"], ports: [] })).toThrow(
      "observability:metrics.annotationDiscovery.namespaces names namespaces whose annotated pods are never scraped: ports is empty",
    );
    expect(() => withDiscovery({ namespaces: [], ports: [9102, 9102] })).toThrow(
      "observability:metrics.annotationDiscovery.ports[1] must be unique: 9102 appears more than once",
    );
  });

  test("storage.endpointCidrs without buckets is refused", () => {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    const storage = {
      ...(JSON.parse(config["observability:storage"] ?? "{}") as Json),
      endpointCidrs: ["52.219.56.0/22"],
    };
    expect(() =>
      parsePulumiConfig({ ...config, "observability:storage": JSON.stringify(storage) }, secretKeys),
    ).toThrow(
      "observability:storage.endpointCidrs applies only with storage.s3: without buckets no workload connects to S3",
    );
  });
});
