// The architecture picture (docs/architecture.svg): the wiring graph every NetworkPolicy is
// generated from, drawn as Graphviz DOT, so the picture cannot show a flow the cluster refuses.
import { Endpoint, Flow, Port } from "../../components/common/flow";

/** Name resolution is every pod's flow; drawn, it would hide the others. */
const isNameResolution = (flow: Flow): boolean => flow.to.kind === "clusterDns";

function nodeId(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case "workload":
      return `${endpoint.namespace}/${endpoint.name}`;
    case "namespace":
      return `namespace ${endpoint.namespace}`;
    case "outside":
      return endpoint.what;
    case "clusterDns":
      return "cluster DNS";
  }
}

/** The box a node is drawn in: its namespace, or none for what lies outside any pod selector. */
function groupOf(endpoint: Endpoint): string | undefined {
  return endpoint.kind === "workload" ? endpoint.namespace : undefined;
}

function label(endpoint: Endpoint): string {
  return endpoint.kind === "workload" ? endpoint.name : nodeId(endpoint);
}

/** Arrows leaving one node share a colour, so a busy node's flows can be followed. */
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

const quoted = (text: string): string =>
  `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

function portsText(ports: readonly Port[]): string {
  if (ports.length === 0) {
    return "any port";
  }
  const numbers = [...new Set(ports.map((p) => p.port))];
  const udp = ports.some((p) => p.protocol === "UDP");
  return `${numbers.join(", ")}${udp ? " (TCP, UDP)" : ""}`;
}

/** DOT for the flows: one box per namespace, one arrow per pair of ends, labelled port: why. */
export function wiringDot(flows: readonly Flow[], title: string): string {
  const drawn = flows.filter((f) => !isNameResolution(f));
  const endpoints = new Map<string, Endpoint>();
  for (const flow of drawn) {
    endpoints.set(nodeId(flow.from), flow.from);
    endpoints.set(nodeId(flow.to), flow.to);
  }
  const groups = new Map<string, string[]>();
  const loose: string[] = [];
  for (const [id, endpoint] of [...endpoints].sort(([a], [b]) => a.localeCompare(b))) {
    const group = groupOf(endpoint);
    const line = `${quoted(id)} [label=${quoted(label(endpoint))}${endpoint.kind === "workload" ? "" : ", shape=ellipse, style=dashed"}];`;
    if (group === undefined) {
      loose.push(line);
    } else {
      groups.set(group, [...(groups.get(group) ?? []), line]);
    }
  }
  const edges = new Map<string, { from: string; to: string; lines: string[] }>();
  for (const flow of drawn) {
    const from = nodeId(flow.from);
    const to = nodeId(flow.to);
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key) ?? { from, to, lines: [] };
    edge.lines.push(`${portsText(flow.ports)}: ${flow.why}`);
    edges.set(key, edge);
  }
  const sources = [...new Set([...edges.values()].map((e) => e.from))].sort();
  return [
    "digraph wiring {",
    `  graph [label=${quoted(`${title}\nEvery arrow is a NetworkPolicy allow (port: why); every pod also reaches the cluster DNS on 53.`)}, labelloc=t, rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.9];`,
    '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11, margin="0.25,0.08"];',
    '  edge [fontname="Helvetica", fontsize=8];',
    ...[...groups].flatMap(([namespace, lines], i) => [
      `  subgraph cluster_${i} {`,
      `    label=${quoted(`namespace ${namespace}`)}; style="rounded,filled"; fillcolor="#f4f6fa"; color="#8899aa";`,
      ...lines.map((l) => `    ${l}`),
      "  }",
    ]),
    ...loose.map((l) => `  ${l}`),
    ...[...edges.values()].map(({ from, to, lines }) => {
      const color = PALETTE[sources.indexOf(from) % PALETTE.length];
      return `  ${quoted(from)} -> ${quoted(to)} [label=${quoted(lines.join("\n"))}, color="${color}", fontcolor="${color}"];`;
    }),
    "}",
    "",
  ].join("\n");
}
