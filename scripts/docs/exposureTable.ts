// The stack's edges, for docs/operations.md: every connection its NetworkPolicies admit from outside
// the cluster into a workload, and every one a workload opens to outside it, from the wiring graph
// the policies are rendered from.
import { Endpoint, Flow } from "../../components/common/flow";
import { wiringGraph } from "../../components/wiring/graph";
import { StackConfig } from "../../config";

const workloadName = (e: Endpoint) => (e.kind === "workload" ? `${e.namespace}/${e.name}` : "");
const ports = (flow: Flow) =>
  flow.ports.length === 0 ? "every port" : flow.ports.map((p) => `${p.port}/${p.protocol}`).join(", ");
const addresses = (e: Endpoint) =>
  e.kind !== "outside"
    ? ""
    : `${e.what}: ${e.addresses === undefined ? "any address" : e.addresses.map((a) => `\`${a}\``).join(", ")}`;

/** One Markdown table of the stack's edges: in (from outside), then out (to outside), each by workload. */
export function exposureTable(config: StackConfig): string {
  const flows = wiringGraph(config);
  const rows = [
    ...flows
      .filter((f) => f.from.kind === "outside" && f.to.kind === "workload")
      .map((f) => ["in", workloadName(f.to), ports(f), addresses(f.from), f.why]),
    ...flows
      .filter((f) => f.to.kind === "outside" && f.from.kind === "workload")
      .map((f) => ["out", workloadName(f.from), ports(f), addresses(f.to), f.why]),
  ];
  const unique = [...new Map(rows.map((r) => [r.join("|"), r])).values()];
  return [
    "| direction | workload | ports | peer: addresses | why |",
    "| --- | --- | --- | --- | --- |",
    ...unique.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
