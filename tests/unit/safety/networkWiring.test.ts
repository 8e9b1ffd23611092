import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { connectionAllowed, Connection } from "../../../checks/networkReachability";
import { reachabilityMismatches } from "../../../testing/renderChecks";
import { renderedPods } from "../../../checks/podSpecs";
import { Flow } from "../../../components/common/flow";
import { LOKI } from "../../../components/logs/names";
import { closedNamespaces, wiringGraph } from "../../../components/wiring/graph";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { STACKS, StackName } from "../../kit/stacks";
import {
  NamedParty,
  OUTSIDE,
  connectionsOf,
  networkParties,
  networkPolicies,
  partiesOf,
  partyNamed,
} from "../../../testing/network";

async function network(stack: StackName) {
  const config = stackConfig(stack);
  const { objects } = await rendered(stack);
  const flows = wiringGraph(config);
  const parties = networkParties(objects, config.apps.namespaces, config.cluster.nodeCidrs);
  const policies = networkPolicies(objects);
  const party = (name: string): NamedParty => partyNamed(parties, name);
  const allowed = (from: NamedParty, to: NamedParty, connection: Connection) =>
    connectionAllowed(policies, from.party, to.party, connection);

  const compareWithGraph = (candidate: readonly INetworkPolicy[]) =>
    reachabilityMismatches(
      { objects, flows, closedNamespaces: closedNamespaces(config), appNamespaces: config.apps.namespaces },
      candidate,
    );
  return { config, objects, flows, parties, policies, party, allowed, compareWithGraph };
}

const describeFlow = (f: Flow) =>
  `${JSON.stringify(f.from)} -> ${JSON.stringify(f.to)} ${f.ports.map((p) => `${p.protocol}/${p.port}`).join(",")}`;

describe.each(STACKS)("network wiring (%s)", (stack) => {
  test("every pod is a workload of the graph, and every workload the graph names is rendered", async () => {
    const { objects, flows, parties } = await network(stack);
    const graphWorkloads = new Set(
      flows
        .flatMap((f) => [f.from, f.to])
        .flatMap((e) => (e.kind === "workload" ? [`${e.namespace}/${e.name}`] : [])),
    );
    const renderedWorkloads = new Set(
      renderedPods(objects).map((p) => `${p.namespace}/${p.labels["app.kubernetes.io/name"]}`),
    );
    expect([...graphWorkloads].sort()).toEqual([...renderedWorkloads].sort());
    expect(parties.filter((p) => p.workload !== undefined)).toHaveLength(renderedWorkloads.size);
  });

  test("every port the graph opens to a workload of the stack is a port its pods listen on", async () => {
    const { objects, flows } = await network(stack);
    const listening = new Map<string, Set<string>>();
    for (const pod of renderedPods(objects)) {
      const key = `${pod.namespace}/${pod.labels["app.kubernetes.io/name"]}`;
      const ports = listening.get(key) ?? new Set<string>();
      for (const c of pod.spec.containers) {
        (c.ports ?? []).forEach((p) => ports.add(`${p.protocol ?? "TCP"}/${p.containerPort}`));
      }
      listening.set(key, ports);
    }
    const unheard = flows.flatMap((f) => {
      const to = f.to;
      if (to.kind !== "workload") return [];
      const ports = listening.get(`${to.namespace}/${to.name}`) ?? new Set<string>();
      return f.ports
        .map((p) => `${p.protocol}/${p.port}`)
        .filter((p) => !ports.has(p))
        .map((p) => `${describeFlow(f)}: nothing listens on ${p}`);
    });
    expect(unheard).toEqual([]);
  });

  test("each edge of the graph is allowed by the rendered policies, from every pod of its source to every pod of its target", async () => {
    const { objects, flows, parties, allowed } = await network(stack);
    const denied = flows.flatMap((flow) =>
      partiesOf(flow.from, parties).flatMap((from) =>
        partiesOf(flow.to, parties).flatMap((to) =>
          connectionsOf(flow)
            .filter((c) => !allowed(from, to, c))
            .map((c) => `${from.name} -> ${to.name} ${c.protocol}/${c.port} (${describeFlow(flow)})`),
        ),
      ),
    );
    expect(denied).toEqual([]);
    // Every edge had parties on both ends, so none passed by being empty. The one exception is a
    // namespace whose pods all use the host network (the node namespace on kind): its DNS policy
    // has no pod to select.
    const hostNetworkOnly = (namespace: string) =>
      renderedPods(objects)
        .filter((p) => p.namespace === namespace)
        .every((p) => p.spec.hostNetwork === true);
    const empty = flows.filter(
      (f) =>
        partiesOf(f.to, parties).length === 0 ||
        (partiesOf(f.from, parties).length === 0 &&
          !(f.from.kind === "namespace" && hostNetworkOnly(f.from.namespace))),
    );
    expect(empty.map(describeFlow)).toEqual([]);
  });

  test("sample non-edges are denied", async () => {
    const { config, party, allowed } = await network(stack);
    const obs = config.namespaces.observability;
    const app = party(`${config.apps.namespaces[0]}/an-app`);
    const tcp = (port: number): Connection => ({ protocol: "TCP", port });
    const nonEdges: [NamedParty, NamedParty, Connection][] = [
      [app, party(`${obs}/loki`), tcp(3100)],
      [app, party(`${obs}/tempo`), tcp(4317)],
      [app, party(`${obs}/alertmanager`), tcp(9093)],
      [app, party(`${obs}/kube-state-metrics`), tcp(8080)],
      [party(`${obs}/tempo`), party(`${obs}/loki`), tcp(3100)],
      [party(`${obs}/loki`), party(`${obs}/tempo`), tcp(4317)],
      [party(`${obs}/otel-collector`), party(`${obs}/loki`), tcp(3100)],
      [party(`${obs}/otel-collector`), party(`${obs}/alertmanager`), tcp(9093)],
      [party(`${obs}/kube-state-metrics`), party(`${obs}/grafana`), tcp(3006)],
      [party(`${obs}/grafana`), party(`${obs}/kube-state-metrics`), tcp(8080)],
      [party(`${obs}/alertmanager`), party(`${obs}/loki`), tcp(3100)],
      // Right peer, wrong port: Prometheus reads Tempo's HTTP port but never writes spans.
      [party(`${obs}/prometheus`), party(`${obs}/tempo`), tcp(4317)],
      // Grafana queries Prometheus, but not its config reloader.
      [party(`${obs}/grafana`), party(`${obs}/prometheus`), tcp(8080)],
      [OUTSIDE, party(`${obs}/loki`), tcp(3100)],
      [OUTSIDE, party(`${obs}/alertmanager`), tcp(9093)],
      [OUTSIDE, party(`${obs}/tempo`), tcp(3200)],
      [party(`${obs}/tempo`), OUTSIDE, tcp(80)],
    ];
    const alloy = config.logs.collectionMode === "node" ? config.namespaces.node : obs;
    nonEdges.push(
      [party(`${alloy}/alloy`), party(`${obs}/prometheus`), tcp(9090)],
      [party(`${alloy}/alloy`), party(`${obs}/tempo`), tcp(3200)],
    );
    if (stack === "prod") {
      // Without NodePorts nothing outside reaches Prometheus or the collector.
      nonEdges.push(
        [app, party(`${obs}/prometheus`), tcp(9090)],
        [OUTSIDE, party(`${obs}/prometheus`), tcp(9090)],
        [OUTSIDE, party(`${obs}/otel-collector`), tcp(4318)],
      );
    }
    expect(
      nonEdges
        .filter(([from, to, c]) => allowed(from, to, c))
        .map(([f, t, c]) => `${f.name} -> ${t.name} ${c.port}`),
    ).toEqual([]);
  });

  test("Loki replicas gossip the ring and call each other's gRPC; nothing else reaches the gossip port", async () => {
    const { config, party, allowed } = await network(stack);
    const obs = config.namespaces.observability;
    const loki = party(`${obs}/loki`);
    const tcp = (port: number): Connection => ({ protocol: "TCP", port });
    const replicated = config.logs.replicas > 1;
    expect(replicated).toBe(stack === "prod");
    expect(allowed(loki, loki, tcp(LOKI.ports.memberlist.port))).toBe(replicated);
    expect(allowed(loki, loki, tcp(LOKI.ports.grpc.port))).toBe(replicated);
    for (const other of [party(`${obs}/grafana`), party(`${config.apps.namespaces[0]}/an-app`), OUTSIDE]) {
      expect(allowed(other, loki, tcp(LOKI.ports.memberlist.port))).toBe(false);
      expect(allowed(other, loki, tcp(LOKI.ports.grpc.port))).toBe(false);
    }
  });

  test("the rendered policies allow exactly what the graph declares, for every pair of parties and every port in play", async () => {
    const { policies, compareWithGraph } = await network(stack);
    const { checked, mismatches } = compareWithGraph(policies);
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  test("the comparison catches policies that drift from the graph", async () => {
    const { config, flows, policies, compareWithGraph } = await network(stack);
    const drifted = structuredClone(policies);
    const tempo = drifted.find((p) => p.metadata?.name === "tempo");
    // Open Tempo's ingress to every pod of its namespace on every port.
    tempo?.spec?.ingress?.push({
      from: [
        {
          namespaceSelector: {
            matchLabels: { "kubernetes.io/metadata.name": config.namespaces.observability },
          },
        },
      ],
    });
    const { mismatches } = compareWithGraph(drifted);
    // A workload of the namespace that may open a port to any address (on prod Alertmanager to its
    // receivers, on kind Prometheus to the kubelets): now Tempo would accept it.
    const obs = config.namespaces.observability;
    const toAnywhere = flows.find(
      (f) =>
        f.from.kind === "workload" &&
        f.from.namespace === obs &&
        f.to.kind === "outside" &&
        f.to.addresses === undefined &&
        f.to.except === undefined &&
        f.ports.length > 0,
    );
    if (toAnywhere?.from.kind !== "workload")
      throw new Error(`no workload of ${obs} connects to any address`);
    const [port] = toAnywhere.ports;
    expect(mismatches).toContain(
      `${obs}/${toAnywhere.from.name} -> ${obs}/tempo ${port.protocol}/${port.port}: policies allow`,
    );
    const withoutLoki = policies.filter((p) => p.metadata?.name !== "loki");
    expect(compareWithGraph(withoutLoki).mismatches.length).toBeGreaterThan(0);
  });
});
