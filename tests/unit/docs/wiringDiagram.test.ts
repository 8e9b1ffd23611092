import { outside, tcp, workload } from "../../../components/common/flow";
import { wiringDot } from "../../../scripts/docs/wiringDiagram";

describe("wiring diagram", () => {
  const dot = wiringDot(
    [
      { from: workload("obs", "grafana"), to: workload("obs", "loki"), ports: tcp(3100), why: "queries" },
      { from: workload("obs", "grafana"), to: workload("obs", "loki"), ports: tcp(9095), why: "tail" },
      { from: workload("obs", "loki"), to: outside("S3"), ports: tcp(443), why: "chunks" },
      { from: { kind: "namespace", namespace: "obs" }, to: { kind: "clusterDns" }, ports: [], why: "names" },
    ],
    "title",
  );

  it("draws one arrow per pair of ends, labelled with each flow's port and why", () => {
    expect(dot).toContain('"obs/grafana" -> "obs/loki" [label="3100: queries\\n9095: tail", color="#1f77b4"');
    expect(dot).toContain('"obs/loki" -> "S3" [label="443: chunks", color="#d62728"');
  });

  it("boxes workloads by namespace and leaves name resolution to the caption", () => {
    expect(dot).toMatch(/subgraph cluster_0 \{\n {4}label="namespace obs";[^\n]*\n {4}"obs\/grafana"/);
    expect(dot).not.toContain('"cluster DNS"');
  });
});
