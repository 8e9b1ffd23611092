// The scrape stack's NetworkPolicies, evaluated with Kubernetes semantics against the wiring
// graph: the team jobs, the discovery namespace and the monitor scraper open exactly their flows,
// with a pod in every namespace they name.
import { Connection, connectionAllowed } from "../../../checks/networkReachability";
import { renderedPods } from "../../../checks/podSpecs";
import { wiringGraph } from "../../../components/wiring/graph";
import { parsePulumiConfig } from "../../../config/load";
import { renderStack } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import {
  NamedParty,
  graphAllows,
  networkParties,
  networkPolicies,
  partyNamed,
} from "../../../testing/network";
import { EXTEND_DIR, EXTENDED_STACK } from "../../support/extendedStack";

const TEAM_NAMESPACES = ["kafka", "billing", "payments-batch", "cert-manager", "ingress-nginx"];

async function network() {
  const { config: raw, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const config = parsePulumiConfig(raw, secretKeys);
  const { objects } = await renderStack(EXTENDED_STACK, EXTEND_DIR);
  const flows = wiringGraph(config);
  const parties = networkParties(objects, [...config.apps.namespaces, ...TEAM_NAMESPACES]);
  const policies = networkPolicies(objects);
  const party = (name: string): NamedParty => partyNamed(parties, name);
  return { config, objects, flows, parties, policies, party };
}

test("the policies allow exactly what the graph says, for every pair of parties on every port in play", async () => {
  const { config, objects, flows, parties, policies } = await network();
  const ports = new Set<number>([5555, 9405]);
  flows.forEach((f) => f.ports.forEach((p) => ports.add(p.port)));
  renderedPods(objects).forEach((pod) =>
    pod.spec.containers.forEach((c) => (c.ports ?? []).forEach((p) => ports.add(p.containerPort))),
  );
  const connections = [...ports].map((port): Connection => ({ protocol: "TCP", port }));
  const stackNamespaces = [config.namespaces.observability, config.namespaces.node];
  const mismatches: string[] = [];
  for (const from of parties) {
    for (const to of parties) {
      for (const c of connections) {
        const actual = connectionAllowed(policies, from.party, to.party, c);
        if (actual !== graphAllows(flows, stackNamespaces, from, to, c)) {
          mismatches.push(`${from.name} -> ${to.name} TCP/${c.port}: policies ${actual ? "allow" : "deny"}`);
        }
      }
    }
  }
  expect(mismatches).toEqual([]);
});

test("Prometheus reaches each team job's namespace on its port only; the scraper only its monitored namespaces", async () => {
  const { policies, party } = await network();
  const allowed = (from: string, to: string, port: number) =>
    connectionAllowed(policies, party(from).party, party(to).party, { protocol: "TCP", port });
  const prometheus = "observability/prometheus";
  const scraper = "observability/monitor-scraper";
  expect([
    allowed(prometheus, "kafka/an-app", 9404),
    allowed(prometheus, "kafka/an-app", 9405),
    allowed(prometheus, "billing/an-app", 9187),
    allowed(prometheus, "billing/an-app", 9404),
    allowed(prometheus, "payments-batch/an-app", 5555),
    allowed(prometheus, "cert-manager/an-app", 9402),
    allowed(scraper, "cert-manager/an-app", 9402),
    allowed(scraper, "ingress-nginx/an-app", 10254),
    allowed(scraper, "kafka/an-app", 9404),
    allowed(scraper, "observability/loki", 3100),
    allowed(scraper, prometheus, 9090),
    allowed("kafka/an-app", scraper, 12345),
  ]).toEqual([true, false, true, false, true, false, true, true, false, false, true, false]);
});
