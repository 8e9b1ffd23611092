// `npm run bench`: the stack's footprint per component and profile, render time and rendered
// size as the number of observed services grows, and the time of `npm test`. Every number comes
// from the program's rendered output; nothing is kept by hand. `-- --no-test` skips the test run.
import { spawnSync } from "child_process";
import { KubeObject } from "../render/manifest";
import { Row, footprint } from "../render/footprint";
import { ruleCounts } from "../render/ruleCounts";
import { PROJECT_ROOT, renderStack, renderWithConfig } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";

/** The ComponentResource each workload's component label belongs to. */
const RESOURCE_OF_COMPONENT: Record<string, string> = {
  metrics: "MetricsStack",
  alerting: "MetricsStack",
  logs: "LogsStack",
  tracing: "TracingStack",
  dashboards: "GrafanaStack",
  demo: "DemoStack",
};
const RESOURCES = ["MetricsStack", "LogsStack", "TracingStack", "GrafanaStack", "DemoStack"];

const resourceOf = (o: KubeObject) =>
  RESOURCE_OF_COMPONENT[o.metadata.labels?.["app.kubernetes.io/component"] ?? ""] ?? "Platform";
const mi = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;
const cores = (n: number) => `${Math.round(n * 1000)}m`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function printFootprint(profile: string, objects: readonly KubeObject[]): void {
  const rows = footprint(objects);
  const fields = [
    "pods",
    "cpuRequest",
    "cpuLimit",
    "memoryRequest",
    "memoryLimit",
    "ephemeralRequest",
    "ephemeralLimit",
    "volumes",
    "storage",
  ] as const;
  const sum = (selected: readonly Row[]) =>
    Object.fromEntries(fields.map((f) => [f, selected.reduce((n, r) => n + r[f], 0)])) as Record<
      (typeof fields)[number],
      number
    >;
  console.log(`\n${profile}`);
  console.log(
    "component".padEnd(14) + "objects  pods  cpu req/lim      memory req/lim     ephemeral req/lim  volumes",
  );
  for (const resource of [...RESOURCES, "Platform", "total"]) {
    const selected =
      resource === "total"
        ? rows
        : rows.filter((r) => (RESOURCE_OF_COMPONENT[r.component] ?? "Platform") === resource);
    const count =
      resource === "total" ? objects.length : objects.filter((o) => resourceOf(o) === resource).length;
    const t = sum(selected);
    console.log(
      resource.padEnd(14) +
        String(count).padEnd(9) +
        String(t.pods).padEnd(6) +
        `${cores(t.cpuRequest)}/${cores(t.cpuLimit)}`.padEnd(17) +
        `${mi(t.memoryRequest)}/${mi(t.memoryLimit)}`.padEnd(19) +
        `${mi(t.ephemeralRequest)}/${mi(t.ephemeralLimit)}`.padEnd(19) +
        `${t.volumes} (${mi(t.storage)})`,
    );
  }
}

/** Alert and recording rules per rule file Prometheus and Thanos Ruler load, Loki's LogQL alerts, and the provisioned dashboards and panels. */
function printRulesAndDashboards(profile: string, objects: readonly KubeObject[]): void {
  const counts = ruleCounts(objects);
  console.log(`
${profile}`);
  console.log("rule file".padEnd(26) + "evaluator".padEnd(14) + "alerts  recording rules");
  for (const { evaluator, file, alerts, records } of counts.files) {
    console.log(file.padEnd(26) + evaluator.padEnd(14) + String(alerts).padEnd(8) + String(records));
  }
  console.log("total".padEnd(40) + String(counts.alerts).padEnd(8) + String(counts.records));
  console.log(`Loki ruler (LogQL) alerts ${counts.logAlerts}`);
  console.log(`dashboards ${counts.dashboards}, panels ${counts.panels}`);
}

/** The kind stack file with `count` generated services in place of the configured ones. */
function syntheticConfig(count: number): Record<string, string> {
  const { config } = readStackFile("kind", PROJECT_ROOT);
  const apps = JSON.parse(config["observability:apps"]) as { services: unknown[] };
  apps.services = Array.from({ length: count }, (_, i) => ({
    name: `svc-${String(i + 1).padStart(4, "0")}`,
    port: 8080,
  }));
  return { ...config, "observability:apps": JSON.stringify(apps) };
}

function dataSize(objects: readonly KubeObject[], names: readonly string[]): number {
  return objects
    .filter((o) => o.kind === "ConfigMap" && names.includes(o.metadata.name))
    .reduce(
      (n, o) =>
        n + Object.values(o.data as Record<string, string>).reduce((m, v) => m + Buffer.byteLength(v), 0),
      0,
    );
}

async function timeRenders(label: string, config: Record<string, string>, runs = 5) {
  const times: number[] = [];
  let objects: readonly KubeObject[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    objects = (await renderWithConfig(label, config)).objects;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(runs / 2)],
    objects: objects.length,
    prometheus: dataSize(objects, ["prometheus-config", "prometheus-rules", "thanos-ruler-rules"]),
    dashboards: dataSize(objects, ["grafana-dashboards"]),
  };
}

async function main(): Promise<void> {
  console.log("Footprint (requests/limits summed over replicas; a DaemonSet counts once, i.e. per node)");
  for (const [profile, stack] of [
    ["kind profile (Pulumi.kind.yaml)", "kind"],
    ["eks profile (Pulumi.prod.yaml)", "prod"],
  ]) {
    printFootprint(profile, (await renderStack(stack)).objects);
  }

  console.log("\nRules and dashboards");
  for (const [profile, stack] of [
    ["kind profile (Pulumi.kind.yaml)", "kind"],
    ["eks profile (Pulumi.prod.yaml)", "prod"],
  ]) {
    printRulesAndDashboards(profile, (await renderStack(stack)).objects);
  }

  console.log("\nRender under mocks (median of 5 runs)");
  console.log("stack".padEnd(24) + "objects  render ms  prometheus config+rules  dashboards");
  const results = new Map<string, Awaited<ReturnType<typeof timeRenders>>>();
  const cases: [string, Record<string, string>][] = [
    ["kind (Pulumi.kind.yaml)", readStackFile("kind", PROJECT_ROOT).config],
    ...[8, 100, 1000].map((count): [string, Record<string, string>] => [
      `synthetic ${count}`,
      syntheticConfig(count),
    ]),
  ];
  for (const [label, config] of cases) {
    const r = await timeRenders(label.split(" ")[0] + label.split(" ")[1], config);
    results.set(label, r);
    console.log(
      label.padEnd(24) +
        String(r.objects).padEnd(9) +
        r.median.toFixed(0).padEnd(11) +
        kb(r.prometheus).padEnd(25) +
        kb(r.dashboards),
    );
  }
  const [hundred, thousand] = [results.get("synthetic 100"), results.get("synthetic 1000")];
  if (hundred !== undefined && thousand !== undefined) {
    console.log(
      `growth 100 → 1000 services (10x): render time ${(thousand.median / hundred.median).toFixed(2)}x, ` +
        `Prometheus config ${(thousand.prometheus / hundred.prometheus).toFixed(2)}x, ` +
        `dashboards ${(thousand.dashboards / hundred.dashboards).toFixed(2)}x, objects ${thousand.objects - hundred.objects >= 0 ? "+" : ""}${thousand.objects - hundred.objects}`,
    );
  }

  if (!process.argv.includes("--no-test")) {
    const start = Date.now();
    const result = spawnSync("npx", ["jest", "--silent"], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    const summary = /Tests:.*$/m.exec(result.stderr)?.[0] ?? `exit ${String(result.status)}`;
    console.log(`\nnpm test: ${((Date.now() - start) / 1000).toFixed(1)} s wall (${summary})`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
