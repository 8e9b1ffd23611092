// The stack's connections out of the cluster on prod: to the API server, to S3 and STS, and from
// Grafana to its database, each only to the addresses its key names (cluster.apiServerCidrs,
// storage.endpointCidrs, grafana.database.cidrs), judged by the rendered NetworkPolicies; the render
// without the keys, which admitted any address, and the preview's warnings that name them.
import * as pulumi from "@pulumi/pulumi";
import { Connection, Party, connectionAllowed } from "../checks/networkReachability";
import { parsePulumiConfig } from "../config/load";
import { openEgressWarnings } from "../config/openEgress";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { networkParties, networkPolicies, partyNamed } from "../testing/network";
import { Json } from "../testkit/json";
import { rendered, stackConfig } from "./renderedStacks";

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

const PORT: Readonly<Record<Peer, number>> = { apiServer: 443, objectStorage: 443, database: 5432 };
/** Each peer's networks as prod's stack file names them. */
function configured(peer: Peer): readonly string[] {
  const prod = stackConfig("prod");
  const cidrs = {
    apiServer: prod.cluster.apiServerCidrs,
    objectStorage: prod.storage.endpointCidrs,
    database: prod.grafana.database?.cidrs,
  }[peer];
  if (cidrs === undefined) throw new Error(`Pulumi.prod.yaml names no networks for ${peer}`);
  return cidrs;
}
/** The tenth address of a network, e.g. 10.0.64.10 of 10.0.64.0/19. */
const tenthAddress = (cidr: string) => cidr.replace(/\.\d+\/\d+$/, ".10");
/** An address in none of the configured networks (TEST-NET-2). */
const ELSEWHERE: Party = { kind: "address", ip: "198.51.100.7" };

/** Whether each caller may open a connection to `to` on its peer's port, by the render's policies. */
function reaches(stack: RenderedStack, peer: Peer, to: Party): boolean[] {
  const policies = networkPolicies(stack.objects);
  const parties = networkParties(stack.objects, []);
  const connection: Connection = { protocol: "TCP", port: PORT[peer] };
  return CALLERS[peer].map((name) =>
    connectionAllowed(policies, partyNamed(parties, name).party, to, connection),
  );
}

/** prod's stack file without the three keys: the render before them. */
function withoutKeys(): { config: Record<string, string>; secretKeys: readonly string[] } {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const section = (name: string) => JSON.parse(config[`observability:${name}`]) as Json;
  const cluster = section("cluster");
  delete cluster.apiServerCidrs;
  const storage = section("storage");
  delete storage.endpointCidrs;
  const grafana = section("grafana");
  delete grafana.database.cidrs;
  return {
    config: {
      ...config,
      "observability:cluster": JSON.stringify(cluster),
      "observability:storage": JSON.stringify(storage),
      "observability:grafana": JSON.stringify(grafana),
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
    const callers = CALLERS[peer].map(() => true);
    for (const cidr of configured(peer)) {
      expect(reaches(prod, peer, { kind: "address", ip: tenthAddress(cidr) })).toEqual(callers);
    }
    expect(reaches(prod, peer, ELSEWHERE)).toEqual(callers.map(() => false));
  });

  test.each(PEERS)("%s: without its key, each caller reached any address", (peer) => {
    expect(reaches(open, peer, ELSEWHERE)).toEqual(CALLERS[peer].map(() => true));
  });

  test("the preview warns of each open connection, naming its key; the committed stack and kind say nothing", () => {
    const expected = [
      expect.stringMatching(
        /^observability:cluster\.apiServerCidrs is unset: .* any address on 443 and 6443;/,
      ),
      expect.stringMatching(/^observability:storage\.endpointCidrs is unset: .* any address on 443;/),
      expect.stringMatching(
        /^observability:grafana\.database\.cidrs is unset: Grafana may connect to any address/,
      ),
    ];
    expect(warned.filter((m) => / is unset: /.test(m) && !m.includes("loadBalancerCidrs"))).toEqual(expected);
    expect(openEgressWarnings(stackConfig("prod"))).toEqual([]);
    expect(openEgressWarnings(stackConfig("kind"))).toEqual([]);
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
