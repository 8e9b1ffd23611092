import { parseQuantity } from "../../../config/quantity";
import { footprint } from "../../../render/footprint";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";

test("quantities parse as Kubernetes reads them", () => {
  expect(parseQuantity("100m")).toBeCloseTo(0.1);
  expect(parseQuantity("2")).toBe(2);
  expect(parseQuantity("256Mi")).toBe(256 * 2 ** 20);
  expect(parseQuantity("1Gi")).toBe(2 ** 30);
  expect(parseQuantity("1G")).toBe(1e9);
  expect(() => parseQuantity("lots")).toThrow(/not a quantity/);
});

test("footprint counts replicas and every container of a pod", async () => {
  const rows = footprint((await rendered("prod")).objects);
  const alertmanager = rows.find((r) => r.workload === "StatefulSet/alertmanager");
  // 3 replicas × (alertmanager 50m + config reloader 10m)
  expect(alertmanager).toMatchObject({ pods: 3, volumes: 3 });
  expect(alertmanager?.cpuRequest).toBeCloseTo(0.18);
});

test("kind stays within the laptop budget: requests ≤ 1 CPU and 2 GiB, limits ≤ 4 CPU and 4 GiB, ephemeral storage ≤ 8 GiB, no container requests over 512 MiB", async () => {
  const { objects } = await rendered("kind");
  const rows = footprint(objects);
  const total = (
    field:
      | "cpuRequest"
      | "cpuLimit"
      | "memoryRequest"
      | "memoryLimit"
      | "ephemeralRequest"
      | "ephemeralLimit",
  ) => rows.reduce((n, r) => n + r[field], 0);
  expect(total("cpuRequest")).toBeLessThanOrEqual(1);
  expect(total("memoryRequest")).toBeLessThanOrEqual(2 * 2 ** 30);
  expect(total("cpuLimit")).toBeLessThanOrEqual(4);
  expect(total("memoryLimit")).toBeLessThanOrEqual(4 * 2 ** 30);
  // Logs and scratch on the laptop's disk: what the kubelet may keep before it evicts.
  expect(total("ephemeralRequest")).toBeGreaterThan(0);
  expect(total("ephemeralLimit")).toBeLessThanOrEqual(8 * 2 ** 30);
  // Everything is enabled: every stack's workloads are in the sum, and the demo Pulumi.kind.yaml turns on.
  expect(new Set(rows.map((r) => r.component))).toEqual(
    new Set(["metrics", "alerting", "logs", "tracing", "dashboards", "demo"]),
  );
  const containers = objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))
    .flatMap((o) => (o.spec as any).template.spec.containers);
  for (const c of containers) {
    expect(parseQuantity(c.resources.requests.memory)).toBeLessThanOrEqual(512 * 2 ** 20);
  }
});

test("1,000 observed services add no Kubernetes objects: discovery and variables serve them all", async () => {
  const { config } = readStackFile("kind", PROJECT_ROOT);
  const withServices = async (count: number) => {
    const apps = {
      ...(JSON.parse(config["observability:apps"]) as object),
      services: Array.from({ length: count }, (_, i) => ({ name: `svc-${i}`, port: 8080 })),
    };
    return (
      await renderWithConfig(`scale-${count}`, { ...config, "observability:apps": JSON.stringify(apps) })
    ).objects;
  };
  const few = await withServices(8);
  const many = await withServices(1000);
  expect(many.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
    few.map((o) => `${o.kind}/${o.metadata.name}`),
  );
  const size = (objects: typeof few, name: string) =>
    Object.values((objects.find((o) => o.metadata.name === name)?.data ?? {}) as Record<string, string>).join(
      "",
    ).length;
  // The scrape config grows by a regex alternative per service; the dashboards not at all.
  expect(size(many, "grafana-dashboards")).toBe(size(few, "grafana-dashboards"));
  expect(size(many, "prometheus-config") - size(few, "prometheus-config")).toBeLessThan(992 * 60);
});
