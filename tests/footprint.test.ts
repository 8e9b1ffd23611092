import { footprint, parseQuantity } from "../scripts/footprint";
import { rendered } from "./renderedStacks";

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

test("kind stays within the laptop budget: requests ≤ 1 CPU and 2 GiB, no container requests over 512 MiB", async () => {
  const { objects } = await rendered("kind");
  const rows = footprint(objects);
  expect(rows.reduce((n, r) => n + r.cpuRequest, 0)).toBeLessThanOrEqual(1);
  expect(rows.reduce((n, r) => n + r.memoryRequest, 0)).toBeLessThanOrEqual(2 * 2 ** 30);
  const containers = objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))
    .flatMap((o) => (o.spec as any).template.spec.containers);
  for (const c of containers) {
    expect(parseQuantity(c.resources.requests.memory)).toBeLessThanOrEqual(512 * 2 ** 20);
  }
});
