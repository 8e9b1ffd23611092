// The platform exporters' fixtures describe one cluster: every line is read, every family is
// declared, and the kubelet's pods, claims and node are kube-state-metrics' own.
import { Fixture, exposition, samples } from "../../kit/expositions/index";

const PLATFORM: readonly Fixture[] = ["kube-state-metrics", "cadvisor", "kubelet", "coredns", "apiserver"];

describe.each(PLATFORM)("the %s fixture", (fixture) => {
  const lines = exposition(fixture).split("\n");

  test("every sample line parses (no line is silently skipped)", () => {
    const sampleLines = lines.filter((l) => l !== "" && !l.startsWith("#"));
    expect(samples(exposition(fixture))).toHaveLength(sampleLines.length);
  });

  test("every sample belongs to a family declared with HELP and TYPE", () => {
    const declared = new Set(lines.filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]));
    const helped = new Set(lines.filter((l) => l.startsWith("# HELP ")).map((l) => l.split(" ")[2]));
    expect([...declared].filter((f) => !helped.has(f))).toEqual([]);
    const family = (name: string) => name.replace(/_(bucket|sum|count)$/, "");
    const undeclared = samples(exposition(fixture)).filter(
      (s) => !declared.has(s.name) && !declared.has(family(s.name)),
    );
    expect(undeclared.map((s) => s.name)).toEqual([]);
  });
});

const ksm = samples(exposition("kube-state-metrics"));
const keys = (names: readonly { labels: Record<string, string> }[], ...labels: string[]) =>
  new Set(names.map((s) => labels.map((l) => s.labels[l]).join("/")));

test("cAdvisor reports exactly kube-state-metrics' pods and containers", () => {
  const cadvisor = samples(exposition("cadvisor")).filter(
    (s) => s.name === "container_memory_working_set_bytes" && s.labels.pod !== "",
  );
  expect(keys(cadvisor, "namespace", "pod")).toEqual(
    keys(
      ksm.filter((s) => s.name === "kube_pod_info"),
      "namespace",
      "pod",
    ),
  );
  expect(
    keys(
      cadvisor.filter((s) => s.labels.container !== ""),
      "namespace",
      "pod",
      "container",
    ),
  ).toEqual(
    keys(
      ksm.filter((s) => s.name === "kube_pod_container_info"),
      "namespace",
      "pod",
      "container",
    ),
  );
});

test("the kubelet reports kube-state-metrics' node, running pods and claims", () => {
  const kubelet = samples(exposition("kubelet"));
  const value = (name: string) => kubelet.find((s) => s.name === name)?.value;
  expect(
    keys(
      kubelet.filter((s) => s.name === "kubelet_node_name"),
      "node",
    ),
  ).toEqual(
    keys(
      ksm.filter((s) => s.name === "kube_node_info"),
      "node",
    ),
  );
  expect(value("kubelet_running_pods")).toBe(ksm.filter((s) => s.name === "kube_pod_info").length);
  expect(
    keys(
      kubelet.filter((s) => s.name === "kubelet_volume_stats_capacity_bytes"),
      "namespace",
      "persistentvolumeclaim",
    ),
  ).toEqual(
    keys(
      ksm.filter((s) => s.name === "kube_persistentvolumeclaim_info"),
      "namespace",
      "persistentvolumeclaim",
    ),
  );
});
