// The stack's edges, for docs/operations.md: every connection its NetworkPolicies admit from outside
// the cluster into a workload, and every one a workload opens to outside it or to a workload on the
// host network (at its nodes' addresses), from the wiring graph the policies are rendered from.
import { Endpoint, endpointText, onHostNetwork, portsText } from "../../components/common/flow";
import { wiringGraph } from "../../components/wiring/graph";
import { StackConfig } from "../../config";

const listed = (cidrs: readonly string[]) => cidrs.map((a) => `\`${a}\``).join(", ");
const addresses = (e: Endpoint) =>
  (e.kind === "outside" || e.kind === "workload") && e.addresses !== undefined
    ? listed(e.addresses)
    : e.kind === "outside" && e.except !== undefined
      ? `any but ${listed(e.except)}`
      : "any";

/** A workload on the host network: at its nodes' addresses, which no pod selector matches. */
const onHostNetworkEnd = (e: Endpoint) => e.kind === "workload" && onHostNetwork(e.name);

/** One Markdown table of the stack's edges: in (from outside), then out (to outside), each by workload. */
export function exposureTable(config: StackConfig): string {
  const flows = wiringGraph(config);
  const rows = [
    ...flows
      .filter((f) => f.from.kind === "outside" && f.to.kind === "workload")
      .map((f) => ["in", endpointText(f.to), portsText(f.ports), f.from, f.why] as const),
    ...flows
      .filter((f) => (f.to.kind === "outside" || onHostNetworkEnd(f.to)) && f.from.kind === "workload")
      .map((f) => ["out", endpointText(f.from), portsText(f.ports), f.to, f.why] as const),
  ].map(([direction, workload, ports, peer, why]) => [
    direction,
    workload,
    ports,
    peer.kind === "outside"
      ? peer.what
      : onHostNetworkEnd(peer)
        ? `${endpointText(peer)}, on the host network`
        : endpointText(peer),
    addresses(peer),
    why,
  ]);
  const unique = [...new Map(rows.map((r) => [r.join("|"), r])).values()];
  return [
    "| direction | workload | ports | peer | its addresses | why |",
    "| --- | --- | --- | --- | --- | --- |",
    ...unique.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
